"""The columns that moved onto ImportJob leave (the data step is the previous migration)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("dnc", "0006_dncjob_upload_job_data")]

    operations = [
        migrations.AlterField(
            model_name="dncupload",
            name="job",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE, related_name="dnc_upload", to="imports.importjob"
            ),
        ),
        migrations.RemoveConstraint(model_name="dncupload", name="dnc_upload_status"),
        # A default only so that going back can re-add the column to existing rows.
        migrations.AlterField(
            model_name="dncupload", name="original_filename", field=models.CharField(default="", max_length=255)
        ),
        migrations.AlterModelOptions(
            name="dncupload",
            options={
                "ordering": ["-id"],
                "verbose_name": "do-not-call upload",
                "verbose_name_plural": "do-not-call uploads",
            },
        ),
        *[
            migrations.RemoveField(model_name="dncupload", name=name)
            for name in (
                "customer",
                "source_file",
                "original_filename",
                "rows_total",
                "status",
                "report",
                "failure_reason",
                "added_by",
                "created_at",
            )
        ],
    ]
