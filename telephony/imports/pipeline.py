"""The chunked pipeline: rows in, each one judged correct, incorrect or duplicate.

The pipeline knows nothing of what is imported. A *consumer* judges each row
(``classify``) and stores each chunk of results (``write_chunk``); the
pipeline reads, skips the header, counts, removes duplicates by the key the
consumer gives, reports progress and enforces the row limit.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Protocol, final

from .errors import ImportFileError
from .markup import Markup
from .phones import PhoneResult, phone_normaliser
from .readers import Table


@dataclass(slots=True)
class SourceRow:
    """One non-blank row of the file: ``number`` counts rows from 1 (the header is row 1 when there is one)."""

    number: int
    cells: list[str]

    def cell(self, index: int) -> str:
        return self.cells[index] if index < len(self.cells) else ""


@final
@dataclass(slots=True)
class Accepted:
    """A correct row. ``key`` detects duplicates within the import; ``record`` is whatever the consumer stores."""

    key: Hashable
    record: Any


@final
@dataclass(slots=True)
class Rejected:
    """An incorrect row and why, in words for the person who uploaded the file."""

    reason: str


@dataclass
class Chunk:
    correct: list[tuple[SourceRow, Any]] = field(default_factory=list)
    incorrect: list[tuple[SourceRow, str]] = field(default_factory=list)
    duplicates: list[tuple[SourceRow, Any]] = field(default_factory=list)
    # For each duplicate, by its row number: the number of the earlier row it repeats.
    repeats: dict[int, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.correct) + len(self.incorrect) + len(self.duplicates)


@dataclass
class ImportReport:
    rows: int = 0
    correct: int = 0
    incorrect: int = 0
    duplicates: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"rows": self.rows, "correct": self.correct, "incorrect": self.incorrect, "duplicates": self.duplicates}


class RowConsumer(Protocol):
    def classify(self, row: SourceRow) -> Accepted | Rejected: ...

    def write_chunk(self, chunk: Chunk) -> None: ...


ProgressCallback = Callable[[int, int], None]


def run_import(
    table: Table,
    markup: Markup,
    consumer: RowConsumer,
    *,
    chunk_size: int = 10_000,
    max_rows: int | None = None,
    on_progress: ProgressCallback | None = None,
) -> ImportReport:
    """Judge every data row of ``table`` with ``consumer`` and hand it the results chunk by chunk.

    ``on_progress(rows_read, rows_total)`` is called after each chunk. More
    than ``max_rows`` data rows raise :class:`ImportFileError` (the consumer
    is expected to discard what it staged).
    """
    # The automatic cyclic garbage collector keeps re-scanning the many
    # young containers a chunk creates (a third of the import's time on a
    # 1M-row file); rows make no reference cycles, so it is paused and the
    # young generations are collected once per chunk instead.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _run_import(table, markup, consumer, chunk_size, max_rows, on_progress)
    finally:
        if was_enabled:
            gc.enable()


def _run_import(
    table: Table,
    markup: Markup,
    consumer: RowConsumer,
    chunk_size: int,
    max_rows: int | None,
    on_progress: ProgressCallback | None,
) -> ImportReport:
    if max_rows is not None and table.total_rows > max_rows + (1 if markup.has_header else 0) + 1000:
        # Cheap early refusal; blank lines are counted in total_rows, hence the slack.
        raise ImportFileError(f"The file has about {table.total_rows:,} rows; the limit is {max_rows:,}.")
    report = ImportReport()
    # Each key seen, with the number of the first row that had it (a duplicate names the row it repeats).
    seen: dict[Hashable, int] = {}
    chunk = Chunk()
    classify = consumer.classify
    total = max(table.total_rows - (1 if markup.has_header else 0), 1)
    rows = iter(table.rows())
    number = 0
    if markup.has_header:
        if next(rows, None) is None:
            raise ImportFileError("The file has no rows.")
        number = 1
    in_chunk = 0
    # The row number (header included) of the first row past the limit.
    first_refused = max_rows + 1 + int(markup.has_header) if max_rows is not None else 0
    for cells in rows:
        number += 1
        if number == first_refused:
            raise ImportFileError(f"The file has more than {max_rows:,} rows, the limit.")
        row = SourceRow(number, cells)
        verdict = classify(row)
        if type(verdict) is Accepted:
            first = seen.get(verdict.key)
            if first is not None:
                chunk.duplicates.append((row, verdict.record))
                chunk.repeats[number] = first
            else:
                seen[verdict.key] = number
                chunk.correct.append((row, verdict.record))
        else:
            chunk.incorrect.append((row, verdict.reason))
        in_chunk += 1
        if in_chunk == chunk_size:
            report.rows += in_chunk
            in_chunk = 0
            _flush(consumer, chunk, report)
            chunk = Chunk()
            gc.collect(1)
            if on_progress:
                on_progress(report.rows, max(total, report.rows))
    report.rows += in_chunk
    _flush(consumer, chunk, report)
    if report.rows == 0:
        message = "The file has a header but no data rows." if markup.has_header else "The file has no rows."
        raise ImportFileError(message)
    if on_progress:
        on_progress(report.rows, report.rows)
    return report


def _flush(consumer: RowConsumer, chunk: Chunk, report: ImportReport) -> None:
    report.correct += len(chunk.correct)
    report.incorrect += len(chunk.incorrect)
    report.duplicates += len(chunk.duplicates)
    if len(chunk):
        consumer.write_chunk(chunk)


class PhoneRowConsumer:
    """A base for consumers whose rows carry one phone number in ``markup.phone_column``.

    ``classify`` normalises the number (dedupe key: the E.164 number) and asks
    :meth:`accept` for the record to store; subclasses override ``accept`` to
    check their other columns (returning :class:`Rejected` for a bad one) and
    ``write_chunk`` to store the results.
    """

    def __init__(self, markup: Markup, *, time_zones: bool = True) -> None:
        self.markup = markup
        self.phone_column = markup.phone_column
        self.normalise = phone_normaliser(markup.default_region, time_zones)

    def classify(self, row: SourceRow) -> Accepted | Rejected:
        cells = row.cells
        raw = cells[self.phone_column] if self.phone_column < len(cells) else ""
        phone = self.normalise(raw)
        if phone.e164 is None:
            return Rejected(phone.reason)
        record = self.accept(row, phone)
        if type(record) is Rejected:
            return record
        return Accepted(phone.e164, record)

    def accept(self, row: SourceRow, phone: PhoneResult) -> Any | Rejected:
        return phone

    def write_chunk(self, chunk: Chunk) -> None:  # pragma: no cover - subclasses store
        raise NotImplementedError
