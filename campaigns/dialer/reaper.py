"""The reaper: attempts whose lease ran out were lost by their worker.

They end as failed with the platform cause P03 through the one outcome
service, so the failed-call repeat rule decides whether the contact is called
again — a contact is never lost, and the attempt (taken by compare-and-set)
is never placed a second time.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from campaigns.causes import LOST_BY_WORKER
from campaigns.dialer.outcome import attempt_end
from campaigns.models import AttemptStatus, CallAttempt

BATCH = 1000


def dialer_reap(*, now: dt.datetime | None = None) -> int:
    """End every expired dialing attempt; returns how many this run ended."""
    now = now or timezone.now()
    reaped = 0
    while True:
        expired = list(
            CallAttempt.objects.filter(status=AttemptStatus.DIALING, lease_expires_at__lt=now)
            .order_by("lease_expires_at")
            .values_list("pk", flat=True)[:BATCH]
        )
        for attempt_id in expired:
            reaped += attempt_end(attempt_id=attempt_id, cause=LOST_BY_WORKER, now=now, lease_expired_before=now)
        if len(expired) < BATCH:
            return reaped
