"""The DID inventory's counts and filter values: every database branch of them, for PostgreSQL and SQLite.

``dids.selectors`` keeps the rules (how far a count is exact, which columns
are offered as filters) and calls this module; nothing else in the app asks
the database for estimates or loose index scans.

Interface
    ``estimated_count(queryset, *, exact_up_to) -> int`` — exact up to
        ``exact_up_to``; beyond it PostgreSQL's planner estimate (never less
        than ``exact_up_to + 1``), so a page never counts a million rows.
        SQLite, the embedded default with small inventories, counts exactly.
    ``distinct_values(column) -> list[str]`` — the distinct non-empty values of
        an indexed text column of the DID table, in order.

On PostgreSQL the whole table's estimate is the table's ``reltuples``; a
filtered one is the row count ``EXPLAIN`` plans for it. The distinct values
come from a loose index scan (one index probe per distinct value) where the
ORM's ``SELECT DISTINCT`` reads every index entry: ``bench_dids`` times the
changelist, which shows two of these filters on every page.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.db.models import CharField, QuerySet

from dids.models import DID

__all__ = ["distinct_values", "estimated_count"]


def estimated_count(queryset: QuerySet[Any], *, exact_up_to: int) -> int:
    if connection.vendor != "postgresql":
        return queryset.count()
    exact = queryset.order_by()[: exact_up_to + 1].count()
    if exact <= exact_up_to:
        return exact
    filtered = bool(queryset.query.where)
    estimate = _planned_rows(queryset) if filtered else _table_estimate(queryset.model._meta.db_table)
    return max(estimate, exact_up_to + 1)


def distinct_values(column: str) -> list[str]:
    if column not in _LEADING_TEXT_COLUMNS:  # the name goes into SQL, and the scan needs the index
        raise ValueError(f"{column} is not a text column that leads an index of DIDs")
    if connection.vendor != "postgresql":
        values = DID.objects.exclude(**{column: ""}).values_list(column, flat=True).distinct().order_by(column)
        return list(values)
    quoted = connection.ops.quote_name(_LEADING_TEXT_COLUMNS[column])
    with connection.cursor() as cursor:
        cursor.execute(_LOOSE_INDEX_SCAN.format(column=quoted, table=_TABLE))
        return [row[0] for row in cursor.fetchall()]


# --- statements -------------------------------------------------------------------

_TABLE = connection.ops.quote_name(DID._meta.db_table)


def _leading_text_columns() -> dict[str, str]:
    """Field name → column of the DID's text fields that lead one of its indexes."""
    columns: dict[str, str] = {}
    for index in DID._meta.indexes:
        field = DID._meta.get_field(index.fields[0].lstrip("-"))
        if isinstance(field, CharField) and field.column:
            columns[field.name] = field.column
    return columns


_LEADING_TEXT_COLUMNS = _leading_text_columns()

_RELTUPLES = "SELECT reltuples::bigint FROM pg_class WHERE oid = %(table)s::regclass"

# One index probe per distinct value instead of reading every row; the names come from the model.
_LOOSE_INDEX_SCAN = """
    WITH RECURSIVE t(v) AS (
        (SELECT {column} FROM {table} ORDER BY {column} LIMIT 1)
        UNION ALL
        SELECT (SELECT {column} FROM {table} WHERE {column} > t.v ORDER BY {column} LIMIT 1)
        FROM t WHERE t.v IS NOT NULL
    )
    SELECT v FROM t WHERE v IS NOT NULL AND v <> ''
"""


def _table_estimate(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_RELTUPLES, {"table": table})
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _planned_rows(queryset: QuerySet[Any]) -> int:
    plan = json.loads(queryset.order_by().values("pk").explain(format="json"))
    # Django hands back the plan's one element (older versions the whole list).
    plan = plan[0] if isinstance(plan, list) else plan
    return int(plan["Plan"]["Plan Rows"])
