import datetime as dt

from django.db import migrations


def add_defaults(apps, schema_editor):
    from compliance.defaults import DEFAULT_WINDOWS

    LegalWindow = apps.get_model("compliance", "LegalWindow")
    LegalWindow.objects.bulk_create(
        LegalWindow(
            country=country,
            region=region,
            zones=zones,
            start=dt.time.fromisoformat(start),
            end=dt.time.fromisoformat(end),
            days=days,
            note=note,
        )
        for country, region, zones, start, end, days, note in DEFAULT_WINDOWS
    )


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
