import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """A campaign's pool follows ``NumberPool`` to ``callerid_pools`` (same table: state only)."""

    dependencies = [
        ("campaigns", "0013_home_call_tally"),
        ("callerid_pools", "0001_pools_split_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="campaign",
                    name="a_number_pool",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="campaigns",
                        to="callerid_pools.numberpool",
                        verbose_name="numbers pool",
                    ),
                ),
            ],
        ),
    ]
