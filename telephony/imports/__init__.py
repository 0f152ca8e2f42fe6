"""The streaming file-import engine shared by DIDs, pools, distribution lists and do-not-call lists.

It knows nothing of what is imported. The public API (import it from here):

Reading
    ``open_table(path_or_file, *, filename="") -> Table`` — decides the type by
    content (CSV/TSV/TXT with encoding and delimiter detection, XLS/XLSX/ODS
    through python-calamine) and raises :class:`ImportFileError` with a clear
    message for anything else (empty, binary, a PDF named ``.xls``...).
    ``Table.rows()`` yields every non-blank row as a list of stripped strings
    (spreadsheet floats such as ``447911123456.0`` come back as ``"447911123456"``);
    ``Table.total_rows`` is the physical row count, for progress bars.
    ``preview(table, n=10)`` — the first rows, for a markup form.

Markup
    ``Markup(phone_column=0, default_region="GB", has_header=True,
    column_names=("phone", "name"), extra={"operator": 2})`` — what the columns
    mean; ``markup.variables(cells)`` gives ``{name: value}`` for the named
    non-phone columns. ``suggest_column_names(header, width)`` and
    ``guess_phone_column(rows)`` prefill a markup form.

Phone numbers
    ``normalise_phone(raw, default_region) -> PhoneResult`` — ``.ok``,
    ``.e164``, ``.region``, ``.time_zone`` (the zone key: every candidate
    zone phonenumbers gives, same-clock ones as one, see ``telephony.zones``) or ``.reason`` in
    words. Handles apostrophes, spaces, dots, dashes, parentheses, ``00`` and
    ``+`` prefixes, lost ``+``/leading zero, trunk prefixes, ``(0)``, floats and
    scientific notation. For loops take ``phone_normaliser(region)`` once.
    ``time_zone_for(number_or_e164) -> str``.

Pipeline
    ``run_import(table, markup, consumer, *, chunk_size, max_rows, on_progress)
    -> ImportReport`` (rows, correct, incorrect, duplicates). The *consumer*
    judges rows — ``classify(SourceRow) -> Accepted(key, record) | Rejected(reason)``
    — and stores them — ``write_chunk(Chunk)`` with ``chunk.correct``
    (``[(row, record)]``), ``chunk.incorrect`` (``[(row, reason)]``) and
    ``chunk.duplicates`` (``[(row, record)]``, same key as an earlier row;
    ``chunk.repeats[row.number]`` is the number of that earlier row).
    ``PhoneRowConsumer(markup)`` is a base class that does the phone column
    (key = E.164); override ``accept(row, phone)`` to check other columns.

Writing (``telephony.imports.writer``, the fast path: all the import's SQL)
    ``BulkWriter(Model, ["field", ...], ignore_conflicts=False)`` — ``add_many``
    stages tuples (PostgreSQL: ``COPY`` into a temporary table; SQLite: a
    spool file), ``publish()`` inserts them all in one statement (run it in the
    transaction that marks the import done); leaving the ``with`` block
    discards anything unpublished. ``SavingProgress``, ``existing_keys``,
    and ``copy_history_rows`` are its other entries.

The upload lifecycle (a Django app, label ``imports``; import these modules directly)
    ``models.ImportJob`` — one uploaded file: kind, stored file, markup, status
    (draft → processing → done | failed), phase, progress, counts, failure.
    ``jobs`` — every write: ``import_job_upload`` (extension, size, type and row checks:
    ``UploadLimits.extensions`` names what a kind takes, the content still decides the type),
    ``import_job_mark_up``, ``import_job_claim``, ``import_job_progress``, ``import_job_read``,
    ``import_job_finish``, ``import_job_fail``, ``import_job_reap_stalled``,
    ``import_job_delete``; ``import_job_transition`` is the one transition.
    ``tasks.import_job_start(job)`` runs it in the background (task
    ``imports.run_job``), which hands it to the ``run`` its app registered
    with ``kinds.register_kind`` in ``AppConfig.ready``.
    ``forms.MarkupForm`` and ``forms.RegionField`` — the one markup form and
    country picker; a kind subclasses the form for its own columns.

Example — a consumer for a model ``Entry(batch FK, phone, time_zone, notes)``::

    from django.db import transaction
    from telephony.imports import (
        BulkWriter, Markup, PhoneRowConsumer, Rejected, open_table, run_import,
    )

    class EntryConsumer(PhoneRowConsumer):
        def __init__(self, markup, batch_id, writer):
            super().__init__(markup)
            self.batch_id, self.writer, self.bad = batch_id, writer, []

        def accept(self, row, phone):
            notes = row.cell(self.markup.extra["notes"])
            if len(notes) > 200:
                return Rejected("notes are longer than 200 characters")
            return (self.batch_id, phone.e164, phone.time_zone, notes)

        def write_chunk(self, chunk):
            self.writer.add_many(record for _row, record in chunk.correct)
            self.bad += [(row.number, row.cells, reason) for row, reason in chunk.incorrect]

    table = open_table(path, filename="numbers.xlsx")
    markup = Markup(phone_column=0, default_region="GB", extra={"notes": 1})
    with BulkWriter(Entry, ["batch", "phone", "time_zone", "notes"]) as writer:
        consumer = EntryConsumer(markup, batch.pk, writer)
        report = run_import(table, markup, consumer, max_rows=1_000_000,
                            on_progress=lambda done, total: ...)
        with transaction.atomic():
            writer.publish()
"""

from .errors import ImportFileError
from .markup import Markup, guess_phone_column, suggest_column_names
from .phones import PhoneNormaliser, PhoneResult, normalise_phone, phone_normaliser, time_zone_for
from .pipeline import (
    Accepted,
    Chunk,
    ImportReport,
    PhoneRowConsumer,
    Rejected,
    RowConsumer,
    SourceRow,
    run_import,
)
from .readers import PREVIEW_ROWS, SheetLimits, Table, open_table, preview
from .writer import BulkWriter

__all__ = [
    "PREVIEW_ROWS",
    "Accepted",
    "BulkWriter",
    "Chunk",
    "ImportFileError",
    "ImportReport",
    "Markup",
    "PhoneNormaliser",
    "PhoneResult",
    "PhoneRowConsumer",
    "Rejected",
    "RowConsumer",
    "SheetLimits",
    "SourceRow",
    "Table",
    "guess_phone_column",
    "normalise_phone",
    "open_table",
    "phone_normaliser",
    "preview",
    "run_import",
    "suggest_column_names",
    "time_zone_for",
]
