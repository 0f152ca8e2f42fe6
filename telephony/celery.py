"""The Celery application: JSON only, time limits from settings, beat jobs below."""

import os

from celery import Celery
from celery.signals import after_setup_logger, task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telephony.settings")

app = Celery("telephony")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
def _routine_lines_at_debug(**kwargs) -> None:
    """The dialer's every-second ticks log at DEBUG, not INFO (telephony/celery_logging.py)."""
    from telephony import celery_logging

    celery_logging.install(celery_logging.routine_tasks(app.conf.beat_schedule))


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(**kwargs) -> None:
    """Keep the thread's database connection between tasks, as Django keeps it between requests:
    closed only when unusable (an error broke it) or older than CONN_MAX_AGE (CELERY_DB_REUSE_MAX
    turns Celery's close-every-time off)."""
    from django.db import close_old_connections

    close_old_connections()
