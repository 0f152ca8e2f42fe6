"""Reads of distribution lists, scoped to a customer."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from customers.models import Customer
from customers.tenancy import scoped
from distribution_lists.models import Contact, DistributionList, DuplicateRow, IncorrectRow
from telephony.imports import ImportFileError
from telephony.imports.models import ImportJob
from telephony.imports.selectors import import_job_preview

EXPORT_CHUNK = 2000  # rows read from the database at a time by the export


def distribution_lists_of(customer: Customer | None) -> QuerySet[DistributionList]:
    return scoped(DistributionList.objects.select_related("job"), customer)


def ready_distribution_lists_of(customer: Customer | None) -> QuerySet[DistributionList]:
    """The lists a campaign may use."""
    return distribution_lists_of(customer).filter(status=DistributionList.Status.READY)


def distribution_list_export_rows(distribution_list: DistributionList) -> Iterator[list]:
    """The export's header, every contact, then every incorrect row; two queries whatever the size."""
    names = distribution_list.variables
    column_of = {name: index for index, name in enumerate(distribution_list.column_names)}
    yield ["status", "row", "phone", "time_zone", "reason", *names]
    contacts = (
        Contact.objects.filter(distribution_list=distribution_list)
        .order_by("row_number")
        .values_list("row_number", "phone", "time_zone", "variables")
    )
    for row_number, phone, zone, variables in contacts.iterator(chunk_size=EXPORT_CHUNK):
        yield ["correct", row_number, phone, zone, "", *(str(variables.get(name, "")) for name in names)]
    incorrect = (
        IncorrectRow.objects.filter(distribution_list=distribution_list)
        .order_by("row_number")
        .values_list("row_number", "raw_phone", "reason", "cells")
    )
    for row_number, raw_phone, reason, cells in incorrect.iterator(chunk_size=EXPORT_CHUNK):
        values = [cells[column_of[name]] if column_of[name] < len(cells) else "" for name in names]
        yield ["incorrect", row_number, raw_phone, "", reason, *values]


def distribution_list_export_row_count(distribution_list: DistributionList) -> int:
    """The export's rows after its header, from the stored counts: duplicates are counted too, so a few
    too many at worst, never too few for the XLSX sheets."""
    return distribution_list.correct_count + distribution_list.incorrect_count + distribution_list.duplicate_count


def contacts_of(distribution_list: DistributionList, *, search: str = "") -> QuerySet[Contact]:
    contacts = Contact.objects.filter(distribution_list=distribution_list).order_by("row_number")
    return _search(contacts, search, "phone")


def incorrect_rows_of(distribution_list: DistributionList, *, search: str = "") -> QuerySet[IncorrectRow]:
    rows = IncorrectRow.objects.filter(distribution_list=distribution_list).order_by("row_number")
    return _search(rows, search, "raw_phone")


def duplicate_rows_of(distribution_list: DistributionList, *, search: str = "") -> QuerySet[DuplicateRow]:
    rows = DuplicateRow.objects.filter(distribution_list=distribution_list).order_by("row_number")
    return _search(rows, search, "phone")


def repeated_contacts(distribution_list: DistributionList, duplicates) -> dict[str, Contact]:
    """The contacts a page of duplicates repeats, by number (one query for the page)."""
    phones = {row.phone for row in duplicates}
    contacts = Contact.objects.filter(distribution_list=distribution_list, phone__in=phones)
    return {contact.phone: contact for contact in contacts}


def _search(queryset: QuerySet, search: str, phone_field: str) -> QuerySet:
    search = search.strip()
    if not search:
        return queryset
    json_field = "variables" if queryset.model is Contact else "cells"
    # A duplicate's phone is the E.164 number; the number as written is searched too.
    condition_raw = Q(raw_phone__icontains=search) if queryset.model is DuplicateRow else Q()
    digits = "".join(ch for ch in search if ch.isdigit())
    condition = Q(**{f"{phone_field}__icontains": search}) | Q(searchable__icontains=search) | condition_raw
    if digits and digits != search:
        condition |= Q(**{f"{phone_field}__contains": digits})
    if len(digits) > 3 and digits.startswith("0"):
        # Typed as dialled at home ("020 7946"): numbers are stored without the trunk 0.
        condition |= Q(**{f"{phone_field}__contains": digits.lstrip("0")})
    return queryset.alias(searchable=Cast(json_field, TextField())).filter(condition)


def distribution_list_preview(distribution_list: DistributionList, rows: int = 10) -> list[list[str]]:
    """The first rows of the uploaded file, for the markup step."""
    if distribution_list.job is None:
        return []
    try:
        return import_job_preview(distribution_list.job, rows)
    except ImportFileError:
        return []


def import_phases(distribution_list: DistributionList) -> list[dict]:
    """The import's three phases for its page, each done, current or waiting, with its own progress.

    The page's script (static/js/distribution_list_progress.js) redraws the
    same thing from the progress URL's JSON.
    """
    Phase = ImportJob.Phase
    order = [Phase.READING, Phase.CHECKING, Phase.SAVING]
    current = order.index(distribution_list.import_phase) if distribution_list.import_phase in order else -1
    texts = {
        Phase.READING: "",
        Phase.CHECKING: f"{distribution_list.rows_read:,} of {distribution_list.rows_total:,} rows",
        # Without a count yet (or on SQLite, where none comes before the end) the bar moves instead.
        Phase.SAVING: f"{distribution_list.rows_saved:,} of {distribution_list.rows_to_save:,} rows"
        if distribution_list.rows_saved
        else f"{distribution_list.rows_to_save:,} rows",
    }
    phases = []
    for index, phase in enumerate(order):
        if index < current:
            state, percent = "done", 100
        elif index == current:
            state, percent = "current", distribution_list.progress_percent
        else:
            state, percent = "waiting", 0
        text = texts[phase] if index == current or (index < current and phase != Phase.READING) else ""
        if index < current and phase == Phase.CHECKING:
            text = f"{distribution_list.rows_to_save:,} rows checked"
        if state == "done" and phase == Phase.READING:
            text = "done"
        phases.append({"key": phase.value, "label": phase.label, "state": state, "percent": percent, "text": text})
    return phases
