"""Every write to an :class:`ImportJob`: upload, markup, claim, progress, finish, fail, cleanup.

The apps that import files (distribution lists, DIDs, caller-ID pools, do-not-call lists) call these and keep
only what their kind adds: their own record, their rows, their checks.
Starting the background run is :func:`telephony.imports.tasks.import_job_start`
(the task module imports this one, never the other way round).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from .errors import ImportFileError
from .kinds import kind_of
from .markup import Markup
from .models import ImportJob
from .pipeline import ImportReport, RowConsumer, run_import
from .readers import PREVIEW_ROWS, Table, open_table

logger = logging.getLogger(__name__)
Status = ImportJob.Status
Phase = ImportJob.Phase

# The one table of allowed moves: a failed job may be marked up again, done is final.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.PROCESSING}),
    Status.PROCESSING: frozenset({Status.DONE, Status.FAILED}),
    Status.FAILED: frozenset({Status.PROCESSING}),
    Status.DONE: frozenset(),
}
INTERRUPTED = "The import was interrupted (the worker processing it stopped). Please try again."


class ImportJobError(Exception):
    """A refused upload or markup, with a message for the person who asked."""


# The extensions of the files the import engine reads (``readers.open_table``).
SPREADSHEET_EXTENSIONS = ("csv", "txt", "tsv", "xls", "xlsx", "ods")


@dataclass(frozen=True)
class UploadLimits:
    """What a kind accepts: a size, a number of rows and the file extensions (lower case, without the
    dot); a file named with none is read by its content alone."""

    max_bytes: int
    max_rows: int
    extensions: tuple[str, ...] = SPREADSHEET_EXTENSIONS


def type_names(extensions: tuple[str, ...]) -> str:
    """File types in words: ``("csv", "xls", "xlsx")`` → "CSV, XLS or XLSX"."""
    names = [extension.upper() for extension in extensions]
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else "".join(names)


def _refuse_extension(filename: str, limits: UploadLimits) -> None:
    """An extension the kind does not take is refused before the file is read, whatever it holds;
    for the accepted ones the content decides the type (``readers.open_table``)."""
    stem, dot, extension = filename.rpartition(".")
    if not dot or not stem or extension.lower() in limits.extensions:
        return
    raise ImportJobError(f"{filename} is a .{extension} file; upload a {type_names(limits.extensions)} file.")


def import_job_transition(job_id: int, *, to: str, **changes: Any) -> bool:
    """Move the job to ``to`` from any status allowed to go there (compare-and-set); ``False`` when none matched."""
    sources = [source for source, targets in TRANSITIONS.items() if to in targets]
    return bool(ImportJob.objects.filter(pk=job_id, status__in=sources).update(status=to, **changes))


def _size_of(upload: IO[bytes]) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(0)
    return size


def import_job_upload(
    *,
    kind: str,
    upload: IO[bytes],
    filename: str,
    limits: UploadLimits,
    customer: Any = None,
    created_by: Any = None,
    check: Callable[[Table], None] | None = None,
) -> ImportJob:
    """Store an uploaded file as a draft job once it is known readable and within ``limits``
    (its extension one they name, its size and its rows).

    ``check(table)`` may refuse the file for reasons of its kind (raise
    :class:`ImportJobError`). Save the job inside the caller's transaction
    when the caller creates its own record with it.
    """
    _refuse_extension(filename, limits)
    size = _size_of(upload)
    if size > limits.max_bytes:
        raise ImportJobError(
            f"{filename} is {size / 1_048_576:.1f} MB; files up to {limits.max_bytes / 1_048_576:.0f} MB are accepted."
        )
    try:
        table = open_table(upload, filename=filename, preview_rows=PREVIEW_ROWS)
    except ImportFileError as exc:
        raise ImportJobError(str(exc)) from None
    if table.total_rows > limits.max_rows + 1:
        raise ImportJobError(
            f"{filename} has {table.total_rows:,} rows; files of up to {limits.max_rows:,} rows are accepted."
        )
    if check is not None:
        check(table)
    upload.seek(0)
    job = ImportJob(
        kind=kind,
        customer=customer,
        created_by=created_by,
        original_filename=filename[:255],
        file_kind=table.kind,
        rows_total=table.total_rows,
    )
    job.source_file.save(filename[-100:] or "upload", File(upload), save=False)
    job.save()
    return job


def import_job_mark_up(*, job: ImportJob, markup: Markup) -> None:
    """Save the markup and make the job ``processing`` (start it with ``tasks.import_job_start``)."""
    started = import_job_transition(
        job.pk,
        to=Status.PROCESSING,
        markup=markup.as_dict(),
        failure_reason="",
        phase="",
        rows_read=0,
        rows_to_save=0,
        rows_saved=0,
        correct_count=0,
        incorrect_count=0,
        duplicate_count=0,
        started_at=None,
        progress_updated_at=timezone.now(),
        finished_at=None,
    )
    if not started:
        job.refresh_from_db()
        raise ImportJobError(f"This import is {job.get_status_display()}; it cannot be marked up again.")
    job.refresh_from_db()


def import_job_claim(job_id: int) -> ImportJob | None:
    """The job for the one worker that runs it; ``None`` when there is nothing (more) to do.

    A job found claimed but still processing is a redelivery after its
    worker died: it is failed with a reason rather than run twice.
    """
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=Status.PROCESSING, started_at=None).update(
        started_at=now, progress_updated_at=now, rows_read=0, phase=Phase.READING
    )
    if not claimed:
        if ImportJob.objects.filter(pk=job_id, status=Status.PROCESSING).exists():
            import_job_fail(job_id=job_id, reason=INTERRUPTED)
        return None
    return ImportJob.objects.select_related("created_by").get(pk=job_id)


def import_job_progress(job_id: int, **progress: Any) -> None:
    """Save how far a processing job is: ``phase``, ``rows_read``, ``rows_total``, ``rows_to_save``, ``rows_saved``."""
    ImportJob.objects.filter(pk=job_id, status=Status.PROCESSING).update(progress_updated_at=timezone.now(), **progress)


def import_job_read(
    job: ImportJob, table: Table, markup: Markup, consumer: RowConsumer, *, chunk_size: int, max_rows: int
) -> ImportReport:
    """The checking phase: run the pipeline over the job's file, saving how many rows it has read as it goes."""
    rows_total = max(table.total_rows - int(markup.has_header), 0)  # an estimate until the rows are read
    import_job_progress(job.pk, phase=Phase.CHECKING, rows_read=0, rows_total=rows_total)

    def save_progress(done: int, total: int) -> None:
        import_job_progress(job.pk, rows_read=done, rows_total=max(done, total))

    return run_import(table, markup, consumer, chunk_size=chunk_size, max_rows=max_rows, on_progress=save_progress)


def import_job_finish(*, job_id: int, report: ImportReport) -> bool:
    """Mark the job done with its counts (in the transaction that publishes its rows); ``False`` if it was failed."""
    now = timezone.now()
    rows = report.rows
    finished = import_job_transition(
        job_id,
        to=Status.DONE,
        phase="",
        rows_read=rows,
        rows_total=rows,
        rows_saved=rows,
        correct_count=report.correct,
        incorrect_count=report.incorrect,
        duplicate_count=report.duplicates,
        finished_at=now,
        progress_updated_at=now,
    )
    if finished:
        import_job_discard_file(ImportJob.objects.get(pk=job_id))
    return finished


@transaction.atomic
def import_job_fail(*, job_id: int, reason: str) -> bool:
    """Mark a processing job failed (its staged rows were never published) and tell its kind."""
    job = ImportJob.objects.filter(pk=job_id).only("kind").first()
    if job is None:
        return False
    failed = import_job_transition(job_id, to=Status.FAILED, failure_reason=reason[:2000], finished_at=timezone.now())
    if failed:
        on_failed = kind_of(job.kind).failed
        if on_failed is not None:
            on_failed(job_id, reason[:2000])
    return failed


def import_job_reap_stalled(*, now: datetime | None = None) -> int:
    """Fail jobs whose run stopped reporting progress (its worker died); returns how many."""
    now = now or timezone.now()
    silent_since = now - timedelta(seconds=settings.IMPORT_STALLED_AFTER_SECONDS)
    stalled = list(
        ImportJob.objects.filter(
            status=Status.PROCESSING, started_at__isnull=False, progress_updated_at__lt=silent_since
        ).values_list("pk", flat=True)
    )
    return sum(import_job_fail(job_id=pk, reason=INTERRUPTED) for pk in stalled)


def import_job_discard_abandoned(*, kind: str, older_than_seconds: int, now: datetime | None = None) -> int:
    """Delete the drafts of ``kind`` nobody marked up for that long, and their files; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(seconds=older_than_seconds)
    abandoned = list(ImportJob.objects.filter(kind=kind, status=Status.DRAFT, created_at__lt=cutoff))
    for job in abandoned:
        import_job_delete(job=job)
    return len(abandoned)


def import_job_discard_file(job: ImportJob) -> None:
    """Delete the job's stored file once the transaction commits (a done job no longer needs it)."""
    if job.source_file.name:
        ImportJob.objects.filter(pk=job.pk).update(source_file="")
        _delete_file_on_commit(job)


def import_job_delete(*, job: ImportJob) -> None:
    """Delete a job and, after commit, its stored file."""
    _delete_file_on_commit(job)
    ImportJob.objects.filter(pk=job.pk).delete()


def _delete_file_on_commit(job: ImportJob) -> None:
    name, storage = job.source_file.name, job.source_file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def open_job_table(job: ImportJob, *, max_rows: int | None = None, preview_rows: int = 0) -> Table:
    """The stored file of ``job`` as a table (read now: the file is closed on return)."""
    with job.source_file.open("rb") as source:
        return open_table(source, filename=job.original_filename, max_rows=max_rows, preview_rows=preview_rows)
