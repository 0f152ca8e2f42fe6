"""Every write to distribution lists, their contacts and incorrect rows.

A list's upload runs on the import engine's one lifecycle
(:mod:`telephony.imports.jobs`): the list is created with its
:class:`ImportJob`, the markup starts the job, and the job's run calls
:func:`run_list_import` (registered for the ``distribution_list`` kind in
``DistributionListsConfig.ready``). The run stages rows while reading
(saving progress as it goes) and publishes them in one transaction with the
list turning ``ready``, so a list is either complete or has no rows at all.
"""

from __future__ import annotations

from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from customers.models import Customer, User
from distribution_lists.models import Contact, DistributionList, DuplicateRow, IncorrectRow
from telephony.imports import (
    BulkWriter,
    Chunk,
    ImportFileError,
    ImportReport,
    Markup,
    PhoneResult,
    PhoneRowConsumer,
    SourceRow,
    Table,
    normalise_phone,
    preview,
)
from telephony.imports.jobs import (
    ImportJobError,
    UploadLimits,
    import_job_delete,
    import_job_fail,
    import_job_finish,
    import_job_mark_up,
    import_job_progress,
    import_job_read,
    import_job_upload,
    open_job_table,
)
from telephony.imports.models import ImportJob
from telephony.imports.running import import_job_run
from telephony.imports.tasks import import_job_start
from telephony.imports.writer import SavingProgress

Status = DistributionList.Status
Phase = ImportJob.Phase

# The campaigns app points at lists with ``Campaign.distribution_list``
# (``related_name="campaigns"``); a list is in use while one of those is in
# one of these statuses.
CAMPAIGN_STATUSES_USING_LIST = ("launched", "paused")


class DistributionListError(Exception):
    """A refused change, with a message for the person who asked."""


class DistributionListNameError(DistributionListError):
    """The name is missing or already taken."""


def max_file_bytes() -> int:
    return settings.DISTRIBUTION_LIST_MAX_FILE_BYTES


def max_rows() -> int:
    return settings.DISTRIBUTION_LIST_MAX_ROWS


def upload_limits() -> UploadLimits:
    return UploadLimits(max_bytes=max_file_bytes(), max_rows=max_rows())


# --- Upload and markup -----------------------------------------------------------


def distribution_list_upload(
    *, customer: Customer, name: str, upload: IO[bytes], filename: str, created_by: User | None = None
) -> DistributionList:
    """Keep an uploaded file as a draft list after checking it can be read and is within the limits."""
    name = name.strip()
    if not name:
        raise DistributionListNameError("The list needs a name.")
    if DistributionList.objects.filter(customer=customer, name=name).exists():
        raise DistributionListNameError(f"You already have a list named “{name}”.")
    try:
        with transaction.atomic():
            job = _upload_job(customer, upload, filename, created_by)
            distribution_list = DistributionList.objects.create(
                customer=customer, name=name, job=job, created_by=created_by
            )
    except ImportJobError as exc:
        raise DistributionListError(str(exc)) from None
    except IntegrityError:
        raise DistributionListNameError(f"You already have a list named “{name}”.") from None
    return distribution_list


def _upload_job(customer: Customer, upload: IO[bytes], filename: str, created_by: User | None) -> ImportJob:
    return import_job_upload(
        kind=ImportJob.Kind.DISTRIBUTION_LIST,
        upload=upload,
        filename=filename,
        limits=upload_limits(),
        customer=customer,
        created_by=created_by,
        check=lambda table: _refuse_header_only(table, filename),
    )


def _refuse_header_only(table: Table, filename: str) -> None:
    """A file of one row and no phone number in it is a header without contacts: refuse it now, not at import."""
    rows = preview(table, 2)
    if not rows:
        raise ImportJobError(f"{filename} has no rows: add the contacts, one per row, and upload it again.")
    if len(rows) == 1 and not any(sum(ch.isdigit() for ch in cell) >= 7 for cell in rows[0]):
        header = ", ".join(cell for cell in rows[0] if cell.strip())[:200]
        raise ImportJobError(
            f"{filename} has a header row ({header}) and no contacts below it: "
            "add the contacts, one per row, and upload it again."
        )


def distribution_list_mark_up(
    *,
    distribution_list: DistributionList,
    has_header: bool,
    phone_column: int,
    column_names: list[str],
    default_region: str,
    enqueue: bool = True,
) -> DistributionList:
    """Save the markup and start the import in the background (after commit).

    ``enqueue=False`` leaves the import to the caller (the management command
    runs it in its own process).
    """
    try:
        markup = Markup(
            phone_column=phone_column,
            default_region=default_region,
            has_header=has_header,
            column_names=tuple(column_names),
        )
    except ImportFileError as exc:
        raise DistributionListError(str(exc)) from None
    with transaction.atomic():
        started = DistributionList.objects.filter(
            pk=distribution_list.pk, status__in=[Status.DRAFT, Status.FAILED], job__isnull=False
        ).update(
            status=Status.PROCESSING,
            phone_column=markup.phone_column,
            column_names=list(markup.column_names),
            default_region=markup.default_region,
            correct_count=0,
            incorrect_count=0,
            duplicate_count=0,
        )
        if not started:
            distribution_list.refresh_from_db()
            raise DistributionListError(
                f"“{distribution_list.name}” is {distribution_list.get_status_display()}; it cannot be marked up again."
            )
        distribution_list.refresh_from_db()
        job = distribution_list.job
        assert job is not None  # a list is created with its job
        try:
            import_job_mark_up(job=job, markup=markup)
        except ImportJobError as exc:
            raise DistributionListError(str(exc)) from None
        if enqueue:
            import_job_start(job)
    distribution_list.refresh_from_db()
    return distribution_list


# --- The import ----------------------------------------------------------------------


class _ListConsumer(PhoneRowConsumer):
    def __init__(
        self, markup: Markup, list_id: int, contacts: BulkWriter, incorrect: BulkWriter, duplicates: BulkWriter
    ) -> None:
        super().__init__(markup)
        self.list_id = list_id
        self.contacts = contacts
        self.incorrect = incorrect
        self.duplicates = duplicates
        self.named = [(i, name) for i, name in enumerate(markup.column_names) if name and i != markup.phone_column]

    def accept(self, row: SourceRow, phone: PhoneResult) -> tuple[Any, ...]:
        cells = row.cells
        width = len(cells)
        variables = {name: (cells[i] if i < width else "") for i, name in self.named}
        return (self.list_id, phone.e164, phone.time_zone, variables, row.number)

    def write_chunk(self, chunk: Chunk) -> None:
        self.contacts.add_many(record for _row, record in chunk.correct)
        phone_column = self.phone_column
        self.incorrect.add_many(
            (self.list_id, row.number, row.cell(phone_column), row.cells, reason) for row, reason in chunk.incorrect
        )
        repeats = chunk.repeats
        self.duplicates.add_many(
            (self.list_id, row.number, row.cell(phone_column), record[1], repeats[row.number], row.cells)
            for row, record in chunk.duplicates
        )


CONTACT_FIELDS = ["distribution_list", "phone", "time_zone", "variables", "row_number"]
INCORRECT_FIELDS = ["distribution_list", "row_number", "raw_phone", "cells", "reason"]
DUPLICATE_FIELDS = ["distribution_list", "row_number", "raw_phone", "phone", "first_row_number", "cells"]
# The saving phase reports its progress every so many rows.
SAVE_PROGRESS_ROWS = 50_000


def distribution_list_import(*, list_id: int) -> ImportReport | None:
    """Run the import of a list marked up for processing, here and now (the command and old queued tasks).

    ``None`` when there was nothing (more) to do; safe to run twice.
    """
    job_id = DistributionList.objects.filter(pk=list_id).values_list("job_id", flat=True).first()
    if job_id is None:
        return None
    job = import_job_run(job_id=job_id)
    if job is None or job.status != ImportJob.Status.DONE:
        return None
    return ImportReport(
        rows=job.rows_total, correct=job.correct_count, incorrect=job.incorrect_count, duplicates=job.duplicate_count
    )


def run_list_import(job: ImportJob) -> None:
    """The ``distribution_list`` kind's run: read the job's file into the list's rows, then make the list ready."""
    distribution_list = DistributionList.objects.filter(job=job, status=Status.PROCESSING).first()
    if distribution_list is None:
        return
    markup = job.get_markup()
    list_id = distribution_list.pk
    table = open_job_table(job, max_rows=max_rows())

    with (
        BulkWriter(Contact, CONTACT_FIELDS) as contacts,
        BulkWriter(IncorrectRow, INCORRECT_FIELDS) as incorrect,
        BulkWriter(DuplicateRow, DUPLICATE_FIELDS) as duplicates,
    ):
        consumer = _ListConsumer(markup, list_id, contacts, incorrect, duplicates)
        report = import_job_read(
            job, table, markup, consumer, chunk_size=settings.DISTRIBUTION_LIST_CHUNK_ROWS, max_rows=max_rows()
        )
        import_job_progress(job.pk, phase=Phase.SAVING, rows_saved=0, rows_to_save=report.rows)
        with (
            SavingProgress(ImportJob, job.pk, while_status=ImportJob.Status.PROCESSING) as saving,
            transaction.atomic(),
        ):
            # Published before the job row is touched: the progress goes
            # through another connection, which must not wait for a lock
            # this transaction holds.
            done = 0
            for writer in (contacts, incorrect, duplicates):

                def progress(rows: int, before: int = done) -> None:
                    saving.report(before + rows)

                done += writer.publish(progress, progress_rows=SAVE_PROGRESS_ROWS)
            finished = import_job_finish(job_id=job.pk, report=report)
            listed = DistributionList.objects.filter(pk=list_id, status=Status.PROCESSING).update(
                status=Status.READY,
                correct_count=report.correct,
                incorrect_count=report.incorrect,
                duplicate_count=report.duplicates,
            )
            if not (finished and listed):
                # Failed or deleted meanwhile: nothing of this run is kept.
                transaction.set_rollback(True)


def distribution_list_job_failed(job_id: int, reason: str) -> None:
    """The ``distribution_list`` kind's failure hook: the list fails with its job (same transaction)."""
    DistributionList.objects.filter(job_id=job_id, status=Status.PROCESSING).update(status=Status.FAILED)


def distribution_list_fail(*, list_id: int, reason: str) -> bool:
    """Fail a processing list's import (and so the list); its staged rows were never published."""
    job_id = DistributionList.objects.filter(pk=list_id).values_list("job_id", flat=True).first()
    return job_id is not None and import_job_fail(job_id=job_id, reason=reason)


# --- Incorrect rows -------------------------------------------------------------------


@transaction.atomic
def incorrect_row_fix(*, row: IncorrectRow, phone: str) -> Contact:
    """Replace the number of an incorrect row; a valid one turns the row into a contact at once."""
    distribution_list = DistributionList.objects.select_for_update().get(pk=row.distribution_list_id)
    if distribution_list.status != Status.READY:
        raise DistributionListError("Rows can be fixed once the list is ready.")
    result = normalise_phone(phone, distribution_list.default_region)
    if result.e164 is None:
        raise DistributionListError(result.reason[:1].upper() + result.reason[1:] + ".")
    existing = Contact.objects.filter(distribution_list=distribution_list, phone=result.e164).first()
    if existing is not None:
        raise DistributionListError(f"{result.e164} is already in this list (row {existing.row_number}).")
    cells = list(row.cells)
    phone_column = distribution_list.phone_column
    cells += [""] * (phone_column + 1 - len(cells))
    cells[phone_column] = phone
    variables = distribution_list.variables_of(cells)
    deleted, _ = IncorrectRow.objects.filter(pk=row.pk).delete()
    if not deleted:
        raise DistributionListError("This row was already fixed or removed.")
    contact = Contact.objects.create(
        distribution_list=distribution_list,
        phone=result.e164,
        time_zone=result.time_zone,
        variables=variables,
        row_number=row.row_number,
    )
    DistributionList.objects.filter(pk=distribution_list.pk).update(
        correct_count=F("correct_count") + 1, incorrect_count=F("incorrect_count") - 1
    )
    return contact


@transaction.atomic
def incorrect_row_delete(*, row: IncorrectRow) -> None:
    """Drop an incorrect row the customer does not want to fix."""
    DistributionList.objects.select_for_update().filter(pk=row.distribution_list_id).first()
    if IncorrectRow.objects.filter(pk=row.pk).delete()[0]:
        DistributionList.objects.filter(pk=row.distribution_list_id).update(incorrect_count=F("incorrect_count") - 1)


# --- Deletion ---------------------------------------------------------------------------


def campaigns_using(distribution_list: DistributionList) -> list[str]:
    """Names of the launched or paused campaigns that call this list (none until the campaigns app adds them)."""
    related = getattr(distribution_list, "campaigns", None)
    if related is None:
        return []
    return list(related.filter(status__in=CAMPAIGN_STATUSES_USING_LIST).values_list("name", flat=True)[:5])


@transaction.atomic
def distribution_list_delete(*, distribution_list: DistributionList) -> None:
    """Delete a list, its contacts and incorrect rows, and its file; refused while a campaign uses it."""
    locked = (
        DistributionList.objects.select_for_update(of=("self",))
        .select_related("job")
        .filter(pk=distribution_list.pk)
        .first()
    )
    if locked is None:
        return
    in_use = campaigns_using(locked)
    if in_use:
        names = ", ".join(f"“{name}”" for name in in_use)
        raise DistributionListError(
            f"“{locked.name}” cannot be deleted while a launched or paused campaign uses it: {names}."
        )
    job = locked.job
    # Its rows go by cascade, one DELETE a table without loading them (Django's
    # fast delete): what points at them does nothing on delete (campaign call
    # jobs keep their contact's id) and no signal listens. A test pins it.
    locked.delete()
    if job is not None:
        import_job_delete(job=job)
