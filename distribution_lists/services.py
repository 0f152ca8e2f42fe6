"""Every write to distribution lists, their contacts and incorrect rows.

The import itself is :func:`distribution_list_import`: the Celery task and
the ``import_distribution_list`` command both call it. It stages rows while
reading (saving progress as it goes) and publishes them in one transaction
with the status change to ``ready``, so a list is either complete or has no
rows at all.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import IO

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import File
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connections, transaction
from django.db.models import F
from django.utils import timezone

from customers.models import Customer, User
from distribution_lists.models import Contact, DistributionList, DuplicateRow, IncorrectRow
from telephony.imports import (
    PREVIEW_ROWS,
    BulkWriter,
    Chunk,
    ImportFileError,
    ImportReport,
    Markup,
    PhoneRowConsumer,
    normalise_phone,
    open_table,
    preview,
    run_import,
)

logger = logging.getLogger(__name__)
Status = DistributionList.Status
Phase = DistributionList.Phase

# The campaigns app points at lists with ``Campaign.distribution_list``
# (``related_name="campaigns"``); a list is in use while one of those is in
# one of these statuses. Until that app exists the relation is absent and no
# list is in use.
CAMPAIGN_STATUSES_USING_LIST = ("launched", "paused")


class DistributionListError(Exception):
    """A refused change, with a message for the person who asked."""


class DistributionListNameError(DistributionListError):
    """The name is missing or already taken."""


def max_file_bytes() -> int:
    return settings.DISTRIBUTION_LIST_MAX_FILE_BYTES


def max_rows() -> int:
    return settings.DISTRIBUTION_LIST_MAX_ROWS


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
    size = _size_of(upload)
    if size > max_file_bytes():
        raise DistributionListError(
            f"{filename} is {size / 1_048_576:.1f} MB; files up to {max_file_bytes() / 1_048_576:.0f} MB are accepted."
        )
    try:
        table = open_table(upload, filename=filename, preview_rows=PREVIEW_ROWS)
    except ImportFileError as exc:
        raise DistributionListError(str(exc)) from None
    if table.total_rows > max_rows() + 1:
        raise DistributionListError(
            f"{filename} has {table.total_rows:,} rows; lists of up to {max_rows():,} rows are accepted."
        )
    _refuse_header_only(table, filename)
    upload.seek(0)
    try:
        with transaction.atomic():
            distribution_list = DistributionList(
                customer=customer,
                name=name,
                original_filename=filename[:255],
                file_kind=table.kind,
                rows_total=table.total_rows,
                created_by=created_by,
            )
            distribution_list.source_file.save(filename[-100:] or "upload", File(upload), save=False)
            distribution_list.save()
    except IntegrityError:
        raise DistributionListNameError(f"You already have a list named “{name}”.") from None
    return distribution_list


def _refuse_header_only(table, filename: str) -> None:
    """A file of one row and no phone number in it is a header without contacts: refuse it now, not at import."""
    rows = preview(table, 2)
    if not rows:
        raise DistributionListError(f"{filename} has no rows: add the contacts, one per row, and upload it again.")
    if len(rows) == 1 and not any(sum(ch.isdigit() for ch in cell) >= 7 for cell in rows[0]):
        header = ", ".join(cell for cell in rows[0] if cell.strip())[:200]
        raise DistributionListError(
            f"{filename} has a header row ({header}) and no contacts below it: "
            "add the contacts, one per row, and upload it again."
        )


def _size_of(upload: IO[bytes]) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(0)
    return size


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
    from distribution_lists import tasks

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
            pk=distribution_list.pk, status__in=[Status.DRAFT, Status.FAILED]
        ).update(
            status=Status.PROCESSING,
            has_header=markup.has_header,
            phone_column=markup.phone_column,
            column_names=list(markup.column_names),
            default_region=markup.default_region,
            failure_reason="",
            rows_read=0,
            correct_count=0,
            incorrect_count=0,
            duplicate_count=0,
            import_phase="",
            rows_saved=0,
            rows_to_save=0,
            import_started_at=None,
            progress_updated_at=timezone.now(),
            finished_at=None,
        )
        if not started:
            distribution_list.refresh_from_db()
            raise DistributionListError(
                f"“{distribution_list.name}” is {distribution_list.get_status_display()}; it cannot be marked up again."
            )
        if enqueue:
            tasks.import_distribution_list.delay_on_commit(distribution_list.pk)
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

    def accept(self, row, phone):
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
    """Import a list marked up for processing; ``None`` when there was nothing (more) to do.

    Safe to run twice: only the first run claims the list. A run that finds
    the list claimed but still processing is a redelivery after its worker
    died, and fails the list with a reason rather than leave it half-done.
    """
    now = timezone.now()
    claimed = DistributionList.objects.filter(pk=list_id, status=Status.PROCESSING, import_started_at=None).update(
        import_started_at=now, progress_updated_at=now, rows_read=0, import_phase=Phase.READING
    )
    if not claimed:
        if DistributionList.objects.filter(pk=list_id, status=Status.PROCESSING).exists():
            distribution_list_fail(list_id=list_id, reason=INTERRUPTED)
        return None
    distribution_list = DistributionList.objects.get(pk=list_id)
    try:
        return _import(distribution_list)
    except ImportFileError as exc:
        distribution_list_fail(list_id=list_id, reason=str(exc))
    except SoftTimeLimitExceeded:
        distribution_list_fail(list_id=list_id, reason="The import took longer than the time allowed and was stopped.")
    except Exception:
        logger.exception("Import of distribution list %s failed", list_id)
        distribution_list_fail(list_id=list_id, reason="An unexpected error stopped the import. Please try again.")
    return None


INTERRUPTED = "The import was interrupted (the worker processing it stopped). Please upload the file again."


class _Abandoned(Exception):
    """The list stopped being ``processing`` (failed or deleted) while it was being read."""


def _import(distribution_list: DistributionList) -> ImportReport | None:
    markup = Markup(
        phone_column=distribution_list.phone_column,
        default_region=distribution_list.default_region,
        has_header=distribution_list.has_header,
        column_names=tuple(distribution_list.column_names),
    )
    list_id = distribution_list.pk
    processing = DistributionList.objects.filter(pk=list_id, status=Status.PROCESSING)
    with distribution_list.source_file.open("rb") as source:
        table = open_table(source, filename=distribution_list.original_filename, max_rows=max_rows())
    processing.update(
        import_phase=Phase.CHECKING,
        rows_read=0,
        rows_total=max(table.total_rows - int(markup.has_header), 0),
        progress_updated_at=timezone.now(),
    )

    def save_progress(done: int, total: int) -> None:
        processing.update(rows_read=done, rows_total=max(done, total), progress_updated_at=timezone.now())

    with (
        BulkWriter(Contact, CONTACT_FIELDS) as contacts,
        BulkWriter(IncorrectRow, INCORRECT_FIELDS) as incorrect,
        BulkWriter(DuplicateRow, DUPLICATE_FIELDS) as duplicates,
    ):
        consumer = _ListConsumer(markup, list_id, contacts, incorrect, duplicates)
        report = run_import(
            table,
            markup,
            consumer,
            chunk_size=settings.DISTRIBUTION_LIST_CHUNK_ROWS,
            max_rows=max_rows(),
            on_progress=save_progress,
        )
        processing.update(
            import_phase=Phase.SAVING, rows_saved=0, rows_to_save=report.rows, progress_updated_at=timezone.now()
        )
        try:
            with _SavingProgress(list_id) as saving, transaction.atomic():
                # Published before the list row is touched: the progress goes
                # through another connection, which must not wait for a lock
                # this transaction holds.
                done = 0
                for writer in (contacts, incorrect, duplicates):
                    done += writer.publish(
                        lambda rows, before=done: saving.report(before + rows), progress_rows=SAVE_PROGRESS_ROWS
                    )
                finished = processing.update(
                    status=Status.READY,
                    import_phase="",
                    rows_read=report.rows,
                    rows_total=report.rows,
                    rows_saved=report.rows,
                    correct_count=report.correct,
                    incorrect_count=report.incorrect,
                    duplicate_count=report.duplicates,
                    finished_at=timezone.now(),
                    progress_updated_at=timezone.now(),
                )
                if not finished:
                    raise _Abandoned
        except _Abandoned:
            return None
    return report


class _SavingProgress:
    """Reports the saving phase's progress while its rows are inserted in one transaction.

    The rows must commit together with the list turning ready, so the
    progress is written through a second connection of its own (PostgreSQL),
    which commits at once and is seen by the page polling it. SQLite allows
    one writer at a time, so there the phase shows without the rows count.
    """

    def __init__(self, list_id: int) -> None:
        self.list_id = list_id
        self.side = None

    def __enter__(self) -> _SavingProgress:
        default = connections[DEFAULT_DB_ALIAS]
        if default.vendor == "postgresql":
            self.side = default.__class__(dict(default.settings_dict), alias="import_progress")
        return self

    def __exit__(self, *exc_info) -> None:
        if self.side is not None:
            self.side.close()

    def report(self, rows_saved: int) -> None:
        if self.side is None:
            return
        table = DistributionList._meta.db_table
        try:
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET rows_saved = LEAST(%s, rows_to_save), progress_updated_at = %s "
                    "WHERE id = %s AND status = %s",
                    [rows_saved, timezone.now(), self.list_id, Status.PROCESSING],
                )
        except DatabaseError:
            # The count is a courtesy: no second connection (say, the server's limit reached) must not fail the import.
            logger.warning("Saving progress of list %s not reported", self.list_id, exc_info=True)
            self.side.close()
            self.side = None


def distribution_list_fail(*, list_id: int, reason: str) -> bool:
    """Mark a processing list failed; its staged rows were never published, so it has none."""
    return bool(
        DistributionList.objects.filter(pk=list_id, status=Status.PROCESSING).update(
            status=Status.FAILED, failure_reason=reason[:2000], finished_at=timezone.now()
        )
    )


def distribution_lists_reap_stalled(*, now=None) -> int:
    """Fail lists whose import stopped reporting progress (its worker died); returns how many."""
    now = now or timezone.now()
    silent_since = now - timedelta(seconds=settings.DISTRIBUTION_LIST_STALLED_AFTER_SECONDS)
    stalled = list(
        DistributionList.objects.filter(
            status=Status.PROCESSING, import_started_at__isnull=False, progress_updated_at__lt=silent_since
        ).values_list("pk", flat=True)
    )
    return sum(distribution_list_fail(list_id=pk, reason=INTERRUPTED) for pk in stalled)


# --- Incorrect rows -------------------------------------------------------------------


@transaction.atomic
def incorrect_row_fix(*, row: IncorrectRow, phone: str) -> Contact:
    """Replace the number of an incorrect row; a valid one turns the row into a contact at once."""
    distribution_list = DistributionList.objects.select_for_update().get(pk=row.distribution_list_id)
    if distribution_list.status != Status.READY:
        raise DistributionListError("Rows can be fixed once the list is ready.")
    result = normalise_phone(phone, distribution_list.default_region)
    if not result.ok:
        raise DistributionListError(result.reason[:1].upper() + result.reason[1:] + ".")
    existing = Contact.objects.filter(distribution_list=distribution_list, phone=result.e164).first()
    if existing is not None:
        raise DistributionListError(f"{result.e164} is already in this list (row {existing.row_number}).")
    cells = list(row.cells)
    phone_column = distribution_list.phone_column
    cells += [""] * (phone_column + 1 - len(cells))
    cells[phone_column] = phone
    variables = {
        name: (cells[i] if i < len(cells) else "")
        for i, name in enumerate(distribution_list.column_names)
        if name and i != phone_column
    }
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
    locked = DistributionList.objects.select_for_update().filter(pk=distribution_list.pk).first()
    if locked is None:
        return
    in_use = campaigns_using(locked)
    if in_use:
        names = ", ".join(f"“{name}”" for name in in_use)
        raise DistributionListError(
            f"“{locked.name}” cannot be deleted while a launched or paused campaign uses it: {names}."
        )
    file_name = locked.source_file.name
    storage = locked.source_file.storage
    # Its rows go by cascade, one DELETE a table without loading them (Django's
    # fast delete): what points at them does nothing on delete (campaign call
    # jobs keep their contact's id) and no signal listens. A test pins it.
    locked.delete()
    if file_name:
        transaction.on_commit(lambda: storage.delete(file_name))
