"""Creating many DIDs at once, with their history rows, in a few statements.

Used by ``services.did_create_many`` (ranges) and the DID file import. Rows go
through the import engine's ``BulkWriter`` (PostgreSQL ``COPY`` into a staging
table and one ``INSERT … SELECT``; ``bulk_create`` on SQLite); the
django-simple-history rows are then written with one ``INSERT … SELECT`` per
chunk, so a 10,000-number range is not 10,000 ORM objects twice over.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import connection

from dids.models import DID
from telephony.imports import BulkWriter

FIELDS = [
    "number",
    "raw",
    "operator",
    "status",
    "after_hold_status",
    "tag",
    "notes",
    "iso_country",
    "number_type",
    "area_code",
    "locality",
    "unverified",
    "created_at",
    "updated_at",
]


def existing_numbers(numbers: Sequence[str]) -> set[str]:
    """Which of ``numbers`` (E.164) are in the inventory already."""
    if connection.vendor == "postgresql":
        # One array parameter joined on the unique index: a long IN list cost
        # more to build and plan than to run, and an ``= ANY`` of thousands
        # made the planner choose a scan of the whole table.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.number FROM unnest(%s::text[]) AS wanted(number) "
                f"JOIN {connection.ops.quote_name(DID._meta.db_table)} d ON d.number = wanted.number",
                [list(numbers)],
            )
            return {number for (number,) in cursor.fetchall()}
    found: set[str] = set()
    for start in range(0, len(numbers), 500):
        found.update(DID.objects.filter(number__in=numbers[start : start + 500]).values_list("number", flat=True))
    return found


def writer() -> BulkWriter:
    """A BulkWriter for tuples in the order of :data:`FIELDS`."""
    return BulkWriter(DID, FIELDS)


def write_history(numbers: Sequence[str], *, user_id: int | None, reason: str, date: datetime.datetime) -> None:
    """One '+' history row per DID in ``numbers``, copied from the rows just inserted."""
    if not settings.SIMPLE_HISTORY_ENABLED or not numbers:
        return
    history = DID.history.model
    quote = connection.ops.quote_name
    tracked = [field.attname for field in history.tracked_fields]
    columns = ", ".join(quote(name) for name in tracked)
    extra = ", ".join(
        quote(name) for name in ("history_date", "history_user_id", "history_change_reason", "history_type")
    )
    head = (
        f"INSERT INTO {quote(history._meta.db_table)} ({columns}, {extra}) "
        f"SELECT {columns}, %s, %s, %s, '+' FROM {quote(DID._meta.db_table)} "
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement, the numbers as one array joined on the unique index
            # (see existing_numbers).
            cursor.execute(head + "WHERE number IN (SELECT unnest(%s::text[]))", [date, user_id, reason, list(numbers)])
        else:
            for start in range(0, len(numbers), 500):
                chunk = list(numbers[start : start + 500])
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(head + f"WHERE number IN ({marks})", [date, user_id, reason, *chunk])


def rows_for(records: Iterable, *, operator_id: int, status: str, after_hold_status: str, tag: str, notes: str, now):
    """Tuples for :func:`writer` from ``ParsedNumber`` records sharing the same settings."""
    for p in records:
        yield (
            p.number,
            p.raw[:64],
            operator_id,
            status,
            after_hold_status,
            tag,
            notes,
            p.iso_country,
            p.number_type,
            p.area_code[:8],
            p.locality[:100],
            p.unverified,
            now,
            now,
        )
