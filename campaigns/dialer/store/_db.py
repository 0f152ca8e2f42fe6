"""What every statement of the store shares: table names, running a statement, values read back.

Statements take named parameters (``%(name)s`` and a dict) on both databases.
A value read by raw SQL comes back the database's way — SQLite gives
timestamps naive (in UTC) and JSON as text, PostgreSQL gives them aware and
decoded — so each row is turned into its dataclass through these converters.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, overload

from django.db import connection
from django.db.models import JSONField

from campaigns.models import CallAttempt, CallJob, CallTally, Campaign
from telephony.db import prepared_fetchone


def _quoted(table: str) -> str:
    # Both databases quote names with double quotes.
    return f'"{table}"'


ATTEMPT = _quoted(CallAttempt._meta.db_table)
JOB = _quoted(CallJob._meta.db_table)
CAMPAIGN = _quoted(Campaign._meta.db_table)
TALLY = _quoted(CallTally._meta.db_table)

Params = dict[str, Any]
_JSON = JSONField()


def postgresql() -> bool:
    return connection.vendor == "postgresql"


def one(sql: str, params: Params) -> tuple[Any, ...] | None:
    """The first row of a statement run once per call (prepared on the server on PostgreSQL)."""
    return prepared_fetchone(sql, params)


def rows(sql: str, params: Params) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def execute(sql: str, params: Params) -> int:
    """Run a statement; the rows it changed."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def stamp(moment: dt.datetime | None) -> Any:
    """A timestamp as this database takes it as a parameter."""
    return None if moment is None else connection.ops.adapt_datetimefield_value(moment)


@overload
def aware(moment: dt.datetime) -> dt.datetime: ...
@overload
def aware(moment: None) -> None: ...
def aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A timestamp as read back: SQLite gives it naive, in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def json_object(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else dict(value or {})


def json_value(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def json_param(value: Any) -> Any:
    """A value for a JSON column, as this database takes it."""
    return _JSON.get_db_prep_value(value, connection)
