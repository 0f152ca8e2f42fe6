"""A do-not-call upload moves onto its ImportJob (docs/decisions/one-import-job.md).

The upload gets its job and the three things only a DNC upload has (how many
numbers it added, how many were listed already, the first incorrect rows);
0006 creates one job per existing upload, 0007 drops the columns that moved.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dnc", "0004_polish_verbose_names"),
        ("imports", "0003_dncjob_dnc_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="dncupload",
            name="job",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="dnc_upload",
                to="imports.importjob",
            ),
        ),
        migrations.AddField(model_name="dncupload", name="added_count", field=models.PositiveIntegerField(default=0)),
        migrations.AddField(
            model_name="dncupload", name="already_listed_count", field=models.PositiveIntegerField(default=0)
        ),
        migrations.AddField(
            model_name="dncupload", name="incorrect_rows", field=models.JSONField(blank=True, default=list)
        ),
    ]
