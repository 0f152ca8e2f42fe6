"""Contact caps, applied by the dispatcher to the jobs it is about to claim.

At most N attempts to one B-number per day and per week across all of a
customer's campaigns (``COMPLIANCE_CALLS_PER_DAY`` / ``_PER_WEEK``, a
customer's ``CustomerCaps`` override wins). Days and weeks are UTC calendar
days and ISO weeks (Monday 00:00 UTC). A job over its cap is not lost: it
stays pending, due again when the day (or week) that capped it ends. Work is
one grouped count over the attempts of the numbers being claimed (index
``call_attempt_b_number``), never over the list.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from campaigns.models import CallAttempt
from compliance.selectors import caps_for


def day_start(now: dt.datetime) -> dt.datetime:
    return now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def week_start(now: dt.datetime) -> dt.datetime:
    day = day_start(now)
    return day - dt.timedelta(days=day.weekday())


def over_cap(*, customer_id: int, phones: list[str], now: dt.datetime) -> dict[str, dt.datetime]:
    """The numbers among ``phones`` that reached a cap, each with when it may be called again."""
    per_day, per_week = caps_for(customer_id)
    if not phones:
        return {}
    today, week = day_start(now), week_start(now)
    counts = (
        CallAttempt.objects.filter(b_number__in=set(phones), started_at__gte=week, campaign__customer_id=customer_id)
        .order_by()
        .values_list("b_number")
        .annotate(day=Count("pk", filter=Q(started_at__gte=today)), week=Count("pk"))
    )
    capped = {}
    for phone, in_day, in_week in counts:
        if in_week >= per_week:
            capped[phone] = week + dt.timedelta(days=7)
        elif in_day >= per_day:
            capped[phone] = today + dt.timedelta(days=1)
    return capped
