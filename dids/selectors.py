"""Reads of the DID inventory, shaped for the pages that show them.

The inventory runs to millions of rows, so two reads here avoid whole-table
work: counts are exact only up to a cap and estimated by the planner beyond
it, and the distinct values offered as filters are read with a loose index
scan instead of ``SELECT DISTINCT`` over every row (both in ``dids/search.py``,
the fast path that holds their SQL).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypedDict, TypeVar

from django.conf import settings
from django.db.models import Count, Model, Q, QuerySet
from django.db.models.functions import Substr

from customers.models import Customer
from customers.tenancy import scoped
from dids import search
from dids.models import CUSTOMER_STATUSES, DID, ClientPackage, DIDStatus

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

_M = TypeVar("_M", bound=Model)

_NON_DIGITS = re.compile(r"\D")
# Only these columns are offered as distinct-value filters.
_DISTINCT_COLUMNS = {"tag", "iso_country"}


def exact_count_cap() -> int:
    return settings.DIDS_EXACT_COUNT_UP_TO


def dids_of_customer(customer: Customer | None) -> QuerySet[DID]:
    """The customer's DIDs (Assigned and Hold), for its dashboard and API."""
    return scoped(DID.objects.select_related("operator"), customer).filter(status__in=CUSTOMER_STATUSES)


def dids_in_stock() -> QuerySet[DID]:
    return DID.objects.filter(status=DIDStatus.IN_STOCK).select_related("operator")


class UsedDIDs(TypedDict):
    used: int  # the client package's Assigned + Hold DIDs


def client_packages_of(customer: Customer) -> QuerySet[WithAnnotations[ClientPackage, UsedDIDs]]:
    """The customer's client packages, each with ``used`` (Assigned + Hold DIDs) annotated."""
    return (
        ClientPackage.objects.filter(customer=customer)
        .select_related("package")
        .annotate(used=Count("dids", filter=Q(dids__status__in=CUSTOMER_STATUSES)))
        .order_by("-active", "package__name", "pk")
    )


def search_digits(queryset: QuerySet[_M], term: str) -> QuerySet[_M]:
    """Rows whose number contains the digits of ``term`` anywhere.

    Written on ``SUBSTRING(number, 2)`` (the digits after ``+``) because that
    expression, not the column, carries the trigram index (migration 0005).
    """
    digits = _NON_DIGITS.sub("", term or "")
    if not digits:
        return queryset
    # The stubs' plugin loses a generic queryset's model through alias().
    return queryset.alias(number_digits=Substr("number", 2)).filter(  # type: ignore[return-value]
        number_digits__contains=digits
    )


def estimated_count(queryset: QuerySet) -> int:
    """Exact up to the cap; beyond it an estimate, so a page never counts a million rows."""
    return search.estimated_count(queryset, exact_up_to=exact_count_cap())


def distinct_values(column: str) -> list[str]:
    """The distinct non-empty values of a DID column offered as a filter."""
    if column not in _DISTINCT_COLUMNS:
        raise ValueError(f"{column} is not offered as a filter")
    return search.distinct_values(column)


# --- the admin's pages ----------------------------------------------------------------------


def client_packages_with_room(customer: Customer) -> list[ClientPackage]:
    """The customer's client packages, each with ``used`` and ``room`` (DIDs it may still take)."""
    packages: list[ClientPackage] = list(client_packages_of(customer))
    for client_package in packages:
        client_package.room = max(0, client_package.package.did_limit - client_package.used)  # type: ignore[attr-defined]
    return packages


def stock_for(
    client_package: ClientPackage | None, *, q: str = "", iso_country: str = "", number_type: str = "", tag: str = ""
) -> QuerySet[DID]:
    """In Stock DIDs that ``client_package`` may take (its allowed tags), narrowed by a search, by number."""
    stock = dids_in_stock()
    if client_package is not None and client_package.package.allowed_tags:
        # Only what the package may take: offering the rest would only earn a refusal.
        stock = stock.filter(tag__in=client_package.package.allowed_tags)
    stock = search_digits(stock, q)
    if iso_country:
        stock = stock.filter(iso_country=iso_country.upper())
    if number_type:
        stock = stock.filter(number_type=number_type)
    if tag:
        stock = stock.filter(tag=tag)
    return stock.order_by("number")


def dids_in_use_of(customer: Customer) -> QuerySet[DID]:
    """Every DID the customer holds, with its package and operator, by number."""
    return (
        DID.objects.filter(customer=customer).select_related("client_package__package", "operator").order_by("number")
    )


def numbers_in_use(dids: QuerySet[DID], *, limit: int = 20) -> list[str]:
    """Up to ``limit`` numbers among ``dids`` that are Assigned or in Hold (cannot be deleted)."""
    return list(dids.filter(status__in=CUSTOMER_STATUSES).values_list("number", flat=True)[:limit])


def deactivation_preview(packages: list[ClientPackage], *, sample: int = 10) -> list[ClientPackage]:
    """``packages``, each with ``on_hold`` (its Assigned DIDs, which deactivation holds) and a ``sample`` of them."""
    assigned = DID.objects.filter(client_package__in=packages, status=DIDStatus.ASSIGNED)
    counts = dict(assigned.values("client_package").annotate(n=Count("pk")).values_list("client_package", "n"))
    for client_package in packages:
        client_package.on_hold = counts.get(client_package.pk, 0)  # type: ignore[attr-defined]
        numbers = assigned.filter(client_package=client_package).order_by("number").values_list("number", flat=True)
        client_package.sample = list(numbers[:sample])  # type: ignore[attr-defined]
    return packages
