from django.db import migrations, models


class Migration(migrations.Migration):
    """Incorrect numbers remember the default country they were read with, so a fix is read the same way."""

    dependencies = [("pools", "0102_merge_carousel_tracking")]

    operations = [
        migrations.AddField(
            model_name="numberpoolincorrectnumber",
            name="default_region",
            field=models.CharField(
                default="GB",
                help_text="Country of numbers written without the international prefix.",
                max_length=2,
                verbose_name="default country",
            ),
            preserve_default=False,
        ),
        migrations.RemoveConstraint(model_name="numberpool", name="number_pool_global_xor_customer"),
        migrations.AddConstraint(
            model_name="numberpool",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("customer__isnull", True), ("is_global", True)),
                    models.Q(("customer__isnull", False), ("is_global", False)),
                    _connector="OR",
                ),
                name="number_pool_global_xor_customer",
                violation_error_message="A pool belongs to one customer, or is global with no customer.",
            ),
        ),
    ]
