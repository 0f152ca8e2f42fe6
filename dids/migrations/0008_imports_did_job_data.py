"""A DID import's upload moves onto its ImportJob (docs/decisions/one-import-job.md).

One job per existing import carries its file, markup (the role columns into
``markup["extra"]``), status, progress, counts and failure over; the import
keeps its defaults and its created/existing counts. Reversible.
"""

import django.db.models.deletion
from django.db import migrations, models

ROLES = ("operator", "status", "tag", "notes")


def imports_to_jobs(apps, schema_editor):
    DIDImport = apps.get_model("dids", "DIDImport")
    ImportJob = apps.get_model("imports", "ImportJob")
    db = schema_editor.connection.alias
    for imp in DIDImport.objects.using(db).filter(job__isnull=True).iterator(chunk_size=500):
        extra = {role: getattr(imp, f"{role}_column") for role in ROLES if getattr(imp, f"{role}_column") is not None}
        job = ImportJob.objects.using(db).create(
            kind="dids",
            created_by_id=imp.created_by_id,
            status=imp.status,
            failure_reason=imp.failure_reason,
            source_file=imp.source_file.name,
            original_filename=imp.original_filename,
            file_kind=imp.file_kind,
            markup={
                "has_header": imp.has_header,
                "phone_column": imp.number_column,
                "default_region": imp.default_region,
                "column_names": [],
                "extra": extra,
            },
            phase="checking" if imp.status == "processing" and imp.import_started_at else "",
            rows_total=imp.rows_total,
            rows_read=min(imp.rows_read, imp.rows_total),
            correct_count=imp.created_count + imp.existing_count,
            incorrect_count=imp.incorrect_count,
            duplicate_count=imp.duplicate_count,
            started_at=imp.import_started_at,
            progress_updated_at=imp.import_started_at,
            finished_at=imp.finished_at,
        )
        ImportJob.objects.using(db).filter(pk=job.pk).update(created_at=imp.created_at)
        DIDImport.objects.using(db).filter(pk=imp.pk).update(job=job)


def jobs_to_imports(apps, schema_editor):
    DIDImport = apps.get_model("dids", "DIDImport")
    db = schema_editor.connection.alias
    for imp in DIDImport.objects.using(db).filter(job__isnull=False).select_related("job").iterator(500):
        job = imp.job
        extra = job.markup.get("extra", {})
        DIDImport.objects.using(db).filter(pk=imp.pk).update(
            status=job.status,
            failure_reason=job.failure_reason,
            source_file=job.source_file.name,
            original_filename=job.original_filename,
            file_kind=job.file_kind,
            has_header=job.markup.get("has_header", True),
            number_column=job.markup.get("phone_column", 0),
            default_region=job.markup.get("default_region", "GB"),
            **{f"{role}_column": extra.get(role) for role in ROLES},
            rows_total=job.rows_total,
            rows_read=job.rows_read,
            incorrect_count=job.incorrect_count,
            duplicate_count=job.duplicate_count,
            created_by_id=job.created_by_id,
            created_at=job.created_at,
            import_started_at=job.started_at,
            finished_at=job.finished_at,
        )


class Migration(migrations.Migration):
    # Its own migration (its own transaction): PostgreSQL refuses to alter a table
    # with the data step's foreign-key checks still pending.
    dependencies = [("dids", "0007_imports_did_job")]

    operations = [
        migrations.RunPython(imports_to_jobs, jobs_to_imports),
    ]
