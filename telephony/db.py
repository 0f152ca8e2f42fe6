"""Running a hot statement the cheapest way the database offers.

Django binds parameters on the client, so PostgreSQL parses and plans every
statement again; for the few statements that run once per call or page view
(the carousel draw, the dialer's per-call statements, the DNI page view)
planning cost as much as running them. On PostgreSQL these go through a
psycopg cursor as server-side prepared statements on the same connection
(and in the same transaction; ``prepare_threshold`` in settings, plans are per
connection, and these queries are not in Django's query log); elsewhere
through Django's cursor.
"""

from __future__ import annotations

import psycopg
from django.db import connection


def prepared_fetchone(sql: str, params: list) -> tuple | None:
    """Execute ``sql`` (``%s`` placeholders) and return its first row, or None when it returns none."""
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        # Django's error wrapper: psycopg errors become django.db errors, and a broken
        # connection is marked so that close_old_connections() replaces it.
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params, prepare=True)
            return cursor.fetchone() if cursor.description else None
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() if cursor.description else None
