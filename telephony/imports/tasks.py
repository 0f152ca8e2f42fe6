"""Thin tasks: ids in, a service call."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from .jobs import import_job_reap_stalled
from .models import ImportJob
from .running import import_job_run


@shared_task(
    name="imports.run_job",
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
)
def run_import_job(job_id: int) -> None:
    """Idempotent: a second delivery finds the job claimed."""
    import_job_run(job_id=job_id)


@shared_task(name="imports.reap_stalled_jobs", time_limit=60, soft_time_limit=50)
def reap_stalled_import_jobs() -> None:
    import_job_reap_stalled()


def import_job_start(job: ImportJob) -> None:
    """Run a marked-up job in the background once the caller's transaction commits."""
    run_import_job.delay_on_commit(job.pk)
