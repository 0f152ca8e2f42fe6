"""Filling a caller-ID pool from an uploaded file, and fixing its incorrect numbers.

Public API (also listed in ``callerid_pools.services``):

    ``pool_upload_start(*, name, pool_type, customer, is_global, upload, filename, user=None) -> PoolUpload``
        "+ Add from file", step 1: keeps the file as a draft :class:`ImportJob`
        (the engine's one lifecycle: size, type and row checks) with the
        pool's fields; no pool exists yet. Raises ``PoolError``.
    ``pool_upload_save(*, pool_upload, markup) -> PoolUploadReport``
        Step 2: marks the job up and runs it here and now (a pool file is at
        most ``POOLS_UPLOAD_MAX_ROWS`` rows): the run creates the pool and
        fills it (:func:`run_pool_upload`, the ``callerid_pool`` kind's run),
        all in one transaction. Raises ``PoolError`` with the reason; the
        upload can then be marked up again.
    ``pool_import_file(*, pool, table, markup, max_rows=None) -> PoolUploadReport``
        Reads ``table`` (``telephony.imports.open_table``) with ``markup``
        through the shared import engine. Each row's number becomes a member
        of ``pool`` (appended in file order) or an incorrect number kept with
        its reason: not a number; not valid for its country; not a DID; not a
        DID of this customer / not a platform DID; duplicate (earlier in the
        file, or already in the pool). All in one transaction.
        Raises ``ImportFileError`` (unreadable file, no rows, too many rows).
    ``pool_incorrect_number_fix(*, incorrect, raw) -> FixResult``
        Judges the corrected text the same way: when it is now fine the number
        joins the pool and the incorrect row is deleted (``.member`` set);
        otherwise the row keeps the new text and reason (``.incorrect`` set).
    ``pool_incorrect_number_dismiss(*, incorrect) -> None``

Numbers that ``phonenumbers`` does not know as valid are still accepted when
the inventory has them as DIDs (operators receive new ranges before the
metadata knows them; ``dids.numbers`` flags such DIDs unverified).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import IO

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.db.models import Max

from call_tracking.selectors import tracking_pools_serving
from callerid_pools.models import (
    IncorrectReason,
    NumberPool,
    NumberPoolIncorrectNumber,
    NumberPoolMember,
    PoolUpload,
)
from callerid_pools.services import PoolError, did_pool_refusal, number_pool_create
from customers.models import Customer, User
from dids.models import DID
from telephony.imports import (
    Chunk,
    ImportReport,
    Markup,
    PhoneResult,
    PhoneRowConsumer,
    SourceRow,
    Table,
    phone_normaliser,
    run_import,
)
from telephony.imports.jobs import (
    ImportJobError,
    UploadLimits,
    import_job_discard_abandoned,
    import_job_finish,
    import_job_mark_up,
    import_job_upload,
    open_job_table,
)
from telephony.imports.models import ImportJob
from telephony.imports.running import import_job_run

__all__ = [
    "FixResult",
    "PoolUploadReport",
    "pool_import_file",
    "pool_incorrect_number_dismiss",
    "pool_incorrect_number_fix",
    "pool_upload_save",
    "pool_upload_start",
]
# A file whose markup step was never saved is kept for a day.
ABANDONED_AFTER_SECONDS = 24 * 3600

_LETTERS = re.compile(r"[^\W\d_]")


@dataclass
class PoolUploadReport:
    rows: int = 0
    added: int = 0
    incorrect: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)


@dataclass
class FixResult:
    member: NumberPoolMember | None = None
    incorrect: NumberPoolIncorrectNumber | None = None


@dataclass
class _Entry:
    row_number: int
    raw: str
    e164: str | None  # None: the number itself is wrong (``reason`` says why)
    reason: str = ""


@dataclass
class _Verdicts:
    accepted: list[tuple[_Entry, DID]] = field(default_factory=list)
    rejected: list[tuple[_Entry, str, str]] = field(default_factory=list)  # (entry, code, message)


def max_upload_rows() -> int:
    return settings.POOLS_UPLOAD_MAX_ROWS


def upload_limits() -> UploadLimits:
    return UploadLimits(max_bytes=settings.POOLS_UPLOAD_MAX_BYTES, max_rows=max_upload_rows())


class _Judge:
    """Turns entries into members or reasons; the same rules for uploads and fixes."""

    def __init__(self, pool: NumberPool, region: str):
        self.pool = pool
        self.country_code = str(phonenumbers.country_code_for_region(region))
        self.seen: dict[str, int] = {}  # E.164 → the row where it first appeared
        self.in_pool: set[str] | None = None
        self.tracking: dict[int, str] = {}  # DID id → the call-tracking pool it serves, for the current entries

    def _inventory_fallback(self, raw: str) -> str | None:
        """The E.164 form ``raw`` would have as a DID number, for numbers phonenumbers refuses."""
        if _LETTERS.search(raw):
            return None
        digits = re.sub(r"\D", "", raw)
        if raw.strip().startswith("+"):
            pass
        elif digits.startswith("00"):
            digits = digits[2:]
        elif digits.startswith("0"):
            digits = self.country_code + digits[1:]
        return "+" + digits if 3 <= len(digits) <= 15 and not digits.startswith("0") else None

    def judge(self, entries: list[_Entry]) -> _Verdicts:
        verdicts = _Verdicts()
        fallback = {id(e): self._inventory_fallback(e.raw) for e in entries if e.e164 is None}
        wanted = {e.e164 for e in entries if e.e164} | {n for n in fallback.values() if n}
        dids = {d.number: d for d in DID.objects.filter(number__in=wanted).select_related("customer")}
        self.tracking = tracking_pools_serving(d.pk for d in dids.values())
        if self.in_pool is None:
            self.in_pool = set(self.pool.members.values_list("did__number", flat=True))
        in_pool = self.in_pool
        for entry in entries:
            number = entry.e164
            if number is None:
                candidate = fallback[id(entry)]
                if candidate is not None and candidate in dids:
                    entry.e164 = number = candidate
                else:
                    code = (
                        IncorrectReason.NOT_A_NUMBER
                        if _LETTERS.search(entry.raw) or not re.search(r"\d", entry.raw)
                        else IncorrectReason.INVALID_FOR_COUNTRY
                    )
                    verdicts.rejected.append((entry, code, _sentence(entry.reason)))
                    continue
            verdicts_for = self._judge_number(entry, number, in_pool, dids.get(number))
            if isinstance(verdicts_for, DID):
                verdicts.accepted.append((entry, verdicts_for))
                in_pool.add(number)
            else:
                verdicts.rejected.append((entry, *verdicts_for))
        return verdicts

    def _judge_number(self, entry: _Entry, number: str, in_pool: set[str], did: DID | None) -> DID | tuple[str, str]:
        if number in self.seen:
            return IncorrectReason.DUPLICATE, f"{number} appears earlier in the file (row {self.seen[number]})."
        self.seen[number] = entry.row_number
        if number in in_pool:
            return IncorrectReason.DUPLICATE, f"{number} is already in this pool."
        if did is None:
            return IncorrectReason.NOT_A_DID, f"{number} is not a DID of the inventory."
        refusal = did_pool_refusal(self.pool, did, tracking=self.tracking)
        if refusal:
            code = IncorrectReason.NOT_PLATFORMS if self.pool.is_global else IncorrectReason.NOT_CUSTOMERS
            return code, refusal
        return did


def _sentence(reason: str) -> str:
    reason = reason.strip() or "not a phone number"
    return reason[0].upper() + reason[1:] + ("" if reason.endswith(".") else ".")


class _PoolRowConsumer(PhoneRowConsumer):
    """The import engine's consumer: the engine normalises and dedupes, the judge decides membership."""

    def __init__(self, markup: Markup, judge: _Judge):
        super().__init__(markup, time_zones=False)
        self.judge = judge
        self.accepted: list[tuple[_Entry, DID]] = []
        self.rejected: list[tuple[_Entry, str, str]] = []

    def accept(self, row: SourceRow, phone: PhoneResult) -> _Entry:
        return _Entry(row.number, row.cell(self.phone_column), phone.e164)

    def write_chunk(self, chunk: Chunk) -> None:
        entries = [record for _row, record in chunk.correct]
        entries += [_Entry(row.number, row.cell(self.phone_column), None, reason) for row, reason in chunk.incorrect]
        # Duplicates of this file: the judge knows where each number was first seen.
        entries += [_Entry(row.number, record.raw, record.e164) for row, record in chunk.duplicates]
        entries.sort(key=lambda e: e.row_number)
        verdicts = self.judge.judge(entries)
        self.accepted += verdicts.accepted
        self.rejected += verdicts.rejected


def _append_members(pool: NumberPool, dids: list[DID]) -> list[NumberPoolMember]:
    start = (pool.members.aggregate(top=Max("position"))["top"] or 0) + 1
    members = [NumberPoolMember(pool=pool, did=did, position=start + i) for i, did in enumerate(dids)]
    return NumberPoolMember.objects.bulk_create(members)


def _locked(pool: NumberPool) -> NumberPool:
    return NumberPool.objects.select_for_update(of=("self",)).select_related("customer").get(pk=pool.pk)


@transaction.atomic
def pool_import_file(
    *, pool: NumberPool, table: Table, markup: Markup, max_rows: int | None = None
) -> PoolUploadReport:
    """Fill ``pool`` from ``table`` (see the module docstring)."""
    locked = _locked(pool)  # positions and duplicates are judged against a pool nobody else changes
    consumer = _PoolRowConsumer(markup, _Judge(locked, markup.default_region))
    engine_report = run_import(table, markup, consumer, max_rows=max_rows or max_upload_rows())
    _append_members(locked, [did for _entry, did in consumer.accepted])
    NumberPoolIncorrectNumber.objects.bulk_create(
        NumberPoolIncorrectNumber(
            pool=locked,
            row_number=entry.row_number,
            raw=entry.raw[:200],
            default_region=markup.default_region,
            reason=code,
            message=message[:300],
        )
        for entry, code, message in consumer.rejected
    )
    by_reason: dict[str, int] = {}
    for _entry, code, _message in consumer.rejected:
        by_reason[code] = by_reason.get(code, 0) + 1
    return PoolUploadReport(
        rows=engine_report.rows, added=len(consumer.accepted), incorrect=len(consumer.rejected), by_reason=by_reason
    )


@transaction.atomic
def pool_incorrect_number_fix(*, incorrect: NumberPoolIncorrectNumber, raw: str) -> FixResult:
    """Judge the corrected ``raw``; a good number joins the pool and leaves the incorrect ones."""
    raw = (raw or "").strip()
    if not raw:
        raise PoolError("Type the corrected number.")
    if len(raw) > 200:
        raise PoolError("The number is longer than 200 characters.")
    row = NumberPoolIncorrectNumber.objects.select_for_update().filter(pk=incorrect.pk).first()
    if row is None:
        raise PoolError("This incorrect number was already fixed or dismissed.")
    pool = _locked(row.pool)
    phone = phone_normaliser(row.default_region, time_zone=False)(raw)
    entry = _Entry(row.row_number, raw, phone.e164, phone.reason)
    verdicts = _Judge(pool, row.default_region).judge([entry])
    if verdicts.accepted:
        (member,) = _append_members(pool, [verdicts.accepted[0][1]])
        row.delete()
        return FixResult(member=member)
    _entry, code, message = verdicts.rejected[0]
    row.raw, row.reason, row.message = raw, code, message[:300]
    row.save(update_fields=["raw", "reason", "message", "updated_at"])
    return FixResult(incorrect=row)


@transaction.atomic
def pool_incorrect_number_dismiss(*, incorrect: NumberPoolIncorrectNumber) -> None:
    NumberPoolIncorrectNumber.objects.filter(pk=incorrect.pk).delete()


# --- "+ Add from file": the upload's lifecycle on the import engine --------------------


def pool_upload_start(
    *,
    name: str,
    pool_type: str,
    customer: Customer | None,
    is_global: bool,
    upload: IO[bytes],
    filename: str,
    user: User | None = None,
) -> PoolUpload:
    """Keep the file as a draft job with the pool's fields; the pool is made when the markup is saved."""
    import_job_discard_abandoned(kind=ImportJob.Kind.CALLERID_POOL, older_than_seconds=ABANDONED_AFTER_SECONDS)
    try:
        with transaction.atomic():
            job = import_job_upload(
                kind=ImportJob.Kind.CALLERID_POOL,
                upload=upload,
                filename=filename,
                limits=upload_limits(),
                customer=customer,
                created_by=user,
            )
            return PoolUpload.objects.create(
                job=job, name=name, pool_type=pool_type, customer=customer, is_global=is_global
            )
    except ImportJobError as exc:
        raise PoolError(str(exc)) from None


def pool_upload_save(*, pool_upload: PoolUpload, markup: Markup) -> PoolUploadReport:
    """Mark the upload up and run it now: the pool is created and filled, or ``PoolError`` says why not."""
    try:
        import_job_mark_up(job=pool_upload.job, markup=markup)
    except ImportJobError as exc:
        raise PoolError(str(exc)) from None
    job = import_job_run(job_id=pool_upload.job_id)
    pool_upload.refresh_from_db()
    if job is None or job.status != ImportJob.Status.DONE:
        raise PoolError(job.failure_reason if job is not None else "This upload is already being saved.")
    return PoolUploadReport(rows=job.rows_total, added=job.correct_count, incorrect=job.incorrect_count)


def run_pool_upload(job: ImportJob) -> None:
    """The ``callerid_pool`` kind's run: create the pool and fill it from the file, in one transaction."""
    pool_upload = PoolUpload.objects.select_related("customer").get(job=job)
    table = open_job_table(job, max_rows=max_upload_rows())
    try:
        with transaction.atomic():
            pool = number_pool_create(
                name=pool_upload.name,
                pool_type=pool_upload.pool_type,
                customer=pool_upload.customer,
                is_global=pool_upload.is_global,
            )
            report = pool_import_file(pool=pool, table=table, markup=job.get_markup())
            PoolUpload.objects.filter(pk=pool_upload.pk).update(pool=pool)
            finished = import_job_finish(
                job_id=job.pk, report=ImportReport(rows=report.rows, correct=report.added, incorrect=report.incorrect)
            )
            if not finished:
                transaction.set_rollback(True)
    except PoolError as exc:
        raise ImportJobError(str(exc)) from None
