"""Thin dialer tasks: ids in, a service call (DESIGN.md, "The dialer")."""

import os

from celery import shared_task
from django.conf import settings

from campaigns import dialer


@shared_task(name="campaigns.dialer_dispatch", time_limit=30, soft_time_limit=25)
def dialer_dispatch() -> None:
    dialer.dialer_tick(for_seconds=settings.DIALER_TICK_SECONDS)


@shared_task(name="campaigns.dialer_reap", time_limit=120, soft_time_limit=110)
def dialer_reap() -> None:
    dialer.dialer_reap()


@shared_task(
    name="campaigns.place_call",
    bind=True,
    time_limit=settings.DIALER_CALL_TIME_LIMIT,
    soft_time_limit=max(settings.DIALER_CALL_TIME_LIMIT - 5, 1),
)
def place_call(self, attempt_id: int) -> None:
    dialer.attempt_place(attempt_id=attempt_id, worker=f"{self.request.hostname or 'worker'}:{os.getpid()}")
