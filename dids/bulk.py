"""Creating many DIDs at once, with their history rows, in a few statements.

Used by ``services.did_create_many`` (ranges) and the DID file import. Rows go
through the import engine's bulk writer (``telephony.imports.writer``: its
``BulkWriter``, then the django-simple-history rows copied with one
``INSERT … SELECT`` per chunk), so a 10,000-number range is not 10,000 ORM
objects twice over; no SQL of its own here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.conf import settings

from dids.models import CLASSIFICATION_FIELDS, DID
from telephony.imports import BulkWriter
from telephony.imports.writer import copy_history_rows, existing_keys

FIELDS = [
    "number",
    "raw",
    "operator",
    "status",
    "after_hold_status",
    "tag",
    "notes",
    *CLASSIFICATION_FIELDS,
    "created_at",
    "updated_at",
]


def existing_numbers(numbers: Sequence[str]) -> set[str]:
    """Which of ``numbers`` (E.164) are in the inventory already."""
    return existing_keys(DID, "number", numbers)


def writer() -> BulkWriter:
    """A BulkWriter for tuples in the order of :data:`FIELDS`."""
    return BulkWriter(DID, FIELDS)


def write_history(numbers: Sequence[str], *, user_id: int | None, reason: str, date: datetime.datetime) -> None:
    """One '+' history row per DID in ``numbers``, copied from the rows just inserted."""
    if settings.SIMPLE_HISTORY_ENABLED:
        copy_history_rows(DID, "number", numbers, user_id=user_id, reason=reason, date=date)


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
