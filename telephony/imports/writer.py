"""The bulk import writer: every SQL statement and database branch of the import's fast path.

The interface is small: :class:`BulkWriter` (stage rows, publish them in one
go), :class:`SavingProgress` (the saving phase's progress, committed while
the publishing transaction is still open), :func:`existing_keys` (which keys
of a chunk are in a table already) and :func:`copy_history_rows` (the
django-simple-history rows of rows just published). Callers hand it models, field names and
tuples; nothing outside this module writes SQL for an import.

Writing many rows fast, and all at once at the end.

Rows are *staged* while the file is read and *published* in one statement at
the end, inside the caller's transaction, so an import either lands whole or
not at all:

- PostgreSQL: ``COPY`` (psycopg 3) into a temporary staging table created on
  this connection, then one ``INSERT … SELECT`` into the real table. The
  staging table lives outside any transaction, so progress updates can be
  committed between chunks; it disappears with the connection if the worker
  dies.
- Other databases (SQLite, the embedded default): rows are pickled to a
  temporary file and published with ``bulk_create`` in batches.
"""

from __future__ import annotations

import datetime
import json
import logging
import pickle
import tempfile
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models
from django.utils import timezone

logger = logging.getLogger(__name__)

_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False)


class BulkWriter:
    """Stage tuples of values for ``fields`` of ``model``; :meth:`publish` inserts them all.

    Values are Python values as the model fields take them (a dict for a
    JSONField, a primary key for a foreign key's ``*_id`` attname). Use it as
    a context manager: leaving the block discards whatever was not published.
    """

    def __init__(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        *,
        using: str = "default",
        ignore_conflicts: bool = False,
        batch_size: int = 5000,
    ) -> None:
        self.model = model
        self.fields = list(fields)
        self.using = using
        self.ignore_conflicts = ignore_conflicts
        self.batch_size = batch_size
        self.connection = connections[using]
        self.staged = 0
        self._columns = [model._meta.get_field(name).column for name in self.fields]
        self._json = [isinstance(model._meta.get_field(name), models.JSONField) for name in self.fields]
        self._postgres = self.connection.vendor == "postgresql"
        self._stage_table: str | None = None
        self._spool: IO[bytes] | None = None

    def __enter__(self) -> BulkWriter:
        return self

    def __exit__(self, *exc_info) -> None:
        self.discard()

    def add_many(self, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if not rows:
            return
        if self._postgres:
            self._copy(rows)
        else:
            if self._spool is None:
                # Closed by discard(), which the context manager always runs.
                self._spool = tempfile.TemporaryFile(prefix="import-stage-")  # noqa: SIM115
            pickle.dump(rows, self._spool, protocol=pickle.HIGHEST_PROTOCOL)
        self.staged += len(rows)

    def publish(self, on_progress: Callable[[int], None] | None = None, *, progress_rows: int = 50_000) -> int:
        """Insert every staged row into the model's table; returns how many were inserted.

        ``on_progress(rows_published)`` is called every ``progress_rows`` rows
        or so (and at the end), for a progress bar of the saving step.
        """
        if not self.staged:
            return 0
        report = on_progress or (lambda _done: None)
        publish = self._publish_postgres if self._postgres else self._publish_batches
        inserted = publish(report, progress_rows)
        self.discard()
        return inserted

    def discard(self) -> None:
        if self._stage_table:
            table, self._stage_table = self._stage_table, None
            if self.connection.connection is not None:
                with self.connection.cursor() as cursor:
                    cursor.execute(f"DROP TABLE IF EXISTS {table}")
        if self._spool is not None:
            self._spool.close()
            self._spool = None
        self.staged = 0

    # --- PostgreSQL ------------------------------------------------------------

    def _copy(self, rows: list[Sequence[Any]]) -> None:
        quote = self.connection.ops.quote_name
        columns = ", ".join(quote(c) for c in self._columns)
        if self._stage_table is None:
            self._stage_table = f"import_stage_{uuid.uuid4().hex[:16]}"
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {self._stage_table} AS "
                    f"SELECT {columns} FROM {quote(self.model._meta.db_table)} WITH NO DATA"
                )
        json_positions = [i for i, is_json in enumerate(self._json) if is_json]
        statement = f"COPY {self._stage_table} ({columns}) FROM STDIN"
        with self.connection.cursor() as cursor, cursor.copy(statement) as copy:
            write_row = copy.write_row
            if json_positions:
                # One encoder for every row: json.dumps with arguments builds a new one per call.
                dumps = _JSON_ENCODER.encode
                for row in rows:
                    row = list(row)
                    for position in json_positions:
                        row[position] = dumps(row[position])
                    write_row(row)
            else:
                for row in rows:
                    write_row(row)

    def _publish_postgres(self, report: Callable[[int], None], progress_rows: int) -> int:
        quote = self.connection.ops.quote_name
        columns = ", ".join(quote(c) for c in self._columns)
        conflict = " ON CONFLICT DO NOTHING" if self.ignore_conflicts else ""
        insert = f"INSERT INTO {quote(self.model._meta.db_table)} ({columns}) SELECT {columns} FROM {self._stage_table}"
        with self.connection.cursor() as cursor:
            # The staging table is written once and never updated, so its
            # pages split it into ranges a TID range scan reads without an
            # index: one INSERT per range, and progress between them.
            pages = _staged_pages(cursor, self._stage_table).pages or 1
            step = max(1, pages * progress_rows // max(self.staged, 1))
            inserted = 0
            for first in range(0, pages, step):
                last = first + step
                where = f" WHERE ctid >= '({first},0)'::tid"
                if last < pages:
                    where += f" AND ctid < '({last},0)'::tid"
                cursor.execute(insert + where + conflict)
                inserted += cursor.rowcount
                report(inserted)
            return inserted

    # --- Others ----------------------------------------------------------------

    def _publish_batches(self, report: Callable[[int], None], _progress_rows: int) -> int:
        attnames = [self.model._meta.get_field(name).attname for name in self.fields]
        assert self._spool is not None  # publish() returns early when nothing was staged
        self._spool.seek(0)
        inserted = 0
        model = self.model
        while True:
            try:
                rows: list[tuple[Any, ...]] = pickle.load(self._spool)
            except EOFError:
                break
            for start in range(0, len(rows), self.batch_size):
                batch = rows[start : start + self.batch_size]
                objects = [model(**dict(zip(attnames, row, strict=True))) for row in batch]
                model.objects.using(self.using).bulk_create(objects, ignore_conflicts=self.ignore_conflicts)
                inserted += len(objects)
                report(inserted)
        return inserted


@dataclass(frozen=True, slots=True)
class StagedPages:
    """What PostgreSQL says of a staging table: its size in pages."""

    pages: int


def _staged_pages(cursor: Any, table: str) -> StagedPages:
    cursor.execute(
        "SELECT pg_relation_size(%(table)s::regclass) / current_setting('block_size')::int AS pages",
        {"table": table},
    )
    (pages,) = cursor.fetchone()
    return StagedPages(pages=pages)


# --- The saving phase's progress -------------------------------------------------


class SavingProgress:
    """Reports the saving phase's progress of ``model`` row ``pk`` while its rows are inserted in one transaction.

    The rows must commit together with the import turning done, so the
    progress is written through a second connection of its own (PostgreSQL),
    which commits at once and is seen by the page polling it. SQLite allows
    one writer at a time, so there the phase shows without the rows count.
    The row must have ``rows_saved``, ``rows_to_save``, ``progress_updated_at``
    and ``status`` columns; only a row whose status is ``while_status`` moves.
    """

    def __init__(self, model: type[models.Model], pk: int, *, while_status: str) -> None:
        self.model = model
        self.pk = pk
        self.while_status = while_status
        self.side: Any = None

    def __enter__(self) -> SavingProgress:
        default = connections[DEFAULT_DB_ALIAS]
        if default.vendor == "postgresql":
            self.side = default.__class__(dict(default.settings_dict), alias="import_progress")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.side is not None:
            self.side.close()

    def report(self, rows_saved: int) -> None:
        if self.side is None:
            return
        table = self.side.ops.quote_name(self.model._meta.db_table)
        try:
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET rows_saved = LEAST(%(rows_saved)s, rows_to_save), "
                    "progress_updated_at = %(now)s WHERE id = %(pk)s AND status = %(status)s",
                    {"rows_saved": rows_saved, "now": timezone.now(), "pk": self.pk, "status": self.while_status},
                )
        except DatabaseError:
            # The count is a courtesy: no second connection (say, the server's limit reached) must not fail the import.
            logger.warning("Saving progress of %s %s not reported", self.model.__name__, self.pk, exc_info=True)
            self.side.close()
            self.side = None


# --- Keys already present, and history of what was published ---------------------------

# SQLite's limit of parameters per statement is far above this; batches keep statements small.
_SQLITE_BATCH = 500


def existing_keys(model: type[models.Model], field: str, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` the unique ``field`` of ``model`` holds already."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":
        # One array parameter joined on the unique index: a long IN list cost
        # more to build and plan than to run, and an ``= ANY`` of thousands
        # made the planner choose a scan of the whole table.
        quote = connection.ops.quote_name
        column = quote(model._meta.get_field(field).column)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT t.{column} FROM unnest(%(keys)s::text[]) AS wanted(key) "
                f"JOIN {quote(model._meta.db_table)} t ON t.{column} = wanted.key",
                {"keys": list(keys)},
            )
            return {key for (key,) in cursor.fetchall()}
    found: set[str] = set()
    for start in range(0, len(keys), _SQLITE_BATCH):
        batch = keys[start : start + _SQLITE_BATCH]
        found.update(model._default_manager.filter(**{f"{field}__in": batch}).values_list(field, flat=True))
    return found


def copy_history_rows(
    model: type[models.Model],
    field: str,
    keys: Sequence[str],
    *,
    user_id: int | None,
    reason: str,
    date: datetime.datetime,
) -> None:
    """One '+' django-simple-history row for each row of ``model`` whose unique ``field`` is in ``keys``,
    copied from the table with ``INSERT … SELECT`` (the rows were just published, not built as objects)."""
    if not keys:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    history = model.history.model  # type: ignore[attr-defined]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.attname) for f in history.tracked_fields)
    extra = ", ".join(
        quote(name) for name in ("history_date", "history_user_id", "history_change_reason", "history_type")
    )
    head = (
        f"INSERT INTO {quote(history._meta.db_table)} ({columns}, {extra}) "
        f"SELECT {columns}, %(date)s, %(user_id)s, %(reason)s, '+' FROM {quote(model._meta.db_table)} "
    )
    key_column = quote(model._meta.get_field(field).column)
    params: dict[str, Any] = {"date": date, "user_id": user_id, "reason": reason}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement, the keys as one array joined on the unique index (see existing_keys).
            cursor.execute(
                head + f"WHERE {key_column} IN (SELECT unnest(%(keys)s::text[]))", {**params, "keys": list(keys)}
            )
            return
        for start in range(0, len(keys), _SQLITE_BATCH):
            batch = list(keys[start : start + _SQLITE_BATCH])
            names = {f"k{i}": key for i, key in enumerate(batch)}
            marks = ", ".join(f"%({name})s" for name in names)
            cursor.execute(head + f"WHERE {key_column} IN ({marks})", {**params, **names})
