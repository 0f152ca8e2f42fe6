"""What the dialer asks of the do-not-call lists: at launch (one join) and at claim (one probe per batch).

No campaign setting reaches here: a do-not-call entry always wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from dnc.models import DncEntry
from dnc.selectors import describe, dnc_matches


@dataclass(frozen=True)
class Suppression:
    joins: str  # appended after "FROM contacts c"
    column: str  # the SQL expression naming the entry, NULL when the contact may be called
    params: list
    any: bool  # False: no entry in force, nothing to join


def dnc_suppression_sql(*, customer_id: int, now) -> Suppression:
    """Joins for the launch's ``INSERT … SELECT`` that name each contact's suppressing entry.

    Whole numbers: one hash join with the entries in force (the platform's and
    this customer's), grouped by number. Prefixes are few: a lateral probe of
    them, only when this customer or the platform has any.
    """
    table = connection.ops.quote_name(DncEntry._meta.db_table)
    scope = "(d.customer_id = %s OR d.customer_id IS NULL) AND (d.expires_at IS NULL OR d.expires_at > %s)"
    entries = DncEntry.objects.filter(customer_id__in=[customer_id]) | DncEntry.objects.filter(customer__isnull=True)
    has_numbers = entries.filter(is_prefix=False).exists()
    has_prefixes = entries.filter(is_prefix=True).exists()
    if not (has_numbers or has_prefixes):
        return Suppression("", "NULL", [], False)
    joins, params, names = [], [], []
    if has_numbers:
        # min() of "platform …" / "customer …" prefers the customer's own; either is true.
        joins.append(
            "LEFT JOIN (SELECT d.number, min(CASE WHEN d.customer_id IS NULL THEN 'platform ' ELSE 'customer ' END"
            f" || d.number) AS entry FROM {table} d WHERE NOT d.is_prefix AND {scope} GROUP BY d.number) dn"
            " ON dn.number = c.phone"
        )
        params += [customer_id, now]
        names.append("dn.entry")
    if has_prefixes:
        joins.append(
            "LEFT JOIN LATERAL (SELECT CASE WHEN d.customer_id IS NULL THEN 'platform ' ELSE 'customer ' END"
            f" || d.number || '*' AS entry FROM {table} d WHERE d.is_prefix AND {scope}"
            " AND c.phone LIKE d.number || '%%' ORDER BY length(d.number) DESC LIMIT 1) dp ON true"
        )
        params += [customer_id, now]
        names.append("dp.entry")
    column = names[0] if len(names) == 1 else f"COALESCE({', '.join(names)})"
    return Suppression(" ".join(joins), column, params, True)


def suppressed_among(*, customer_id: int, phones: Iterable[str], now: dt.datetime) -> dict[str, str]:
    """phone → the description of its entry, for the phones of a claim that must not be called."""
    return {phone: describe(entry) for phone, entry in dnc_matches(customer_id=customer_id, phones=phones, now=now).items()}
