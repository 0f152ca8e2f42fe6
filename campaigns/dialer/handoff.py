"""Handing a claim's attempts to the call workers, once the claim commits.

The task is looked up by its registered name (``campaigns/tasks.py`` defines
it and calls into the dialer; ``CampaignsConfig.ready`` registers it in every
process), so the dialer does not import the task module that imports it.
"""

from __future__ import annotations

from celery import current_app
from django.db import transaction

PLACE_CALL = "campaigns.place_call"


def place_calls_on_commit(attempt_ids: list[int]) -> None:
    """One ``place_call`` per attempt once the claim commits, published in one broker round trip.

    The dispatcher starts dozens of calls per claim; publishing them one by one
    (a Redis client and a round trip each) cost more than the claim itself.
    """
    if not attempt_ids:
        return

    def publish() -> None:
        task = current_app.tasks[PLACE_CALL]
        with task.app.producer_or_acquire() as producer, producer.batch():
            for attempt_id in attempt_ids:
                task.apply_async((attempt_id,), producer=producer)

    transaction.on_commit(publish)
