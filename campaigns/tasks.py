"""Thin dialer tasks: ids in, a service call (DESIGN.md, "The dialer")."""

import os

from celery import shared_task
from django.conf import settings
from django.db import transaction

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


def place_calls_on_commit(attempt_ids: list[int]) -> None:
    """One ``place_call`` per attempt once the claim commits, published in one broker round trip.

    The dispatcher starts dozens of calls per claim; publishing them one by one
    (a Redis client and a round trip each) cost more than the claim itself.
    """
    if not attempt_ids:
        return

    def publish() -> None:
        with place_call.app.producer_or_acquire() as producer, producer.batch():
            for attempt_id in attempt_ids:
                place_call.apply_async((attempt_id,), producer=producer)

    transaction.on_commit(publish)
