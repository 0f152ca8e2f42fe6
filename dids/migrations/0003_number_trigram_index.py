"""Digits searched anywhere in a number (``LIKE '%4090%'``) use a trigram index
on PostgreSQL; SQLite, the embedded default, scans, which is fine at its size."""

from django.db import migrations

TABLES = ("dids_did", "dids_historicaldid")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table in TABLES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_number_trgm ON {table} USING gin (number gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_number_trgm")


class Migration(migrations.Migration):
    dependencies = [("dids", "0002_audit_log_names")]

    operations = [migrations.RunPython(create, drop)]
