"""The report export's times in the customer's zone: its one database branch, for PostgreSQL and SQLite.

``campaigns.reports.export_rows`` keeps what goes in each column and calls
this module; nothing else in the app shifts attempt times in SQL.

Interface
    ``attempts_in_zone(attempts, zone) -> ZonedAttempts`` — what to read of
        ``attempts`` (``time_fields``: started, answered, ended) and how to turn
        each value read into a naive time in ``zone`` to the second (``local``).

On PostgreSQL the database shifts and truncates the times
(``date_trunc('second', … AT TIME ZONE zone)``) and they come back ready.
The ORM's ``TruncSecond(tzinfo=zone)`` writes the same SQL, but hands each
value back through ``make_aware``, which the export would undo: that costs
more per row than the rest of the row's work (an export streams every
attempt of a campaign). SQLite stores UTC text, so Python converts there.
The expression is spliced into the ORM's own SQL, whose placeholders are
positional, so its one parameter is too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import DateTimeField, QuerySet
from django.db.models.expressions import RawSQL

from campaigns.models import CallAttempt

__all__ = ["TIMES", "ZonedAttempts", "attempts_in_zone"]

TIMES = ("started_at", "answered_at", "ended_at")


@dataclass(frozen=True)
class ZonedAttempts:
    attempts: QuerySet[CallAttempt]
    time_fields: list[str]  # to read in place of TIMES, in their order
    local: Callable[[dt.datetime | None], dt.datetime | None]


def attempts_in_zone(attempts: QuerySet[CallAttempt], zone: dt.tzinfo) -> ZonedAttempts:
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(CallAttempt._meta.db_table)
        shifted = attempts.annotate(
            **{
                f"{name}_local": RawSQL(
                    f"date_trunc('second', {table}.{connection.ops.quote_name(name)} AT TIME ZONE %s)",
                    [str(zone)],
                    output_field=DateTimeField(),
                )
                for name in TIMES
            }
        )
        return ZonedAttempts(shifted, [f"{name}_local" for name in TIMES], _already_local)

    def to_local(moment: dt.datetime | None) -> dt.datetime | None:
        return moment.astimezone(zone).replace(tzinfo=None, microsecond=0) if moment else None

    return ZonedAttempts(attempts, list(TIMES), to_local)


def _already_local(moment: dt.datetime | None) -> dt.datetime | None:
    return moment  # naive, in the zone, to the second
