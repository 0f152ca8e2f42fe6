"""The columns that moved onto ImportJob leave (the data step is the previous migration)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("dids", "0008_imports_did_job_data")]

    operations = [
        migrations.AlterField(
            model_name="didimport",
            name="job",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE, related_name="did_import", to="imports.importjob"
            ),
        ),
        migrations.RemoveConstraint(model_name="didimport", name="did_import_status_valid"),
        # Defaults only so that going back can re-add the columns to existing rows.
        migrations.AlterField(
            model_name="didimport",
            name="source_file",
            field=models.FileField(default="", max_length=300, upload_to="did_imports/%Y/%m/"),
        ),
        migrations.AlterField(
            model_name="didimport", name="original_filename", field=models.CharField(default="", max_length=255)
        ),
        migrations.AlterModelOptions(name="didimport", options={"ordering": ["-id"], "verbose_name": "DID import"}),
        *[
            migrations.RemoveField(model_name="didimport", name=name)
            for name in (
                "status",
                "failure_reason",
                "source_file",
                "original_filename",
                "file_kind",
                "has_header",
                "number_column",
                "operator_column",
                "status_column",
                "tag_column",
                "notes_column",
                "default_region",
                "rows_total",
                "rows_read",
                "incorrect_count",
                "duplicate_count",
                "created_by",
                "created_at",
                "import_started_at",
                "finished_at",
            )
        ],
    ]
