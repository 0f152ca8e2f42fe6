from django.db import migrations


class Migration(migrations.Migration):
    """The dialer and the report were built side by side."""

    dependencies = [("campaigns", "0003_dialer_zones_claim_started"), ("campaigns", "0003_report_indexes")]
    operations = []
