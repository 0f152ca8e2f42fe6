"""Rebuilding a campaign's quarter-hour tallies from its attempts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count
from django.db.models.functions import TruncMinute

from campaigns.causes import Outcome
from campaigns.dialer.store._db import ATTEMPT, TALLY, execute, postgresql
from campaigns.models import TALLY_SLOT, CallAttempt, CallTally, Campaign, tally_slot

_SUMS = ", ".join(f"count(*) FILTER (WHERE outcome = %(outcome_{o})s)" for o in Outcome.values)
_OUTCOMES = ", ".join(f"%(outcome_{o})s" for o in Outcome.values)
_REBUILD = (
    f"INSERT INTO {TALLY} (campaign_id, customer_id, slot, {', '.join(Outcome.values)})"
    f" SELECT %(campaign)s, %(customer)s, date_bin(%(slot)s, started_at, timestamptz '2000-01-01 00:00+00') AS slot,"
    f" {_SUMS} FROM {ATTEMPT} WHERE campaign_id = %(campaign)s AND outcome IN ({_OUTCOMES}) GROUP BY slot"
)


def tallies_rebuild(*, campaign: Campaign) -> int:
    """Replace the campaign's tallies with counts of its ended attempts; returns the rows written."""
    CallTally.objects.filter(campaign=campaign).delete()
    if postgresql():
        # Set-based: a campaign may have millions of attempts.
        params = {"campaign": campaign.pk, "customer": campaign.customer_id, "slot": TALLY_SLOT}
        return execute(_REBUILD, {**params, **{f"outcome_{o}": o for o in Outcome.values}})
    counts: dict[dt.datetime, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Outcome.values, 0))
    grouped = (
        CallAttempt.objects.filter(campaign=campaign, outcome__in=Outcome.values)
        .annotate(minute=TruncMinute("started_at", tzinfo=dt.UTC))
        .values("minute", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("minute", "outcome", "n")
    )
    for minute, outcome, n in grouped:
        counts[tally_slot(minute)][outcome] += n
    CallTally.objects.bulk_create(
        CallTally(campaign=campaign, customer_id=campaign.customer_id, slot=slot, **values)
        for slot, values in counts.items()
    )
    return len(counts)
