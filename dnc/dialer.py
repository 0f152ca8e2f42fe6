"""What the dialer asks of the do-not-call lists: at launch (one join) and at claim (one probe per batch).

No campaign setting reaches here: a do-not-call entry always wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.db.models.functions import Length

from dnc.models import DncEntry
from dnc.selectors import describe, dnc_matches


@dataclass(frozen=True)
class Suppression:
    column: str  # SQL naming the suppressing entry of contact ``c``, NULL when it may be called
    joins: str  # appended after "FROM contacts c"
    params: list  # for ``joins``
    any: bool  # False: no entry in force, nothing to look up


def dnc_suppression_sql(*, customer_id: int, now) -> Suppression:
    """SQL for the launch's ``INSERT … SELECT`` naming each contact's suppressing entry.

    Only hash joins, so a million entries cost one pass over them: per list
    (the customer's, the platform's) that holds any, whole numbers join on the
    phone, and prefixes join, once per distinct prefix length (a handful), on
    the phone's first characters. A number is unique within a list, so no
    grouping is needed. The customer's own entry is named first, then the
    platform's, then the longest prefix.
    """
    table = connection.ops.quote_name(DncEntry._meta.db_table)
    lists = [("customer", "d.customer_id = %s", [customer_id], Q(customer_id=customer_id))]
    lists.append(("platform", "d.customer_id IS NULL", [], Q(customer__isnull=True)))
    in_force = "(d.expires_at IS NULL OR d.expires_at > %s)"
    joins, params, numbers, prefixes = [], [], [], []
    for name, owner, owner_params, condition in lists:
        held = DncEntry.objects.filter(condition)
        if held.filter(is_prefix=False).exists():
            alias = f"dn_{name}"
            joins.append(
                f"LEFT JOIN (SELECT d.number FROM {table} d WHERE {owner} AND NOT d.is_prefix AND {in_force})"
                f" {alias} ON {alias}.number = c.phone"
            )
            params += [*owner_params, now]
            numbers.append(f"'{name} ' || {alias}.number")
        sizes = held.filter(is_prefix=True).annotate(size=Length("number")).values_list("size", flat=True)
        for size in sorted(set(sizes), reverse=True):
            alias = f"dp_{name}_{int(size)}"
            joins.append(
                f"LEFT JOIN (SELECT d.number FROM {table} d WHERE {owner} AND d.is_prefix"
                f" AND length(d.number) = {int(size)} AND {in_force}) {alias}"
                f" ON {alias}.number = substr(c.phone, 1, {int(size)})"
            )
            params += [*owner_params, now]
            prefixes.append((int(size), f"'{name} ' || {alias}.number || '*'"))
    if not joins:
        return Suppression("NULL", "", [], False)
    names = numbers + [expression for _, expression in sorted(prefixes, key=lambda p: -p[0])]
    column = names[0] if len(names) == 1 else f"COALESCE({', '.join(names)})"
    return Suppression(column, " ".join(joins), params, True)


def suppressed_among(*, customer_id: int, phones: Iterable[str], now: dt.datetime) -> dict[str, str]:
    """phone → the description of its entry, for the phones of a claim that must not be called."""
    matches = dnc_matches(customer_id=customer_id, phones=phones, now=now)
    return {phone: describe(entry) for phone, entry in matches.items()}
