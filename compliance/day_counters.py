"""The day counters of caller-ID usage: every statement of them, for PostgreSQL and SQLite.

``compliance.caller_id.CallerIdChooser`` keeps the rules (caps, local
presence, which number a call takes) and calls this module; nothing else in
the app writes these counters.

Interface
    ``numbers_used(*, day, numbers) -> dict[str, int]`` — today's calls of each
        number that has any (a number absent from the answer has none).
    ``numbers_add(*, day, calls)`` — adds ``calls[number]`` to each number's day.
    ``pool_add(*, pool_id, day, calls, local_calls)`` — adds to the pool's day.

Adding is one ``INSERT … ON CONFLICT DO UPDATE SET calls = calls + EXCLUDED.calls``
per table, the same text on both databases: the increment happens in the
database, so two claims that share a number at the same moment both count.
The ORM cannot say it in one statement (``bulk_create(update_conflicts=True)``
overwrites with the new value instead of adding it; an insert-if-missing plus
an ``F()`` update is two statements and a ``CASE`` per number).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

from django.db import connection

from compliance.models import ANumberDay, PoolDay

__all__ = ["numbers_add", "numbers_used", "pool_add"]


def numbers_used(*, day: dt.date, numbers: Collection[str]) -> dict[str, int]:
    rows = ANumberDay.objects.filter(day=day, number__in=numbers).values_list("number", "calls")
    return dict(rows)


def numbers_add(*, day: dt.date, calls: Mapping[str, int]) -> None:
    if not calls:
        return
    params: dict[str, Any] = {"day": connection.ops.adapt_datefield_value(day)}
    values = []
    for index, (number, count) in enumerate(calls.items()):
        values.append(f"(%(number_{index})s, %(day)s, %(calls_{index})s)")
        params[f"number_{index}"] = number
        params[f"calls_{index}"] = count
    table = connection.ops.quote_name(ANumberDay._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (number, day, calls) VALUES {', '.join(values)}"
            f" ON CONFLICT (number, day) DO UPDATE SET calls = {table}.calls + EXCLUDED.calls",
            params,
        )


def pool_add(*, pool_id: int, day: dt.date, calls: int, local_calls: int) -> None:
    table = connection.ops.quote_name(PoolDay._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (pool_id, day, calls, local_calls) VALUES (%(pool)s, %(day)s, %(calls)s, %(local)s)"
            f" ON CONFLICT (pool_id, day) DO UPDATE SET calls = {table}.calls + EXCLUDED.calls,"
            f" local_calls = {table}.local_calls + EXCLUDED.local_calls",
            {"pool": pool_id, "day": connection.ops.adapt_datefield_value(day), "calls": calls, "local": local_calls},
        )
