"""Writing many rows fast, and all at once at the end.

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

import json
import pickle
import tempfile
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any

from django.db import connections, models

_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise TypeError(f"{model.__name__}.{name} is not a column of its table")
    return field


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
        model_fields = [_field(model, name) for name in self.fields]
        self._columns = [str(field.column) for field in model_fields]
        self._attnames = [field.attname for field in model_fields]
        self._json = [isinstance(field, models.JSONField) for field in model_fields]
        self._postgres = self.connection.vendor == "postgresql"
        self._stage_table: str | None = None
        self._spool: IO[bytes] | None = None

    def __enter__(self) -> BulkWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()

    def add_many(self, rows: Iterable[tuple[Any, ...]]) -> None:
        batch = list(rows)
        if not batch:
            return
        if self._postgres:
            self._copy(batch)
        else:
            if self._spool is None:
                # Closed by discard(), which the context manager always runs.
                self._spool = tempfile.TemporaryFile(prefix="import-stage-")  # noqa: SIM115
            pickle.dump(batch, self._spool, protocol=pickle.HIGHEST_PROTOCOL)
        self.staged += len(batch)

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

    def _copy(self, rows: list[tuple[Any, ...]]) -> None:
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
                    values = list(row)
                    for position in json_positions:
                        values[position] = dumps(values[position])
                    write_row(values)
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
            cursor.execute(
                "SELECT pg_relation_size(%s::regclass) / current_setting('block_size')::int", [self._stage_table]
            )
            pages = cursor.fetchone()[0] or 1
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
        attnames = self._attnames
        if self._spool is None:
            return 0
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
                model._default_manager.using(self.using).bulk_create(objects, ignore_conflicts=self.ignore_conflicts)
                inserted += len(objects)
                report(inserted)
        return inserted
