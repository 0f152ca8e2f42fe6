"""Do-not-call uploads become import jobs of their own kind (dnc 0005–0007 carry the rows over)."""

from django.db import migrations, models

KINDS = ["distribution_list", "dids", "callerid_pool", "dnc"]


class Migration(migrations.Migration):
    dependencies = [("imports", "0002_imports_pool_kind")]

    operations = [
        migrations.RemoveConstraint(model_name="importjob", name="import_job_kind_valid"),
        migrations.AlterField(
            model_name="importjob",
            name="kind",
            field=models.CharField(
                choices=[
                    ("distribution_list", "distribution list"),
                    ("dids", "DID inventory"),
                    ("callerid_pool", "caller-ID pool"),
                    ("dnc", "do-not-call list"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="importjob",
            constraint=models.CheckConstraint(condition=models.Q(kind__in=KINDS), name="import_job_kind_valid"),
        ),
    ]
