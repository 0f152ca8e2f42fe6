"""One ImportJob per existing do-not-call upload, carrying its owner, file, status, counts and failure.

``ready`` becomes ``done`` with the report's counts; ``failed`` keeps its
reason. An upload still ``processing`` was queued under the old task name,
which no worker runs any more: it becomes ``failed`` with a reason that says
to upload the file again (the old import wrote its entries in batches, so
those it had added stay on the list). Reversible.
"""

from django.db import migrations

STOPPED = (
    "The import was stopped by an upgrade before it finished. Upload the file again "
    "(numbers it had already added stay on the list)."
)
# The one layout of a DNC file (dnc.upload.MARKUP).
MARKUP = {"has_header": False, "phone_column": 0, "default_region": "GB", "column_names": [], "extra": {}}
TO_JOB = {"ready": "done", "failed": "failed", "processing": "failed"}
FROM_JOB = {"done": "ready", "failed": "failed", "processing": "processing", "draft": "processing"}


def uploads_to_jobs(apps, schema_editor):
    DncUpload = apps.get_model("dnc", "DncUpload")
    ImportJob = apps.get_model("imports", "ImportJob")
    db = schema_editor.connection.alias
    for upload in DncUpload.objects.using(db).filter(job__isnull=True).iterator(chunk_size=500):
        report = upload.report or {}
        status = TO_JOB[upload.status]
        done = status == "done"
        job = ImportJob.objects.using(db).create(
            kind="dnc",
            customer_id=upload.customer_id,
            created_by_id=upload.added_by_id,
            status=status,
            failure_reason=STOPPED if upload.status == "processing" else upload.failure_reason,
            source_file=upload.source_file.name,
            original_filename=upload.original_filename,
            markup=MARKUP,
            rows_total=upload.rows_total,
            rows_read=upload.rows_total if done else 0,
            correct_count=report.get("added", 0) + report.get("already_listed", 0),
            incorrect_count=report.get("incorrect", 0),
            started_at=upload.created_at,
            progress_updated_at=upload.created_at,
            finished_at=upload.created_at,
        )
        ImportJob.objects.using(db).filter(pk=job.pk).update(created_at=upload.created_at)
        DncUpload.objects.using(db).filter(pk=upload.pk).update(
            job=job,
            added_count=report.get("added", 0),
            already_listed_count=report.get("already_listed", 0),
            incorrect_rows=report.get("incorrect_rows", []),
        )


def jobs_to_uploads(apps, schema_editor):
    DncUpload = apps.get_model("dnc", "DncUpload")
    db = schema_editor.connection.alias
    for upload in DncUpload.objects.using(db).filter(job__isnull=False).select_related("job").iterator(500):
        job = upload.job
        done = job.status == "done"
        report = {
            "added": upload.added_count,
            "already_listed": upload.already_listed_count,
            "incorrect": job.incorrect_count,
            "incorrect_rows": upload.incorrect_rows,
        }
        DncUpload.objects.using(db).filter(pk=upload.pk).update(
            customer_id=job.customer_id,
            added_by_id=job.created_by_id,
            source_file=job.source_file.name,
            original_filename=job.original_filename,
            rows_total=job.rows_total,
            status=FROM_JOB[job.status],
            report=report if done else {},
            failure_reason=job.failure_reason,
            created_at=job.created_at,
            job=None,
        )
    # Older schemas know no "dnc" kind of job.
    apps.get_model("imports", "ImportJob").objects.using(db).filter(kind="dnc").delete()


class Migration(migrations.Migration):
    # Its own migration (its own transaction): PostgreSQL refuses to alter a table
    # with the data step's foreign-key checks still pending.
    dependencies = [("dnc", "0005_dncjob_upload_job")]

    operations = [migrations.RunPython(uploads_to_jobs, jobs_to_uploads)]
