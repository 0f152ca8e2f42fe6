"""Thin tasks: ids in, a service call.

Imports run as the engine's ``imports.run_job`` task; this one only drains
messages queued under its old name before the move.
"""

from celery import shared_task
from django.conf import settings

from distribution_lists import services


@shared_task(
    name="distribution_lists.import",
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
)
def import_distribution_list(list_id: int) -> None:
    services.distribution_list_import(list_id=list_id)
