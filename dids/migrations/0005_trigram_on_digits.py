"""Move the trigram index from ``number`` to ``SUBSTRING(number, 2)`` (the digits).

pg_trgm's GIN operator class also serves ``=``, and the planner picked it for
``number IN (…5,000 numbers…)`` (every E.164 number shares trigrams such as
"+44"), turning a millisecond existence check into minutes on a million rows.
An index on an expression is used only by queries written with that expression:
the digits search (``dids.selectors.search_digits``) is, equality is not.
"""

from django.db import migrations

TABLES = ("dids_did", "dids_historicaldid")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_number_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_digits_trgm ON {table} "
            "USING gin ((SUBSTRING(number, 2)) gin_trgm_ops)"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_digits_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_number_trgm ON {table} USING gin (number gin_trgm_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("dids", "0004_did_import")]

    operations = [migrations.RunPython(forward, backward)]
