import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The pool foreign keys follow ``NumberPool`` to ``callerid_pools`` (same table: state only)."""

    dependencies = [
        ("compliance", "0004_comply_caps_help"),
        ("callerid_pools", "0001_pools_split_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="poolpolicy",
                    name="pool",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="compliance_policy",
                        to="callerid_pools.numberpool",
                    ),
                ),
                migrations.AlterField(
                    model_name="poolday",
                    name="pool",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="callerid_pools.numberpool"
                    ),
                ),
            ],
        ),
    ]
