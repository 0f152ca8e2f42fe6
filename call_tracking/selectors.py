"""Reads of call tracking: a customer's pools with their numbers, and per-pool figures."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from call_tracking.models import DNISession, TrackedCall, TrackingNumber, TrackingPool, TrackingPoolStatus
from customers.models import Customer
from customers.tenancy import scoped

UTILISATION_WARNING = 0.75


# --- numbers that track calls: never an outgoing caller ID ----------------------------
# A tracking number answers for a web site: a call to it is counted as a visit's call.
# Calls placed from it would bring callbacks that are counted as visits, so a number
# serving a tracking pool may not join a caller-ID pool nor be a campaign's A-number
# (callerid_pools.services.did_pool_refusal, campaigns.contract.clean_a_number,
# campaigns.services.campaign_launch).


def serving_tracking(did_ref: str = "pk") -> Exists:
    """True for a DID (``OuterRef(did_ref)``) that is a current number of a tracking pool."""
    return Exists(TrackingNumber.objects.filter(did_id=OuterRef(did_ref), removed_at__isnull=True))


def tracking_pools_serving(did_ids: Iterable[int]) -> dict[int, str]:
    """DID id → the name of the tracking pool it serves now, for the DIDs of ``did_ids`` that serve one."""
    rows = TrackingNumber.objects.filter(did_id__in=list(did_ids), removed_at__isnull=True).values_list(
        "did_id", "pool__name"
    )
    return dict(rows)


def caller_id_refusal(number: str, tracking_pool_name: str) -> str:
    """The message refusing ``number`` as an outgoing caller ID because it tracks calls."""
    return (
        f"{number} is a number of call-tracking pool “{tracking_pool_name}”: a number that tracks calls "
        "for a web site cannot be used as an outgoing caller ID (the callbacks would be counted as visits): "
        "choose another number."
    )


def current_numbers() -> Prefetch:
    return Prefetch(
        "numbers",
        queryset=TrackingNumber.objects.filter(removed_at__isnull=True).select_related("did").order_by("did__number"),
        to_attr="current_numbers",
    )


def tracking_pools_for(customer: Customer | None) -> QuerySet[TrackingPool]:
    """The customer's active pools, each with ``current_numbers`` prefetched."""
    return (
        scoped(TrackingPool.objects.all(), customer)
        .filter(status=TrackingPoolStatus.ACTIVE)
        .prefetch_related(current_numbers())
        .order_by("pk")
    )


# Every DNI request looks its pool up by public key; a few seconds' memory of
# it saves a round trip on each. A change made in this process forgets it at
# once (``forget_public_keys``); other processes see it within the TTL.
PUBLIC_KEY_TTL_SECONDS = 5.0
_by_public_key: dict[str, tuple[float, TrackingPool | None]] = {}


def tracking_pool_by_public_key(public_key: str) -> TrackingPool | None:
    now = time.monotonic()
    cached = _by_public_key.get(public_key)
    if cached is not None and cached[0] > now:
        return cached[1]
    pool = (
        TrackingPool.objects.select_related("customer")
        .filter(public_key=public_key, status=TrackingPoolStatus.ACTIVE, customer__is_active=True)
        .first()
    )
    if len(_by_public_key) > 10_000:  # keys are guessable input: bound the memory
        _by_public_key.clear()
    _by_public_key[public_key] = (now + PUBLIC_KEY_TTL_SECONDS, pool)
    return pool


def forget_public_keys() -> None:
    _by_public_key.clear()


@dataclass
class PoolFigures:
    pool: TrackingPool
    size: int
    sessions: int = 0
    active_sessions: int = 0
    calls: int = 0
    attributed_calls: int = 0
    ambiguous_calls: int = 0
    calls_by_source: list[tuple[str, int]] = field(default_factory=list)
    peak: int = 0
    # (start of the hour, peak simultaneous sessions) over the window
    series: list[tuple[datetime.datetime, int]] = field(default_factory=list)

    @property
    def utilisation(self) -> float:
        return self.peak / self.size if self.size else 0.0

    @property
    def utilisation_percent(self) -> int:
        return round(self.utilisation * 100)

    @property
    def warning(self) -> bool:
        return self.utilisation > UTILISATION_WARNING


def _peaks(
    intervals: list[tuple[datetime.datetime, datetime.datetime]], start: datetime.datetime, hours: int
) -> tuple[int, list[tuple[datetime.datetime, int]]]:
    """Peak simultaneous sessions overall and per hour: one sweep over start/end events."""
    events = sorted(
        [(max(begin, start), 1) for begin, _ in intervals] + [(end, -1) for _, end in intervals],
        key=lambda e: (e[0], e[1]),  # an end before a start at the same instant
    )
    series = [0] * hours
    level = peak = 0
    hour = 0
    for moment, delta in events:
        bucket = min(int((moment - start).total_seconds() // 3600), hours - 1)
        while hour < bucket:  # the sessions still open carry into the next hours
            hour += 1
            series[hour] = max(series[hour], level)
        level += delta
        series[hour] = max(series[hour], level)
        peak = max(peak, level)
    return peak, [(start + datetime.timedelta(hours=h), series[h]) for h in range(hours)]


def pools_figures(
    pools: list[TrackingPool], *, hours: int = 24, now: datetime.datetime | None = None
) -> list[PoolFigures]:
    """Sessions, calls, calls by source and utilisation over the last ``hours`` of each pool.

    A fixed number of queries whatever the number of pools (each an aggregate
    grouped by pool); the pools need ``current_numbers`` (``tracking_pools_for``).
    """
    now = now or timezone.now()
    start = (now - datetime.timedelta(hours=hours - 1)).replace(minute=0, second=0, microsecond=0)
    ids = [pool.pk for pool in pools]
    figures = {pool.pk: PoolFigures(pool=pool, size=len(pool.current_numbers)) for pool in pools}
    for row in (
        DNISession.objects.filter(pool__in=ids)
        .values("pool")
        .annotate(total=Count("pk"), active=Count("pk", filter=Q(expires_at__gt=now)))
    ):
        figures[row["pool"]].sessions, figures[row["pool"]].active_sessions = row["total"], row["active"]
    for calls in (
        TrackedCall.objects.filter(pool__in=ids)
        .values("pool")
        .annotate(
            calls_total=Count("pk"),
            calls_attributed=Count("pk", filter=Q(session__isnull=False)),
            calls_ambiguous=Count("pk", filter=Q(ambiguous=True)),
        )
    ):
        f = figures[calls["pool"]]
        f.calls, f.attributed_calls = calls["calls_total"], calls["calls_attributed"]
        f.ambiguous_calls = calls["calls_ambiguous"]
    for pool_id, source, count in (
        TrackedCall.objects.filter(pool__in=ids, session__isnull=False)
        .values_list("pool", "source")
        .annotate(n=Count("pk"))
        .order_by("pool", "-n", "source")
    ):
        figures[pool_id].calls_by_source.append((source, count))
    intervals: dict[int, list] = {pk: [] for pk in ids}
    for pool_id, begin, end in DNISession.objects.filter(
        pool__in=ids, expires_at__gt=start, started_at__lte=now
    ).values_list("pool", "started_at", "expires_at"):
        intervals[pool_id].append((begin, min(end, now)))
    for pool_id, f in figures.items():
        f.peak, f.series = _peaks(intervals[pool_id], start, hours)
    return [figures[pk] for pk in ids]


def pool_figures(pool: TrackingPool, *, hours: int = 24, now: datetime.datetime | None = None) -> PoolFigures:
    if not hasattr(pool, "current_numbers"):
        pool.current_numbers = list(pool.numbers.filter(removed_at__isnull=True).select_related("did"))
    return pools_figures([pool], hours=hours, now=now)[0]


def recent_calls(pool: TrackingPool, limit: int = 20) -> QuerySet[TrackedCall]:
    return TrackedCall.objects.filter(pool=pool).select_related("number__did").order_by("-called_at")[:limit]
