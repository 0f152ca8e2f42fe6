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

    Only hash joins, so a million entries cost one pass over them: whole
    numbers join on the phone; prefixes join, one join per distinct prefix
    length (a handful), on the phone's first characters — the longest prefix
    wins. Each side keeps the entries in force (the platform's and this
    customer's) grouped by number; without any entry nothing is joined.
    """
    table = connection.ops.quote_name(DncEntry._meta.db_table)
    scope = "(d.customer_id = %s OR d.customer_id IS NULL) AND (d.expires_at IS NULL OR d.expires_at > %s)"
    # min() of "customer …" / "platform …" names the customer's own entry when both hold it.
    label = "min(CASE WHEN d.customer_id IS NULL THEN 'platform ' ELSE 'customer ' END || d.number)"
    entries = DncEntry.objects.filter(Q(customer_id=customer_id) | Q(customer__isnull=True))
    has_numbers = entries.filter(is_prefix=False).exists()
    lengths = sorted(
        set(entries.filter(is_prefix=True).annotate(size=Length("number")).values_list("size", flat=True)),
        reverse=True,
    )
    if not has_numbers and not lengths:
        return Suppression("NULL", "", [], False)
    joins, params, names = [], [], []
    if has_numbers:
        joins.append(
            f"LEFT JOIN (SELECT d.number, {label} AS entry FROM {table} d WHERE NOT d.is_prefix AND {scope}"
            " GROUP BY d.number) dn ON dn.number = c.phone"
        )
        params += [customer_id, now]
        names.append("dn.entry")
    for size in lengths:
        joins.append(
            f"LEFT JOIN (SELECT d.number, {label} || '*' AS entry FROM {table} d"
            f" WHERE d.is_prefix AND length(d.number) = {int(size)} AND {scope}"
            f" GROUP BY d.number) dp{int(size)} ON dp{int(size)}.number = substr(c.phone, 1, {int(size)})"
        )
        params += [customer_id, now]
        names.append(f"dp{int(size)}.entry")
    column = names[0] if len(names) == 1 else f"COALESCE({', '.join(names)})"
    return Suppression(column, " ".join(joins), params, True)


def suppressed_among(*, customer_id: int, phones: Iterable[str], now: dt.datetime) -> dict[str, str]:
    """phone → the description of its entry, for the phones of a claim that must not be called."""
    matches = dnc_matches(customer_id=customer_id, phones=phones, now=now)
    return {phone: describe(entry) for phone, entry in matches.items()}
