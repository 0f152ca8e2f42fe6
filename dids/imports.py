"""DID file import (CSV/XLS/XLSX) on the import engine's one lifecycle (:mod:`telephony.imports.jobs`).

Upload (:func:`did_import_upload`) stores the file as a draft job after
checking it can be read; the markup (:func:`did_import_mark_up`) says which
column is the number, operator, status, tag and notes, with defaults for the
missing ones, and starts the job; the job's run is :func:`run_did_import`
(registered for the ``dids`` kind in ``DidsConfig.ready``).

Rows are read in chunks, each number parsed and classified like a typed one
(plausible unknown numbers are flagged unverified), existing numbers looked
up per chunk, and new DIDs staged (``COPY`` on PostgreSQL). Everything is
published in one transaction together with the job turning ``done`` and
the history rows, so an import lands whole or not at all.
"""

from __future__ import annotations

import datetime
from typing import IO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from dids import bulk
from dids.models import AFTER_HOLD_STATUSES, DIDImport, DIDImportIssue, DIDStatus, Operator
from dids.numbers import NumberError, classify, to_e164_digits
from telephony.imports import (
    Accepted,
    BulkWriter,
    Chunk,
    ImportFileError,
    Markup,
    Rejected,
    SourceRow,
)
from telephony.imports.jobs import (
    ImportJobError,
    UploadLimits,
    import_job_finish,
    import_job_mark_up,
    import_job_read,
    import_job_upload,
    open_job_table,
)
from telephony.imports.models import ImportJob
from telephony.imports.running import import_job_run
from telephony.imports.selectors import import_job_preview
from telephony.imports.tasks import import_job_start

Status = ImportJob.Status
ROLES = ("number", "operator", "status", "tag", "notes")
ISSUE_FIELDS = ["did_import", "row_number", "kind", "raw", "reason"]
_STATUS_WORDS = {
    **{s.value: s.value for s in AFTER_HOLD_STATUSES},
    **{s.label.lower(): s.value for s in AFTER_HOLD_STATUSES},
    "in stock": DIDStatus.IN_STOCK.value,
    "instock": DIDStatus.IN_STOCK.value,
    "stock": DIDStatus.IN_STOCK.value,
}


class DIDImportError(Exception):
    """A refused upload or markup, with a message for the person who asked."""


def upload_limits() -> UploadLimits:
    return UploadLimits(max_bytes=settings.DIDS_IMPORT_MAX_FILE_BYTES, max_rows=settings.DIDS_IMPORT_MAX_ROWS)


def did_import_upload(*, upload: IO[bytes], filename: str, user=None) -> DIDImport:
    try:
        with transaction.atomic():
            job = import_job_upload(
                kind=ImportJob.Kind.DIDS, upload=upload, filename=filename, limits=upload_limits(), created_by=user
            )
            return DIDImport.objects.create(job=job)
    except ImportJobError as exc:
        raise DIDImportError(str(exc)) from None


def did_import_preview(did_import: DIDImport, rows: int = 10) -> list[list[str]]:
    return import_job_preview(did_import.job, rows)


def did_import_mark_up(
    *,
    did_import: DIDImport,
    columns: dict[str, int | None],
    has_header: bool,
    default_operator: Operator | None,
    default_status: str = DIDStatus.IN_STOCK,
    default_tag: str = "",
    default_region: str = "GB",
    enqueue: bool = True,
) -> DIDImport:
    """Save the markup and start the import in the background (after commit)."""
    phone_column = columns.get("number")
    if phone_column is None:
        raise DIDImportError("Choose the column that holds the numbers.")
    chosen = [(role, index) for role, index in columns.items() if index is not None]
    used = [index for _role, index in chosen]
    if len(used) != len(set(used)):
        raise DIDImportError("Each column can have only one role.")
    if columns.get("operator") is None and default_operator is None:
        raise DIDImportError("Choose the operator column, or an operator for every row.")
    if default_status not in AFTER_HOLD_STATUSES:
        raise DIDImportError("An import creates In Stock, Reserved or Archive DIDs only.")
    try:
        markup = Markup(
            phone_column=phone_column,
            default_region=default_region,
            has_header=has_header,
            extra={role: index for role, index in chosen if role != "number"},
        )
    except ImportFileError as exc:
        raise DIDImportError(str(exc)) from None
    with transaction.atomic():
        try:
            import_job_mark_up(job=did_import.job, markup=markup)
        except ImportJobError as exc:
            raise DIDImportError(str(exc)) from None
        DIDImport.objects.filter(pk=did_import.pk).update(
            default_operator=default_operator,
            default_status=default_status,
            default_tag=default_tag.strip()[:64],
            created_count=0,
            existing_count=0,
        )
        if enqueue:
            import_job_start(did_import.job)
    did_import.refresh_from_db()
    did_import.job.refresh_from_db()
    return did_import


class _DIDConsumer:
    """Judges each row (number, operator, status, tag, notes) and stages the new DIDs."""

    def __init__(
        self, did_import: DIDImport, markup: Markup, dids: BulkWriter, issues: BulkWriter, now: datetime.datetime
    ) -> None:
        self.imp = did_import
        self.region = markup.default_region
        self.number_column = markup.phone_column
        self.operator_column = markup.extra.get("operator")
        self.status_column = markup.extra.get("status")
        self.tag_column = markup.extra.get("tag")
        self.notes_column = markup.extra.get("notes")
        self.dids = dids
        self.issues = issues
        self.now = now
        self.created: list[str] = []
        self.existing = 0
        self.operators = {name.lower(): pk for pk, name in Operator.objects.values_list("pk", "name")}

    def _cell(self, row: SourceRow, index: int | None) -> str:
        return row.cell(index).strip() if index is not None else ""

    def classify(self, row: SourceRow) -> Accepted | Rejected:
        imp = self.imp
        raw = self._cell(row, self.number_column)
        if not raw:
            return Rejected("no number")
        try:
            parsed = classify(to_e164_digits(raw.lstrip("'"), self.region), raw=raw)
        except NumberError as exc:
            return Rejected(str(exc))
        operator_id = imp.default_operator_id
        operator_name = self._cell(row, self.operator_column)
        if operator_name:
            operator_id = self.operators.get(operator_name.lower())
            if operator_id is None:
                return Rejected(f"operator {operator_name!r} does not exist (create it first)")
        elif operator_id is None:
            return Rejected("no operator")
        status = imp.default_status
        status_text = self._cell(row, self.status_column)
        if status_text:
            status = _STATUS_WORDS.get(status_text.lower().replace("_", " ").strip(), "")
            if not status:
                return Rejected(f"status {status_text!r}: an import creates In Stock, Reserved or Archive DIDs only")
        tag = self._cell(row, self.tag_column) or imp.default_tag
        if len(tag) > 64:
            return Rejected("the tag is longer than 64 characters")
        notes = self._cell(row, self.notes_column)
        record = next(
            bulk.rows_for(
                [parsed],
                operator_id=operator_id,
                status=status,
                after_hold_status=DIDStatus.IN_STOCK,
                tag=tag,
                notes=notes,
                now=self.now,
            )
        )
        return Accepted(parsed.number, record)

    def write_chunk(self, chunk: Chunk) -> None:
        numbers = [record[0] for _row, record in chunk.correct]
        existing = bulk.existing_numbers(numbers)
        new = [record for _row, record in chunk.correct if record[0] not in existing]
        self.dids.add_many(new)
        self.created += [record[0] for record in new]
        self.existing += len(chunk.correct) - len(new)
        pk = self.imp.pk
        issues = [
            (pk, row.number, DIDImportIssue.Kind.EXISTING, record[0], "already in the inventory, left unchanged")
            for row, record in chunk.correct
            if record[0] in existing
        ]
        issues += [
            (pk, row.number, DIDImportIssue.Kind.INCORRECT, self._cell(row, self.number_column)[:200], reason[:300])
            for row, reason in chunk.incorrect
        ]
        issues += [
            (pk, row.number, DIDImportIssue.Kind.DUPLICATE, record[0], "the same number is on an earlier row")
            for row, record in chunk.duplicates
        ]
        self.issues.add_many(issues)


def did_import_run(*, import_id: int) -> DIDImport | None:
    """Run a marked-up import here and now (tests and old queued tasks); safe to run twice."""
    did_import = DIDImport.objects.filter(pk=import_id).first()
    if did_import is None:
        return None
    if import_job_run(job_id=did_import.job_id) is None:
        return None
    return DIDImport.objects.select_related("job").get(pk=import_id)


def run_did_import(job: ImportJob) -> None:
    """The ``dids`` kind's run: read the job's file into new DIDs, issues and history rows."""
    did_import = DIDImport.objects.select_related("job").get(job=job)
    try:
        _run(did_import, job, timezone.now())
    except IntegrityError:
        raise DIDImportError(
            "Some numbers were created by someone else during the import; nothing was imported. Retry."
        ) from None


def _run(did_import: DIDImport, job: ImportJob, now: datetime.datetime) -> None:
    markup = job.get_markup()
    table = open_job_table(job, max_rows=settings.DIDS_IMPORT_MAX_ROWS)
    with bulk.writer() as dids, BulkWriter(DIDImportIssue, ISSUE_FIELDS) as issues:
        consumer = _DIDConsumer(did_import, markup, dids, issues, now)
        report = import_job_read(
            job,
            table,
            markup,
            consumer,
            chunk_size=settings.DIDS_IMPORT_CHUNK_ROWS,
            max_rows=settings.DIDS_IMPORT_MAX_ROWS,
        )
        with transaction.atomic():
            finished = import_job_finish(
                job_id=job.pk,
                rows=report.rows,
                correct=report.correct,
                incorrect=report.incorrect,
                duplicates=report.duplicates,
            )
            if not finished:
                return
            DIDImport.objects.filter(pk=did_import.pk).update(
                created_count=len(consumer.created), existing_count=consumer.existing
            )
            dids.publish()
            issues.publish()
            bulk.write_history(
                consumer.created,
                user_id=job.created_by_id,
                reason=f"import #{did_import.pk} ({job.original_filename})"[:100],
                date=now,
            )
