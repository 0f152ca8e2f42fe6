"""Migrating a test database back and forth, for the tests that carry a populated schema over.

Such a test rolls the database back to the schema of before a change
(``migrate(BEFORE)``), writes rows with that schema's historical models
(``state.apps``), migrates forward to the leaves and reads the rows through
today's models. Run them with ``django_db(transaction=True)``.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import ProjectState


def migrate(targets: Sequence[tuple[str, str | None]]) -> ProjectState:
    """Migrate to ``targets`` (``(app, None)``: before the app's first migration); the state reached."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.migrate(list(targets))


def leaves() -> list[tuple[str, str]]:
    """Today's schema: the last migration of every app."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
