"""Server-side prepared statements for the few hot PostgreSQL statements.

Django's own queries bind parameters on the client (``ClientCursor``) and are
planned anew on every execution; a statement run thousands of times a second
whose planning costs as much as running it (the carousel draw, the DNI page
view) goes through here instead: a server-binding cursor on Django's
connection, prepared on first use (``prepare_threshold`` in settings; plans
are per connection). Its queries are not in Django's query log.
"""

from __future__ import annotations

import psycopg
from django.db import connection


def prepared_fetchone(sql: str, params) -> tuple | None:
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchone()
