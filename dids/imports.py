"""DID file import (CSV/XLS/XLSX) through the shared engine in ``telephony.imports``.

Upload (:func:`did_import_upload`) keeps the file as a draft after checking
it can be read; the markup (:func:`did_import_mark_up`) says which column is
the number, operator, status, tag and notes, with defaults for the missing
ones, and enqueues the Celery task, which runs :func:`did_import_run`.

Rows are read in chunks, each number parsed and classified like a typed one
(plausible unknown numbers are flagged unverified), existing numbers looked
up per chunk, and new DIDs staged (``COPY`` on PostgreSQL). Everything is
published in one transaction together with the status change to ``done`` and
the history rows, so an import lands whole or not at all.
"""

from __future__ import annotations

import logging
from typing import IO

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from dids import bulk
from dids.models import AFTER_HOLD_STATUSES, DIDImport, DIDImportIssue, DIDStatus, Operator
from dids.numbers import NumberError, classify, to_e164_digits
from telephony.imports import (
    PREVIEW_ROWS,
    Accepted,
    BulkWriter,
    Chunk,
    ImportFileError,
    Markup,
    Rejected,
    SourceRow,
    open_table,
    run_import,
)

logger = logging.getLogger(__name__)
Status = DIDImport.Status
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


def max_file_bytes() -> int:
    return getattr(settings, "DIDS_IMPORT_MAX_FILE_BYTES", 100 * 1024 * 1024)


def max_rows() -> int:
    return getattr(settings, "DIDS_IMPORT_MAX_ROWS", 1_000_000)


def did_import_upload(*, upload: IO[bytes], filename: str, user=None) -> DIDImport:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(0)
    if size > max_file_bytes():
        raise DIDImportError(f"{filename} is {size / 1_048_576:.1f} MB; at most {max_file_bytes() / 1_048_576:.0f} MB.")
    try:
        table = open_table(upload, filename=filename, preview_rows=PREVIEW_ROWS)
    except ImportFileError as exc:
        raise DIDImportError(str(exc)) from None
    if table.total_rows > max_rows() + 1:
        raise DIDImportError(f"{filename} has {table.total_rows:,} rows; at most {max_rows():,} a file.")
    upload.seek(0)
    did_import = DIDImport(
        original_filename=filename[:255], file_kind=table.kind, rows_total=table.total_rows, created_by=user
    )
    did_import.source_file.save(filename[-100:] or "upload", File(upload), save=False)
    did_import.save()
    return did_import


def did_import_preview(did_import: DIDImport, rows: int = 10) -> list[list[str]]:
    from telephony.imports import preview

    with did_import.source_file.open("rb") as source:
        return preview(open_table(source, filename=did_import.original_filename, preview_rows=rows), rows)


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
    from dids import tasks

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
        Markup(phone_column=phone_column, default_region=default_region, has_header=has_header)
    except ImportFileError as exc:
        raise DIDImportError(str(exc)) from None
    with transaction.atomic():
        started = DIDImport.objects.filter(pk=did_import.pk, status__in=[Status.DRAFT, Status.FAILED]).update(
            status=Status.PROCESSING,
            has_header=has_header,
            number_column=columns["number"],
            operator_column=columns.get("operator"),
            status_column=columns.get("status"),
            tag_column=columns.get("tag"),
            notes_column=columns.get("notes"),
            default_operator=default_operator,
            default_status=default_status,
            default_tag=default_tag.strip()[:64],
            default_region=default_region.upper(),
            failure_reason="",
            rows_read=0,
            import_started_at=None,
            finished_at=None,
        )
        if not started:
            did_import.refresh_from_db()
            raise DIDImportError(f"This import is {did_import.get_status_display()}; it cannot be marked up again.")
        if enqueue:
            # Celery's Django fixup makes every task a DjangoTask; the stubs type shared tasks as plain Tasks.
            tasks.dids_import.delay_on_commit(did_import.pk)  # type: ignore[attr-defined]
    did_import.refresh_from_db()
    return did_import


class _DIDConsumer:
    """Judges each row (number, operator, status, tag, notes) and stages the new DIDs."""

    def __init__(self, did_import: DIDImport, dids: BulkWriter, issues: BulkWriter, now) -> None:
        self.imp = did_import
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
        raw = self._cell(row, imp.number_column)
        if not raw:
            return Rejected("no number")
        try:
            parsed = classify(to_e164_digits(raw.lstrip("'"), imp.default_region), raw=raw)
        except NumberError as exc:
            return Rejected(str(exc))
        operator_id = imp.default_operator_id
        operator_name = self._cell(row, imp.operator_column)
        if operator_name:
            operator_id = self.operators.get(operator_name.lower())
            if operator_id is None:
                return Rejected(f"operator {operator_name!r} does not exist (create it first)")
        elif operator_id is None:
            return Rejected("no operator")
        status = imp.default_status
        status_text = self._cell(row, imp.status_column)
        if status_text:
            status = _STATUS_WORDS.get(status_text.lower().replace("_", " ").strip(), "")
            if not status:
                return Rejected(f"status {status_text!r}: an import creates In Stock, Reserved or Archive DIDs only")
        tag = self._cell(row, imp.tag_column) or imp.default_tag
        if len(tag) > 64:
            return Rejected("the tag is longer than 64 characters")
        notes = self._cell(row, imp.notes_column)
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
            (pk, row.number, DIDImportIssue.Kind.INCORRECT, self._cell(row, self.imp.number_column)[:200], reason[:300])
            for row, reason in chunk.incorrect
        ]
        issues += [
            (pk, row.number, DIDImportIssue.Kind.DUPLICATE, record[0], "the same number is on an earlier row")
            for row, record in chunk.duplicates
        ]
        self.issues.add_many(issues)


def did_import_run(*, import_id: int) -> DIDImport | None:
    """Import a marked-up file; safe to run twice (only the first run claims it)."""
    now = timezone.now()
    claimed = DIDImport.objects.filter(pk=import_id, status=Status.PROCESSING, import_started_at=None).update(
        import_started_at=now, rows_read=0
    )
    if not claimed:
        if DIDImport.objects.filter(pk=import_id, status=Status.PROCESSING).exists():
            _fail(import_id, "The import was interrupted (its worker stopped). Mark it up again to retry.")
        return None
    did_import = DIDImport.objects.select_related("created_by").get(pk=import_id)
    try:
        _run(did_import, now)
    except (ImportFileError, DIDImportError) as exc:
        _fail(import_id, str(exc))
    except SoftTimeLimitExceeded:
        _fail(import_id, "The import took longer than the time allowed and was stopped.")
    except IntegrityError:
        _fail(import_id, "Some numbers were created by someone else during the import; nothing was imported. Retry.")
    except Exception:
        logger.exception("DID import %s failed", import_id)
        _fail(import_id, "An unexpected error stopped the import; nothing was imported.")
    did_import.refresh_from_db()
    return did_import


def _run(did_import: DIDImport, now) -> None:
    markup = Markup(
        phone_column=did_import.number_column,
        default_region=did_import.default_region,
        has_header=did_import.has_header,
    )
    with did_import.source_file.open("rb") as source:
        table = open_table(source, filename=did_import.original_filename, max_rows=max_rows())

    def save_progress(done: int, total: int) -> None:
        DIDImport.objects.filter(pk=did_import.pk, status=Status.PROCESSING).update(
            rows_read=done, rows_total=max(done, total)
        )

    with bulk.writer() as dids, BulkWriter(DIDImportIssue, ISSUE_FIELDS) as issues:
        consumer = _DIDConsumer(did_import, dids, issues, now)
        report = run_import(
            table,
            markup,
            consumer,
            chunk_size=getattr(settings, "DIDS_IMPORT_CHUNK_ROWS", 10_000),
            max_rows=max_rows(),
            on_progress=save_progress,
        )
        with transaction.atomic():
            finished = DIDImport.objects.filter(pk=did_import.pk, status=Status.PROCESSING).update(
                status=Status.DONE,
                rows_read=report.rows,
                rows_total=report.rows,
                created_count=len(consumer.created),
                existing_count=consumer.existing,
                incorrect_count=report.incorrect,
                duplicate_count=report.duplicates,
                finished_at=timezone.now(),
            )
            if not finished:
                return
            dids.publish()
            issues.publish()
            bulk.write_history(
                consumer.created,
                user_id=did_import.created_by_id,
                reason=f"import #{did_import.pk} ({did_import.original_filename})"[:100],
                date=now,
            )


def _fail(import_id: int, reason: str) -> None:
    DIDImport.objects.filter(pk=import_id, status=Status.PROCESSING).update(
        status=Status.FAILED, failure_reason=reason[:2000], finished_at=timezone.now()
    )
