from django.db import migrations


class Migration(migrations.Migration):
    """The caller-ID carousel and the call-tracking models were built side by side."""

    dependencies = [("pools", "0001_carousel"), ("pools", "0101_tracking")]
    operations = []
