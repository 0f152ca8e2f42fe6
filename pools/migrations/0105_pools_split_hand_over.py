from django.db import migrations

CALLERID_MODELS = ["numberpool", "numberpoolmember", "numberpoolincorrectnumber"]
TRACKING_MODELS = ["trackingpool", "trackingnumber", "dnisession", "trackedcall"]


def content_types_follow(apps, schema_editor, *, old: str, moves: dict[str, list[str]]) -> None:
    """Rename the content types, so permissions, groups and admin log entries stay attached.

    A content type the new app already has (a migrate run between the two
    steps) wins; the old row is then left for ``remove_stale_contenttypes``.
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for new, models in moves.items():
        for model in models:
            if ContentType.objects.using(db).filter(app_label=new, model=model).exists():
                continue
            ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    content_types_follow(
        apps,
        schema_editor,
        old="pools",
        moves={"callerid_pools": CALLERID_MODELS, "call_tracking": TRACKING_MODELS},
    )


def backwards(apps, schema_editor):
    content_types_follow(apps, schema_editor, old="callerid_pools", moves={"pools": CALLERID_MODELS})
    content_types_follow(apps, schema_editor, old="call_tracking", moves={"pools": TRACKING_MODELS})


class Migration(migrations.Migration):
    """Hands the models over to ``callerid_pools`` and ``call_tracking`` (state only: same tables)."""

    dependencies = [
        ("pools", "0104_dni_fewer_index_writes"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("callerid_pools", "0001_pools_split_initial"),
        ("call_tracking", "0001_pools_split_initial"),
        ("compliance", "0005_pools_split_callerid_pools"),
        ("campaigns", "0014_pools_split_callerid_pools"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="TrackedCall"),
                migrations.DeleteModel(name="DNISession"),
                migrations.DeleteModel(name="TrackingNumber"),
                migrations.DeleteModel(name="TrackingPool"),
                migrations.DeleteModel(name="NumberPoolMember"),
                migrations.DeleteModel(name="NumberPoolIncorrectNumber"),
                migrations.DeleteModel(name="NumberPool"),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
