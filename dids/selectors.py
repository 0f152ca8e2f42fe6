"""Reads of the DID inventory, shaped for the pages that show them.

The inventory runs to millions of rows, so two reads here avoid whole-table
work: counts are exact only up to a cap and estimated by the planner beyond
it, and the distinct values offered as filters are read with a loose index
scan instead of ``SELECT DISTINCT`` over every row.
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from customers.models import Customer
from customers.tenancy import scoped
from dids.models import CUSTOMER_STATUSES, DID, ClientPackage, DIDStatus

_NON_DIGITS = re.compile(r"\D")
# Only these columns are offered as distinct-value filters; the name goes into SQL.
_DISTINCT_COLUMNS = {"tag", "iso_country"}


def exact_count_cap() -> int:
    return settings.DIDS_EXACT_COUNT_UP_TO


def dids_of_customer(customer: Customer | None) -> QuerySet[DID]:
    """The customer's DIDs (Assigned and Hold), for its dashboard and API."""
    return scoped(DID.objects.select_related("operator"), customer).filter(status__in=CUSTOMER_STATUSES)


def dids_in_stock() -> QuerySet[DID]:
    return DID.objects.filter(status=DIDStatus.IN_STOCK).select_related("operator")


def client_packages_of(customer: Customer) -> QuerySet[ClientPackage]:
    """The customer's client packages, each with ``used`` (Assigned + Hold DIDs) annotated."""
    return (
        ClientPackage.objects.filter(customer=customer)
        .select_related("package")
        .annotate(used=Count("dids", filter=Q(dids__status__in=CUSTOMER_STATUSES)))
        .order_by("-active", "package__name", "pk")
    )


def search_digits(queryset: QuerySet, term: str) -> QuerySet:
    """Rows whose number contains the digits of ``term`` anywhere.

    Written on ``SUBSTRING(number, 2)`` (the digits after ``+``) because that
    expression, not the column, carries the trigram index (migration 0005).
    """
    digits = _NON_DIGITS.sub("", term or "")
    if not digits:
        return queryset
    return queryset.alias(number_digits=Substr("number", 2)).filter(number_digits__contains=digits)


def estimated_count(queryset: QuerySet) -> int:
    """Exact up to the cap; beyond it the planner's estimate, so a page never counts a million rows."""
    if connection.vendor != "postgresql":
        return queryset.count()
    cap = exact_count_cap()
    exact = queryset.order_by()[: cap + 1].count()
    if exact <= cap:
        return exact
    if not queryset.query.where:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table]
            )
            row = cursor.fetchone()
        estimate = int(row[0]) if row else 0
    else:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        estimate = int(plan[0]["Plan"]["Plan Rows"])
    return max(estimate, cap + 1)


def distinct_values(column: str) -> list[str]:
    """The distinct non-empty values of an indexed DID column."""
    if column not in _DISTINCT_COLUMNS:
        raise ValueError(f"{column} is not offered as a filter")
    if connection.vendor != "postgresql":
        values = DID.objects.exclude(**{column: ""}).values_list(column, flat=True).distinct().order_by(column)
        return list(values)
    table = DID._meta.db_table
    # A loose index scan: one index probe per distinct value instead of reading every row.
    sql = f"""
        WITH RECURSIVE t(v) AS (
            (SELECT {column} FROM {table} ORDER BY {column} LIMIT 1)
            UNION ALL
            SELECT (SELECT {column} FROM {table} WHERE {column} > t.v ORDER BY {column} LIMIT 1)
            FROM t WHERE t.v IS NOT NULL
        )
        SELECT v FROM t WHERE v IS NOT NULL AND v <> ''
    """  # the column name comes from the allow-list above
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


# --- the admin's pages ----------------------------------------------------------------------


def client_packages_with_room(customer: Customer) -> list[ClientPackage]:
    """The customer's client packages, each with ``used`` and ``room`` (DIDs it may still take)."""
    packages = list(client_packages_of(customer))
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
