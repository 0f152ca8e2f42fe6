"""Reads of call tracking: a customer's pools with their numbers, and per-pool figures."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from customers.models import Customer
from customers.tenancy import scoped
from pools.models import DNISession, TrackedCall, TrackingNumber, TrackingPool, TrackingPoolStatus

UTILISATION_WARNING = 0.75


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


def tracking_pool_by_public_key(public_key: str) -> TrackingPool | None:
    return (
        TrackingPool.objects.select_related("customer")
        .filter(public_key=public_key, status=TrackingPoolStatus.ACTIVE, customer__is_active=True)
        .first()
    )


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


def _peaks(intervals: list[tuple[datetime.datetime, datetime.datetime]], start, hours: int):
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


def pool_figures(pool: TrackingPool, *, hours: int = 24, now: datetime.datetime | None = None) -> PoolFigures:
    """Sessions, calls, calls by source and utilisation over the last ``hours``."""
    now = now or timezone.now()
    start = (now - datetime.timedelta(hours=hours - 1)).replace(minute=0, second=0, microsecond=0)
    size = (
        len(pool.current_numbers) if hasattr(pool, "current_numbers") else pool.numbers.filter(removed_at=None).count()
    )
    figures = PoolFigures(pool=pool, size=size)
    counts = DNISession.objects.filter(pool=pool).aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(expires_at__gt=now))
    )
    figures.sessions, figures.active_sessions = counts["total"], counts["active"]
    calls = TrackedCall.objects.filter(pool=pool).aggregate(
        total=Count("pk"),
        attributed=Count("pk", filter=Q(session__isnull=False)),
        ambiguous=Count("pk", filter=Q(ambiguous=True)),
    )
    figures.calls, figures.attributed_calls, figures.ambiguous_calls = (
        calls["total"],
        calls["attributed"],
        calls["ambiguous"],
    )
    figures.calls_by_source = list(
        TrackedCall.objects.filter(pool=pool, session__isnull=False)
        .values_list("source")
        .annotate(n=Count("pk"))
        .order_by("-n", "source")
    )
    intervals = list(
        DNISession.objects.filter(pool=pool, expires_at__gt=start, started_at__lte=now).values_list(
            "started_at", "expires_at"
        )
    )
    intervals = [(b, min(e, now)) for b, e in intervals]
    figures.peak, figures.series = _peaks(intervals, start, hours)
    return figures


def recent_calls(pool: TrackingPool, limit: int = 20) -> QuerySet[TrackedCall]:
    return TrackedCall.objects.filter(pool=pool).select_related("number__did").order_by("-called_at")[:limit]
