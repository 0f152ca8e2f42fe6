"""The Celery application: JSON only, time limits from settings, beat jobs below."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telephony.settings")

app = Celery("telephony")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
