"""Do-not-call files on the import engine's one lifecycle (:mod:`telephony.imports.jobs`).

:func:`dnc_upload` stores the file as a job once it is known readable and
within ``DNC_UPLOAD_MAX_FILE_BYTES`` / ``DNC_UPLOAD_MAX_ROWS``, and marks it up
at once: a DNC file has one fixed layout (numbers in the first column; a
first row whose first cell holds no digit is a header and is skipped), so
there is no markup step to show. Numbers are read as the list import reads
them (``telephony.imports.phones``), national ones in the upload's default
country. A file of up to ``DNC_UPLOAD_INLINE_ROWS`` rows is run in the
request, so the answer carries its report; a larger one (or a spreadsheet
that does not declare its height) runs in a worker (``imports.run_job``).

The run (:func:`run_dnc_upload`, the ``dnc`` kind's) judges each row — a
number, or a prefix written ``prefix:+44870`` or ``+44870*`` — stages the new
entries and publishes them in one transaction together with the job turning
done and the upload's report, so a file lands whole or not at all. A failed
job's file is deleted with its failure (:func:`dnc_upload_failed`): a DNC
upload is not marked up again, it is uploaded again.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dnc.models import DncEntry, DncSource, DncUpload
from dnc.services import DncError, clean_number, number_reader
from telephony.imports import Accepted, BulkWriter, Chunk, Markup, Rejected, SourceRow
from telephony.imports.jobs import (
    ImportJobError,
    UploadLimits,
    import_job_delete,
    import_job_discard_file,
    import_job_finish,
    import_job_mark_up,
    import_job_progress,
    import_job_read,
    import_job_upload,
    open_job_table,
)
from telephony.imports.models import ImportJob
from telephony.imports.readers import preview
from telephony.imports.running import import_job_run
from telephony.imports.tasks import import_job_start
from telephony.imports.writer import SavingProgress

if TYPE_CHECKING:
    from customers.models import Customer, User

__all__ = ["dnc_upload", "dnc_upload_delete", "dnc_upload_failed", "run_dnc_upload"]

# The report keeps the first incorrect rows (the count covers them all).
MAX_REPORTED_ROWS = 1000
# Entries already on the list are looked up per chunk of this many rows.
CHUNK_ROWS = 5000
ENTRY_FIELDS = ["customer", "number", "is_prefix", "source", "added_by", "comment", "created_at"]


def looks_like_header(first_row: list[str]) -> bool:
    """A first row whose first cell holds no digit names the column ("Number", "phone") rather than one."""
    return not any(char.isdigit() for char in (first_row[0] if first_row else ""))


def upload_limits() -> UploadLimits:
    return UploadLimits(max_bytes=settings.DNC_UPLOAD_MAX_FILE_BYTES, max_rows=settings.DNC_UPLOAD_MAX_ROWS)


def dnc_upload(
    *,
    customer: Customer | None,
    upload: IO[bytes],
    filename: str,
    added_by: User | None = None,
    default_region: str = "GB",
) -> DncUpload:
    """Add the numbers of a file to the customer's list (``customer=None``: the platform's);
    numbers without a country code are read in ``default_region``.

    Returns the upload: ``ready`` with its report when it was small enough to
    run here, else ``processing`` (a worker runs it after commit). Raises
    :class:`DncError` naming what is wrong with a file that is refused or fails here.
    """
    first_rows: list[list[str]] = []
    try:
        with transaction.atomic():
            job = import_job_upload(
                kind=ImportJob.Kind.DNC,
                upload=upload,
                filename=filename,
                limits=upload_limits(),
                customer=customer,
                created_by=added_by,
                check=lambda table: first_rows.extend(preview(table, 1)),
            )
            record = DncUpload.objects.create(job=job)
            markup = Markup(
                phone_column=0,
                default_region=default_region,
                has_header=bool(first_rows) and looks_like_header(first_rows[0]),
            )
            import_job_mark_up(job=job, markup=markup)
            inline = 0 < job.rows_total <= settings.DNC_UPLOAD_INLINE_ROWS
            if not inline:
                import_job_start(job)
    except ImportJobError as exc:
        raise DncError(str(exc)) from None
    if inline:
        import_job_run(job_id=job.pk)
        record = DncUpload.objects.select_related("job__customer").get(pk=record.pk)
        if record.job.status == ImportJob.Status.FAILED:
            raise DncError(record.job.failure_reason)
    return record


class _DncConsumer:
    """Judges each row as a number or prefix and stages the entries not on the list yet."""

    def __init__(self, upload: DncUpload, entries: BulkWriter, region: str) -> None:
        job = upload.job
        self.normalise = number_reader(region)
        self.customer = job.customer
        self.customer_id = job.customer_id
        self.added_by_id = job.created_by_id
        self.entries = entries
        self.now = timezone.now()
        self.added = 0
        self.already = 0
        self.incorrect_rows: list[dict[str, object]] = []

    def classify(self, row: SourceRow) -> Accepted | Rejected:
        raw = row.cell(0).strip()
        if raw.lower().startswith("prefix:") or raw.endswith("*"):
            value = raw[7:] if raw.lower().startswith("prefix:") else raw.rstrip("*")
            try:
                prefix = clean_number(value, is_prefix=True)
            except DncError as exc:
                return Rejected(str(exc))
            return Accepted(prefix, (prefix, True))
        # The list import's reading and reasons, so one number is judged alike on either page.
        result = self.normalise(raw)
        if result.e164 is None:
            return Rejected(result.reason)
        return Accepted(result.e164, (result.e164, False))

    def write_chunk(self, chunk: Chunk) -> None:
        numbers = [number for _row, (number, _prefix) in chunk.correct]
        listed = set(
            DncEntry.objects.filter(customer=self.customer, number__in=numbers).values_list("number", flat=True)
        )
        new = [
            (self.customer_id, number, is_prefix, DncSource.UPLOAD, self.added_by_id, "", self.now)
            for _row, (number, is_prefix) in chunk.correct
            if number not in listed
        ]
        self.entries.add_many(new)
        self.added += len(new)
        self.already += len(chunk.correct) - len(new) + len(chunk.duplicates)
        room = MAX_REPORTED_ROWS - len(self.incorrect_rows)
        self.incorrect_rows += [
            {"row": row.number, "value": row.cell(0).strip(), "reason": reason}
            for row, reason in chunk.incorrect[:room]
        ]


def run_dnc_upload(job: ImportJob) -> None:
    """The ``dnc`` kind's run: read the job's file into the list, then finish the job with the report."""
    upload = DncUpload.objects.select_related("job__customer").get(job=job)
    markup = Markup.from_dict(job.markup)
    table = open_job_table(job, max_rows=settings.DNC_UPLOAD_MAX_ROWS)

    # Another upload or an opt-out may add a number meanwhile: the first entry stays.
    with BulkWriter(DncEntry, ENTRY_FIELDS, ignore_conflicts=True) as entries:
        consumer = _DncConsumer(upload, entries, markup.default_region)
        report = import_job_read(
            job, table, markup, consumer, chunk_size=CHUNK_ROWS, max_rows=settings.DNC_UPLOAD_MAX_ROWS
        )
        import_job_progress(job.pk, phase=ImportJob.Phase.SAVING, rows_saved=0, rows_to_save=consumer.added)
        with (
            SavingProgress(ImportJob, job.pk, while_status=ImportJob.Status.PROCESSING) as saving,
            transaction.atomic(),
        ):
            # Published before the job row is touched: the progress goes through
            # another connection, which must not wait for a lock this transaction holds.
            entries.publish(saving.report)
            finished = import_job_finish(job_id=job.pk, report=report)
            if not finished:
                # Failed meanwhile (say, reaped as stalled): nothing of this run is kept.
                transaction.set_rollback(True)
                return
            DncUpload.objects.filter(pk=upload.pk).update(
                added_count=consumer.added,
                already_listed_count=consumer.already,
                incorrect_rows=consumer.incorrect_rows,
            )


def dnc_upload_failed(job_id: int, reason: str) -> None:
    """The ``dnc`` kind's failure hook: the file goes (in the failing transaction, deleted after commit)."""
    import_job_discard_file(ImportJob.objects.get(pk=job_id))


def dnc_upload_delete(*, upload: DncUpload) -> None:
    """Forget an upload (its job and, after commit, its stored file); the entries it added stay listed."""
    with transaction.atomic():
        import_job_delete(job=upload.job)
