"""Exporting a list (correct and incorrect rows) to CSV or XLSX, streamed.

Cells that a spreadsheet would run as a formula — starting with ``=``, ``+``,
``-``, ``@`` (or a tab or carriage return, which some programs skip before
looking) — are written with a leading apostrophe, so a number such as
``+447400123456`` opens as text and ``=HYPERLINK(...)`` from an uploaded file
never runs on the customer's computer.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterator

from django.http import FileResponse, StreamingHttpResponse
from django.utils.text import slugify
from openpyxl import Workbook

from distribution_lists.models import Contact, DistributionList, IncorrectRow
from telephony.exports import escape_formula

FORMATS = ("csv", "xlsx")
_CHUNK = 2000


def export_rows(distribution_list: DistributionList) -> Iterator[list[str]]:
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
        yield ["correct", str(row_number), phone, zone, "", *(str(variables.get(name, "")) for name in names)]
    incorrect = (
        IncorrectRow.objects.filter(distribution_list=distribution_list)
        .order_by("row_number")
        .values_list("row_number", "raw_phone", "reason", "cells")
    )
    for row_number, raw_phone, reason, cells in incorrect.iterator(chunk_size=_CHUNK):
        values = [cells[column_of[name]] if column_of[name] < len(cells) else "" for name in names]
        yield ["incorrect", str(row_number), raw_phone, "", reason, *values]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_stream(distribution_list: DistributionList) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # lets Excel open UTF-8 with the right characters
    for row in export_rows(distribution_list):
        yield writer.writerow([escape_formula(cell) for cell in row])


def export_response(distribution_list: DistributionList, fmt: str):
    base = slugify(distribution_list.name) or f"list-{distribution_list.pk}"
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_stream(distribution_list), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{base}.csv"'
        return response
    # openpyxl's write-only mode keeps one row in memory; the workbook goes to
    # a temporary file that is streamed and removed when closed.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(re.sub(r"[\\/*?:\[\]]", "-", distribution_list.name)[:31] or "List")
    for row in export_rows(distribution_list):
        sheet.append([escape_formula(cell) for cell in row])
    spool = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by FileResponse
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"{base}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
