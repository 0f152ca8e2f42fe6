"""A DID import's upload moves onto its ImportJob (docs/decisions/one-import-job.md).

One job per existing import carries its file, markup (the role columns into
``markup["extra"]``), status, progress, counts and failure over; the import
keeps its defaults and its created/existing counts. Reversible.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dids", "0006_fewer_write_only_indexes"),
        ("imports", "0001_imports_import_job"),
    ]

    operations = [
        migrations.AddField(
            model_name="didimport",
            name="job",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="did_import",
                to="imports.importjob",
            ),
        ),
    ]
