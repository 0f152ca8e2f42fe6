"""Every write to the do-not-call lists."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from celery import current_app
from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction

from campaigns.models import CallAttempt
from dnc.models import DncEntry, DncSource, DncUpload, UploadStatus
from telephony.imports.errors import ImportFileError
from telephony.imports.phones import normalise_phone
from telephony.imports.readers import open_table

# The worker's task, looked up by its registered name (dnc/tasks.py calls into
# this module; DncConfig.ready registers it in every process).
IMPORT_UPLOAD = "dnc.import_upload"

if TYPE_CHECKING:
    from customers.models import Customer, User
    from dnc.models import DncUpload

NUMBER = re.compile(r"^\+[0-9]{1,15}$")
MAX_REPORTED_ERRORS = 1000


class DncError(ValueError):
    """Bad input for a do-not-call entry; the message says what is wrong."""


def clean_number(raw: str, *, is_prefix: bool = False, default_region: str = "") -> str:
    """E.164 for a number (national numbers read in ``default_region``); ``+digits`` for a prefix."""
    text = re.sub(r"[\s().-]", "", str(raw or ""))
    if text.startswith("00"):
        text = "+" + text[2:]
    if is_prefix:
        if not NUMBER.match(text):
            raise DncError(f"Prefix {raw!r} must be '+' and 1 to 15 digits, e.g. +44870.")
        return text
    region = (default_region or settings.DNC_DEFAULT_REGION).upper()
    if not region and not text.startswith("+"):
        raise DncError(f"Number {raw!r} has no country code: write it in international form, e.g. +441174090100.")
    # An international number does not depend on the region; any known one reads it.
    result = normalise_phone(text, region or "GB")
    if result.e164 is None:
        raise DncError(f"Number {raw!r} is not a valid phone number: {result.reason}")
    return result.e164


def dnc_add(
    *,
    customer: Customer | None,
    number: str,
    source: str,
    is_prefix: bool = False,
    added_by: User | None = None,
    expires_at: dt.datetime | None = None,
    campaign_id: int | None = None,
    attempt_id: int | None = None,
    comment: str = "",
    default_region: str = "",
) -> tuple[DncEntry, bool]:
    """Put a number or prefix on the customer's list (``customer=None``: the platform's); (entry, created).

    Adding what is already there keeps the first entry (its source and date)
    and clears an expiry when the new one has none.
    """
    if source not in DncSource.values:
        raise DncError(f"Unknown source {source!r}; expected one of {', '.join(DncSource.values)}.")
    number = clean_number(number, is_prefix=is_prefix, default_region=default_region)
    with transaction.atomic():
        existing = DncEntry.objects.select_for_update().filter(customer=customer, number=number).first()
        if existing is not None:
            if existing.expires_at is not None and (expires_at is None or expires_at > existing.expires_at):
                existing.expires_at = expires_at
                existing.save(update_fields=["expires_at"])
            return existing, False
        try:
            with transaction.atomic():
                entry = DncEntry.objects.create(
                    customer=customer,
                    number=number,
                    is_prefix=is_prefix,
                    source=source,
                    added_by=added_by,
                    expires_at=expires_at,
                    campaign_id=campaign_id,
                    attempt_id=attempt_id,
                    comment=comment[:200],
                )
        except IntegrityError:  # a concurrent add of the same number won
            return DncEntry.objects.get(customer=customer, number=number), False
    return entry, True


def dnc_remove(*, entry: DncEntry) -> None:
    entry.delete()


@dataclass
class DncImportReport:
    added: int = 0
    already: int = 0
    incorrect: list[tuple[int, str, str]] = field(default_factory=list)  # (row, value, reason)
    incorrect_count: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "already_listed": self.already,
            "incorrect": self.incorrect_count,
            "incorrect_rows": [{"row": r, "value": v, "reason": why} for r, v, why in self.incorrect],
        }


def dnc_import(
    *,
    customer: Customer | None,
    source: str | os.PathLike[str] | IO[bytes],
    filename: str = "",
    added_by: User | None = None,
    default_region: str = "",
) -> DncImportReport:
    """Add the numbers of the first column of a CSV/XLS/XLSX file (a header row is skipped as incorrect).

    A cell starting with ``prefix:`` or ending in ``*`` is a prefix. Reads
    with the import engine's readers; writes in batches of new entries.
    """
    table = open_table(source, filename=filename)
    report = DncImportReport()
    batch: dict[str, bool] = {}

    def flush() -> None:
        if not batch:
            return
        known = set(DncEntry.objects.filter(customer=customer, number__in=list(batch)).values_list("number", flat=True))
        new = [
            DncEntry(customer=customer, number=n, is_prefix=p, source=DncSource.UPLOAD, added_by=added_by)
            for n, p in batch.items()
            if n not in known
        ]
        DncEntry.objects.bulk_create(new, ignore_conflicts=True)
        report.added += len(new)
        report.already += len(batch) - len(new)
        batch.clear()

    for index, row in enumerate(table.rows(), start=1):
        raw = (row[0] if row else "").strip()
        is_prefix = raw.lower().startswith("prefix:") or raw.endswith("*")
        value = raw[7:] if raw.lower().startswith("prefix:") else raw.rstrip("*")
        try:
            number = clean_number(value, is_prefix=is_prefix, default_region=default_region)
        except DncError as error:
            report.incorrect_count += 1
            if len(report.incorrect) < MAX_REPORTED_ERRORS:
                report.incorrect.append((index, raw, str(error)))
            continue
        if number in batch:
            report.already += 1
            continue
        batch[number] = is_prefix
        if len(batch) >= 5000:
            flush()
    flush()
    return report


def dnc_opt_out(*, attempt_id: int) -> DncEntry | None:
    """The callee pressed the opt-out digit: their number goes on the campaign's customer's list.

    The hook every scenario runner calls (the simulator's play-out, the SIP
    engine's runner) when a gather step's ``opt_out`` digit is pressed; it
    then plays the step's ``opt_out_confirmation``. Idempotent.
    """
    attempt = CallAttempt.objects.filter(pk=attempt_id).select_related("campaign").first()
    if attempt is None:
        return None
    entry, _ = dnc_add(
        customer=attempt.campaign.customer,
        number=attempt.b_number,
        source=DncSource.OPT_OUT,
        campaign_id=attempt.campaign_id,
        attempt_id=attempt.pk,
        comment=f"opt-out in campaign {attempt.campaign.name}"[:200],
    )
    return entry


def dnc_upload(
    *, customer: Customer | None, upload: IO[bytes], filename: str, added_by: User | None = None
) -> DncUpload:
    """Check a file of numbers can be read; small ones are imported now, larger ones by a worker.

    Returns the :class:`DncUpload` (``ready`` with its report, or ``processing``).
    Raises :class:`ImportFileError` for a file that cannot be read.
    """
    table = open_table(upload, filename=filename)
    upload.seek(0)
    record = DncUpload(
        customer=customer, original_filename=filename[:255], rows_total=table.total_rows, added_by=added_by
    )
    if table.total_rows <= settings.DNC_UPLOAD_INLINE_ROWS:
        report = dnc_import(customer=customer, source=upload, filename=filename, added_by=added_by)
        record.status, record.report = UploadStatus.READY, report.as_dict()
        record.save()
        return record
    with transaction.atomic():
        record.source_file.save(filename[-100:] or "upload", File(upload), save=False)
        record.save()
        # Celery's Django fixup makes every task a DjangoTask; the stubs type registered tasks as plain Tasks.
        current_app.tasks[IMPORT_UPLOAD].delay_on_commit(record.pk)  # type: ignore[attr-defined]
    return record


def dnc_upload_import(*, upload_id: int) -> None:
    """The worker's part: import a waiting upload once (running it again changes nothing)."""
    record = DncUpload.objects.filter(pk=upload_id, status=UploadStatus.PROCESSING).select_related("customer").first()
    if record is None:
        return
    try:
        with record.source_file.open("rb") as source:
            report = dnc_import(
                customer=record.customer, source=source, filename=record.original_filename, added_by=record.added_by
            )
    except ImportFileError as error:
        DncUpload.objects.filter(pk=record.pk, status=UploadStatus.PROCESSING).update(
            status=UploadStatus.FAILED, failure_reason=str(error)
        )
        return
    DncUpload.objects.filter(pk=record.pk, status=UploadStatus.PROCESSING).update(
        status=UploadStatus.READY, report=report.as_dict()
    )
    record.source_file.delete(save=False)
