"""Running a hot statement the cheapest way the database offers.

Django binds parameters on the client, so PostgreSQL parses and plans every
statement again; for the few statements that run once per call or page view
(the carousel draw, the dialer's per-call statements, the DNI page view)
planning cost as much as running them. On PostgreSQL these go through a
psycopg cursor as server-side prepared statements on the same connection
(and in the same transaction; ``prepare_threshold`` in settings, plans are per
connection, and these queries are not in Django's query log); elsewhere
through Django's cursor.

``first_rows`` reads the first rows of several index ranges as one ordered list.
"""

from __future__ import annotations

import threading

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import QuerySet
from psycopg import pq

_cursors = threading.local()


def prepared_fetchone(sql: str, params: list | dict) -> tuple | None:
    """Execute ``sql`` (``%s`` placeholders) and return its first row, or None when it returns none."""
    db = connections[DEFAULT_DB_ALIAS]  # the proxy ``connection`` looks this up on every attribute
    if db.vendor == "postgresql":
        db.ensure_connection()
        # Django's error wrapper: psycopg errors become django.db errors, and a broken
        # connection is marked so that close_old_connections() replaces it.
        with db.wrap_database_errors:
            cursor = _cursor(db)
            # Binary results: no text to parse back into timestamps and numbers.
            cursor.execute(sql, params, prepare=True, binary=True)
            # The status, not ``description``: that builds a column object for each column.
            return cursor.fetchone() if cursor.pgresult.status == pq.ExecStatus.TUPLES_OK else None
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() if cursor.description else None


def _cursor(db) -> psycopg.Cursor:
    """One psycopg cursor per database connection, kept between calls: making a
    cursor cost as much CPU as running the statement. Kept per thread, as Django
    keeps its connections, and made anew when Django has opened another one."""
    cursor = getattr(_cursors, "cursor", None)
    if cursor is None or cursor.connection is not db.connection:
        cursor = _cursors.cursor = psycopg.Cursor(db.connection)
    return cursor


def first_rows(ranges: list[QuerySet], limit: int, *, descending: bool = False) -> list[tuple]:
    """The first ``limit`` rows of several ordered, sliced ``values_list`` querysets taken together,
    by their first column, in one query (a UNION ALL of each one's index range).

    For a read that one index serves range by range but not in one piece: the
    report's jobs of every outcome, the due jobs of every open zone.
    """
    if len(ranges) <= 1:
        return [row for queryset in ranges for row in queryset[:limit]]
    parts, params = [], []
    for number, queryset in enumerate(ranges):
        sql, part_params = queryset.query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) AS range_{number}")
        params += part_params
    order = "DESC" if descending else "ASC"
    with connection.cursor() as cursor:
        cursor.execute(f"{' UNION ALL '.join(parts)} ORDER BY 1 {order} LIMIT {int(limit)}", params)
        return cursor.fetchall()
