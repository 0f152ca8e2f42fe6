"""The reaper: attempts whose lease ran out were lost by their worker.

``attempt_expire`` decides by how far the call got: one that never reached
the gateway is withdrawn as if it had not happened, one answered ends as
answered (P05), any other ends as failed with P03 through the one outcome
service, so the failed-call repeat rule decides whether the contact is called
again — a contact is never lost, and the attempt (taken by compare-and-set)
is never placed a second time.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from campaigns.dialer.calls import attempt_expire
from campaigns.dialer.store.calls import expired_attempt_ids

BATCH = 1000


def dialer_reap(*, now: dt.datetime | None = None) -> int:
    """End every expired dialing attempt; returns how many this run ended."""
    now = now or timezone.now()
    reaped = 0
    while True:
        expired = expired_attempt_ids(now=now, limit=BATCH)
        for attempt_id in expired:
            reaped += attempt_expire(attempt_id=attempt_id, now=now)
        if len(expired) < BATCH:
            return reaped
