"""A list's upload moves onto its ImportJob (docs/decisions/one-import-job.md).

One job per existing list carries its file, markup, phases, progress and
failure over; the list keeps its name, status, columns and counts. Reversible:
going back copies the job's fields onto the list again.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("distribution_lists", "0004_ux18_duplicate_rows_import_phase"),
        ("imports", "0001_imports_import_job"),
    ]

    operations = [
        migrations.AddField(
            model_name="distributionlist",
            name="job",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="distribution_list",
                to="imports.importjob",
            ),
        ),
    ]
