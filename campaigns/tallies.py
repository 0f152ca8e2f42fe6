"""Quarter-hour tallies of ended calls (``CallTally``): the slot of a moment, and rebuilding them.

The outcome service adds to a tally as each attempt ends; ``call_tally_rebuild``
recomputes a campaign's tallies from its attempts (the migration that
introduced them, attempts written straight to the database by tests and
benchmarks).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import TruncMinute

from campaigns.causes import Outcome
from campaigns.models import TALLY_SLOT, CallAttempt, CallTally, Campaign

_SLOT_MINUTES = int(TALLY_SLOT.total_seconds() // 60)


def tally_slot(moment: dt.datetime) -> dt.datetime:
    """The start (UTC) of the quarter hour that holds ``moment``."""
    moment = moment.astimezone(dt.UTC)
    return moment.replace(minute=moment.minute - moment.minute % _SLOT_MINUTES, second=0, microsecond=0)


@transaction.atomic
def call_tally_rebuild(*, campaign: Campaign) -> int:
    """Replace the campaign's tallies with counts of its ended attempts; returns the rows written."""
    CallTally.objects.filter(campaign=campaign).delete()
    ended = CallAttempt.objects.filter(campaign=campaign, outcome__in=Outcome.values)
    if connection.vendor == "postgresql":
        # Set-based: a campaign may have millions of attempts.
        sums = ", ".join(f"count(*) FILTER (WHERE outcome = '{o}')" for o in Outcome.values)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {CallTally._meta.db_table} (campaign_id, customer_id, slot, {", ".join(Outcome.values)})
                SELECT %s, %s, date_bin(%s, started_at, timestamptz '2000-01-01 00:00+00') AS slot, {sums}
                FROM {CallAttempt._meta.db_table} WHERE campaign_id = %s AND outcome = ANY(%s) GROUP BY slot
                """,
                # The stubs list the parameter types too narrowly: psycopg adapts a timedelta as an interval.
                [campaign.pk, campaign.customer_id, TALLY_SLOT, campaign.pk, list(Outcome.values)],  # type: ignore[list-item]
            )
            return cursor.rowcount
    counts: dict[dt.datetime, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Outcome.values, 0))
    grouped = (
        ended.annotate(minute=TruncMinute("started_at", tzinfo=dt.UTC))
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
