"""The Celery application: JSON only, time limits from settings, beat jobs below."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telephony.settings")

app = Celery("telephony")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(**kwargs) -> None:
    """Keep the thread's database connection between tasks, as Django keeps it between requests:
    closed only when unusable (an error broke it) or older than CONN_MAX_AGE (CELERY_DB_REUSE_MAX
    turns Celery's close-every-time off)."""
    from django.db import close_old_connections

    close_old_connections()
