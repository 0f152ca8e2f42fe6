"""Thin tasks: ids in, a service call."""

from celery import shared_task
from django.conf import settings

from dnc import services


@shared_task(
    name=services.IMPORT_UPLOAD,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
)
def import_dnc_upload(upload_id: int) -> None:
    services.dnc_upload_import(upload_id=upload_id)
