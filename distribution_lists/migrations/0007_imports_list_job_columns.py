"""The columns that moved onto ImportJob leave (the data step is the previous migration)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("distribution_lists", "0006_imports_list_job_data")]

    operations = [
        # Defaults only so that going back can re-add the columns to existing rows.
        migrations.AlterField(
            model_name="distributionlist",
            name="source_file",
            field=models.FileField(default="", max_length=300, upload_to="distribution_lists/%Y/%m/"),
        ),
        migrations.AlterField(
            model_name="distributionlist", name="original_filename", field=models.CharField(default="", max_length=255)
        ),
        migrations.RemoveConstraint(model_name="distributionlist", name="distribution_list_progress"),
        *[
            migrations.RemoveField(model_name="distributionlist", name=name)
            for name in (
                "failure_reason",
                "file_kind",
                "finished_at",
                "has_header",
                "import_phase",
                "import_started_at",
                "original_filename",
                "progress_updated_at",
                "rows_read",
                "rows_saved",
                "rows_to_save",
                "rows_total",
                "source_file",
            )
        ],
    ]
