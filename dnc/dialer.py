"""What the dialer asks of the do-not-call lists: at launch (one join) and at claim (one probe per batch).

No campaign setting reaches here: a do-not-call entry always wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from dnc.models import DncEntry
from dnc.selectors import describe, dnc_matches


@dataclass(frozen=True)
class Suppression:
    column: str  # SQL naming the suppressing entry of contact ``c``, NULL when it may be called
    joins: str  # appended after "FROM contacts c"
    params: list  # for ``column`` then ``joins``
    any: bool  # False: no entry in force, nothing to look up


def dnc_suppression_sql(*, customer_id: int, now) -> Suppression:
    """SQL for the launch's ``INSERT … SELECT`` naming each contact's suppressing entry.

    Whole numbers: one hash join with the entries in force (the platform's and
    this customer's), grouped by number. Prefixes are few: a scalar probe of
    them per contact, only when this customer or the platform has any.
    """
    table = connection.ops.quote_name(DncEntry._meta.db_table)
    scope = "(d.customer_id = %s OR d.customer_id IS NULL) AND (d.expires_at IS NULL OR d.expires_at > %s)"
    label = "CASE WHEN d.customer_id IS NULL THEN 'platform ' ELSE 'customer ' END || d.number"
    entries = DncEntry.objects.filter(Q(customer_id=customer_id) | Q(customer__isnull=True))
    has_numbers = entries.filter(is_prefix=False).exists()
    has_prefixes = entries.filter(is_prefix=True).exists()
    if not (has_numbers or has_prefixes):
        return Suppression("NULL", "", [], False)
    names, joins, column_params, join_params = [], "", [], []
    if has_numbers:
        # min() of "customer …" / "platform …" names the customer's own entry when both hold it.
        joins = (
            f"LEFT JOIN (SELECT d.number, min({label}) AS entry FROM {table} d WHERE NOT d.is_prefix AND {scope}"
            " GROUP BY d.number) dn ON dn.number = c.phone"
        )
        join_params = [customer_id, now]
        names.append("dn.entry")
    if has_prefixes:
        names.append(
            f"(SELECT {label} || '*' FROM {table} d WHERE d.is_prefix AND {scope}"
            " AND c.phone LIKE d.number || '%%' ORDER BY length(d.number) DESC LIMIT 1)"
        )
        column_params = [customer_id, now]
    column = names[0] if len(names) == 1 else f"COALESCE({', '.join(names)})"
    return Suppression(column, joins, column_params + join_params, True)


def suppressed_among(*, customer_id: int, phones: Iterable[str], now: dt.datetime) -> dict[str, str]:
    """phone → the description of its entry, for the phones of a claim that must not be called."""
    matches = dnc_matches(customer_id=customer_id, phones=phones, now=now)
    return {phone: describe(entry) for phone, entry in matches.items()}
