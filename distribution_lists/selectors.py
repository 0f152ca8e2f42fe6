"""Reads of distribution lists, scoped to a customer."""

from __future__ import annotations

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from customers.models import Customer
from customers.tenancy import scoped
from distribution_lists.models import Contact, DistributionList, IncorrectRow
from telephony.imports import ImportFileError, open_table, preview


def distribution_lists_of(customer: Customer | None) -> QuerySet[DistributionList]:
    return scoped(DistributionList.objects.all(), customer)


def ready_distribution_lists_of(customer: Customer | None) -> QuerySet[DistributionList]:
    """The lists a campaign may use."""
    return distribution_lists_of(customer).filter(status=DistributionList.Status.READY)


def contacts_of(distribution_list: DistributionList, *, search: str = "") -> QuerySet[Contact]:
    contacts = Contact.objects.filter(distribution_list=distribution_list).order_by("row_number")
    return _search(contacts, search, "phone")


def incorrect_rows_of(distribution_list: DistributionList, *, search: str = "") -> QuerySet[IncorrectRow]:
    rows = IncorrectRow.objects.filter(distribution_list=distribution_list).order_by("row_number")
    return _search(rows, search, "raw_phone")


def _search(queryset: QuerySet, search: str, phone_field: str) -> QuerySet:
    search = search.strip()
    if not search:
        return queryset
    json_field = "variables" if queryset.model is Contact else "cells"
    digits = "".join(ch for ch in search if ch.isdigit())
    condition = Q(**{f"{phone_field}__icontains": search}) | Q(searchable__icontains=search)
    if digits and digits != search:
        condition |= Q(**{f"{phone_field}__contains": digits})
    if len(digits) > 3 and digits.startswith("0"):
        # Typed as dialled at home ("020 7946"): numbers are stored without the trunk 0.
        condition |= Q(**{f"{phone_field}__contains": digits.lstrip("0")})
    return queryset.alias(searchable=Cast(json_field, TextField())).filter(condition)


def distribution_list_preview(distribution_list: DistributionList, rows: int = 10) -> list[list[str]]:
    """The first rows of the uploaded file, for the markup step."""
    try:
        with distribution_list.source_file.open("rb") as source:
            return preview(open_table(source, filename=distribution_list.original_filename, preview_rows=rows), rows)
    except (ImportFileError, OSError):
        return []
