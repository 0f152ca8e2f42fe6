"""Exporting a list (correct and incorrect rows) to CSV or XLSX, streamed.

The files are written by ``telephony.exports`` (quoted CSV with the formula
guard, XLSX with text cells that never run): numbers come out as they are.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.text import slugify

from distribution_lists.models import Contact, DistributionList, IncorrectRow
from telephony import exports

FORMATS = ("csv", "xlsx")
_CHUNK = 2000


def export_rows(distribution_list: DistributionList) -> Iterator[list]:
    """The header, every contact, then every incorrect row; two queries whatever the size."""
    names = distribution_list.variables
    column_of = {name: index for index, name in enumerate(distribution_list.column_names)}
    yield ["status", "row", "phone", "time_zone", "reason", *names]
    contacts = (
        Contact.objects.filter(distribution_list=distribution_list)
        .order_by("row_number")
        .values_list("row_number", "phone", "time_zone", "variables")
    )
    for row_number, phone, zone, variables in contacts.iterator(chunk_size=_CHUNK):
        yield ["correct", row_number, phone, zone, "", *(str(variables.get(name, "")) for name in names)]
    incorrect = (
        IncorrectRow.objects.filter(distribution_list=distribution_list)
        .order_by("row_number")
        .values_list("row_number", "raw_phone", "reason", "cells")
    )
    for row_number, raw_phone, reason, cells in incorrect.iterator(chunk_size=_CHUNK):
        values = [cells[column_of[name]] if column_of[name] < len(cells) else "" for name in names]
        yield ["incorrect", row_number, raw_phone, "", reason, *values]


def export_response(distribution_list: DistributionList, fmt: str):
    base = slugify(distribution_list.name) or f"list-{distribution_list.pk}"
    if fmt == "csv":
        return exports.csv_response(export_rows(distribution_list), filename=f"{base}.csv")
    return exports.xlsx_response(
        export_rows(distribution_list),
        filename=f"{base}.xlsx",
        title=distribution_list.name or "List",
        # The stored counts, duplicates included: a few too many at worst, never too few for the sheets.
        row_count=distribution_list.correct_count
        + distribution_list.incorrect_count
        + distribution_list.duplicate_count,
    )
