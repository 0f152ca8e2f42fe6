"""A list's upload moves onto its ImportJob (docs/decisions/one-import-job.md).

One job per existing list carries its file, markup, phases, progress and
failure over; the list keeps its name, status, columns and counts. Reversible:
going back copies the job's fields onto the list again.
"""

import django.db.models.deletion
from django.db import migrations, models

LIST_TO_JOB_STATUS = {"draft": "draft", "processing": "processing", "ready": "done", "failed": "failed"}
JOB_TO_LIST_STATUS = {"draft": "draft", "processing": "processing", "done": "ready", "failed": "failed"}


def lists_to_jobs(apps, schema_editor):
    DistributionList = apps.get_model("distribution_lists", "DistributionList")
    ImportJob = apps.get_model("imports", "ImportJob")
    db = schema_editor.connection.alias
    for lst in DistributionList.objects.using(db).filter(job__isnull=True).iterator(chunk_size=500):
        job = ImportJob.objects.using(db).create(
            kind="distribution_list",
            customer_id=lst.customer_id,
            created_by_id=lst.created_by_id,
            status=LIST_TO_JOB_STATUS[lst.status],
            failure_reason=lst.failure_reason,
            source_file=lst.source_file.name,
            original_filename=lst.original_filename,
            file_kind=lst.file_kind,
            markup={
                "has_header": lst.has_header,
                "phone_column": lst.phone_column,
                "default_region": lst.default_region,
                "column_names": list(lst.column_names or []),
                "extra": {},
            },
            phase=lst.import_phase,
            rows_total=lst.rows_total,
            rows_read=lst.rows_read,
            rows_to_save=lst.rows_to_save,
            rows_saved=lst.rows_saved,
            correct_count=lst.correct_count,
            incorrect_count=lst.incorrect_count,
            duplicate_count=lst.duplicate_count,
            started_at=lst.import_started_at,
            progress_updated_at=lst.progress_updated_at,
            finished_at=lst.finished_at,
        )
        # created_at is auto_now_add: the list's own date is the upload's.
        ImportJob.objects.using(db).filter(pk=job.pk).update(created_at=lst.created_at)
        DistributionList.objects.using(db).filter(pk=lst.pk).update(job=job)


def jobs_to_lists(apps, schema_editor):
    DistributionList = apps.get_model("distribution_lists", "DistributionList")
    db = schema_editor.connection.alias
    for lst in DistributionList.objects.using(db).filter(job__isnull=False).select_related("job").iterator(500):
        job = lst.job
        DistributionList.objects.using(db).filter(pk=lst.pk).update(
            status=JOB_TO_LIST_STATUS[job.status] if lst.status != "ready" else "ready",
            failure_reason=job.failure_reason,
            source_file=job.source_file.name,
            original_filename=job.original_filename,
            file_kind=job.file_kind,
            has_header=job.markup.get("has_header", True),
            import_phase=job.phase,
            rows_total=job.rows_total,
            rows_read=job.rows_read,
            rows_to_save=job.rows_to_save,
            rows_saved=job.rows_saved,
            import_started_at=job.started_at,
            progress_updated_at=job.progress_updated_at,
            finished_at=job.finished_at,
        )


class Migration(migrations.Migration):
    # Its own migration (its own transaction): PostgreSQL refuses to alter a table
    # with the data step's foreign-key checks still pending.
    dependencies = [("distribution_lists", "0005_imports_list_job")]

    operations = [
        migrations.RunPython(lists_to_jobs, jobs_to_lists),
    ]
