"""The customer's home page: every figure of the overview, read with a fixed number of queries.

A selector (reads only, scoped to the customer through ``customers.tenancy``).
Nothing here grows with the customer's data: calls come from the quarter-hour
``CallTally`` rows (at most 96 a day per campaign that called), never from the
attempts; lists, campaigns and numbers are grouped counts on indexes that
start with the customer; the lists of running campaigns and of imports are
capped. ``home_overview`` runs ``HOME_QUERIES`` queries whatever the size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum
from django.utils import timezone

from call_tracking.models import TrackedCall, TrackingPool, TrackingPoolStatus
from callerid_pools.models import NumberPool, NumberPoolMember
from campaigns.causes import Outcome
from campaigns.charts import OutcomeChart, series
from campaigns.models import AttemptStatus, CallAttempt, CallTally, Campaign, CampaignStatus
from customers.models import Customer
from customers.tenancy import scoped
from dids.models import DID, DIDStatus
from distribution_lists.models import DistributionList

HOME_QUERIES = 12
RUNNING_SHOWN = 6
IMPORTS_SHOWN = 5
CHART_DAYS = 7


@dataclass
class CallFigures:
    answered: int = 0
    no_answer: int = 0
    busy: int = 0
    failed: int = 0
    in_progress: int = 0

    @property
    def ended(self) -> int:
        return self.answered + self.no_answer + self.busy + self.failed

    @property
    def placed(self) -> int:
        return self.ended + self.in_progress

    @property
    def answer_rate(self) -> int | None:
        """Answered per ended call, in percent; None before any call ended."""
        return round(100 * self.answered / self.ended) if self.ended else None


@dataclass
class Overview:
    customer: Customer
    today: CallFigures
    week: CallFigures
    week_start: dt.datetime
    chart_today: OutcomeChart
    chart_week: OutcomeChart
    campaigns_by_status: dict[str, int]
    running: list[Campaign]
    imports: list[DistributionList]
    lists_by_status: dict[str, int]
    numbers_by_status: dict[str, int]
    pools: dict[str, int]
    tracking: dict[str, int]
    active_tokens: int

    @property
    def running_count(self) -> int:
        return self.campaigns_by_status.get(CampaignStatus.LAUNCHED, 0)

    @property
    def numbers_total(self) -> int:
        return sum(self.numbers_by_status.values())

    @property
    def numbers_on_hold(self) -> int:
        return self.numbers_by_status.get(DIDStatus.HOLD, 0)

    @property
    def chart_payload(self) -> dict:
        return {"ranges": {"today": series(self.chart_today), "week": series(self.chart_week)}}


def _local_midnight(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    local = moment.astimezone(zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _call_figures(
    customer: Customer, *, since: dt.datetime, today_start: dt.datetime, week_start: dt.datetime
) -> tuple[CallFigures, CallFigures, list[tuple[dt.datetime, dict[str, int]]]]:
    """Today's and this week's calls, and the quarter hours since ``since`` for the charts (two queries)."""
    # 1. Ended calls per quarter hour since the earliest start shown (a few hundred rows at most).
    slots = (
        scoped(CallTally.objects.all(), customer)
        .filter(slot__gte=since)
        .values("slot")
        .annotate(**{o: Sum(o) for o in Outcome.values})
        .order_by("slot")
        .values_list("slot", *Outcome.values)
    )
    today, week = CallFigures(), CallFigures()
    quarter_hours: list[tuple[dt.datetime, dict[str, int]]] = []
    for slot, *counts in slots:
        values = dict(zip(Outcome.values, counts, strict=True))
        quarter_hours.append((slot, values))
        for figures, start in ((today, today_start), (week, week_start)):
            if slot >= start:
                for outcome, n in values.items():
                    setattr(figures, outcome, getattr(figures, outcome) + n)
    # 2. Calls ringing now (a partial index holds only dialing attempts, platform-wide a few dozen).
    dialing = (
        CallAttempt.objects.filter(status=AttemptStatus.DIALING, campaign__in=scoped(Campaign.objects.all(), customer))
        .filter(started_at__gte=since)
        .aggregate(
            today=Count("pk", filter=Q(started_at__gte=today_start)),
            week=Count("pk", filter=Q(started_at__gte=week_start)),
        )
    )
    today.in_progress, week.in_progress = dialing["today"], dialing["week"]
    return today, week, quarter_hours


def _campaign_figures(customer: Customer) -> tuple[dict[str, int], list[Campaign]]:
    """3. Campaigns per status, 4. the running ones (launched first, then paused) with their counters."""
    campaigns = scoped(Campaign.objects.all(), customer)
    campaigns_by_status = dict(campaigns.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    running = list(
        campaigns.filter(status__in=[CampaignStatus.LAUNCHED, CampaignStatus.PAUSED])
        .order_by("status", "-launched_at", "-pk")
        .only(
            "pk",
            "name",
            "status",
            "lines",
            "launched_at",
            "stat_contacts",
            "stat_called",
            "stat_answered",
            "stat_no_answer",
            "stat_busy",
            "stat_failed",
            "stat_done",
            "stat_suppressed",
        )[:RUNNING_SHOWN]
    )
    return campaigns_by_status, running


def _numbers_by_status(customer: Customer) -> dict[str, int]:
    """7. The customer's numbers per status."""
    return dict(
        scoped(DID.objects.all(), customer)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("status", "n")
    )


def _pool_figures(customer: Customer) -> dict[str, int]:
    """8. Caller-ID pools (own and global) and 9. their members, of which how many are on hold."""
    visible_pools = scoped(NumberPool.objects.all(), customer, include_global=True)
    pools = visible_pools.aggregate(
        own=Count("pk", filter=Q(is_global=False)), shared=Count("pk", filter=Q(is_global=True))
    )
    pools.update(
        NumberPoolMember.objects.filter(pool__in=visible_pools).aggregate(
            members=Count("pk"), members_on_hold=Count("pk", filter=Q(did__status=DIDStatus.HOLD))
        )
    )
    return pools


def _tracking_figures(customer: Customer, *, today_start: dt.datetime, week_start: dt.datetime) -> dict[str, int]:
    """10. Call tracking: calls today and this week, and 11. active pools with their numbers."""
    tracking_pools = scoped(TrackingPool.objects.all(), customer).filter(status=TrackingPoolStatus.ACTIVE)
    tracking = TrackedCall.objects.filter(pool__in=tracking_pools, called_at__gte=week_start).aggregate(
        calls_today=Count("pk", filter=Q(called_at__gte=today_start)),
        attributed_today=Count("pk", filter=Q(called_at__gte=today_start, session__isnull=False)),
        calls_week=Count("pk"),
        attributed_week=Count("pk", filter=Q(session__isnull=False)),
    )
    tracking.update(
        tracking_pools.aggregate(
            pools=Count("pk", distinct=True), numbers=Count("numbers", filter=Q(numbers__removed_at__isnull=True))
        )
    )
    return tracking


def home_overview(customer: Customer, *, now: dt.datetime | None = None) -> Overview:
    """Everything the home page shows, in the customer's time zone (``HOME_QUERIES`` queries, numbered below)."""
    now = now or timezone.now()
    zone = ZoneInfo(customer.time_zone)
    today_start = _local_midnight(now, zone)
    week_start = today_start - dt.timedelta(days=today_start.weekday())
    chart_start = today_start - dt.timedelta(days=CHART_DAYS - 1)
    tomorrow = today_start + dt.timedelta(days=1)
    today, week, quarter_hours = _call_figures(
        customer, since=min(week_start, chart_start), today_start=today_start, week_start=week_start
    )
    campaigns_by_status, running = _campaign_figures(customer)

    lists = scoped(DistributionList.objects.all(), customer)
    # 5. Lists per status, 6. the imports in progress.
    lists_by_status = dict(lists.values("status").annotate(n=Count("pk")).order_by().values_list("status", "n"))
    imports = list(
        lists.filter(status=DistributionList.Status.PROCESSING)
        .select_related("job")
        .only(
            "pk",
            "name",
            "status",
            "created_at",
            "job__status",
            "job__phase",
            "job__rows_read",
            "job__rows_total",
            "job__rows_saved",
            "job__rows_to_save",
        )
        .order_by("-created_at", "-pk")[:IMPORTS_SHOWN]
    )

    return Overview(
        customer=customer,
        today=today,
        week=week,
        week_start=week_start,
        chart_today=OutcomeChart.from_slots(
            quarter_hours, start=today_start, end=tomorrow, width=dt.timedelta(hours=1), zone=zone
        ),
        chart_week=OutcomeChart.from_slots(
            quarter_hours, start=chart_start, end=tomorrow, width=dt.timedelta(hours=3), zone=zone
        ),
        campaigns_by_status=campaigns_by_status,
        running=running,
        imports=imports,
        lists_by_status=lists_by_status,
        numbers_by_status=_numbers_by_status(customer),
        pools=_pool_figures(customer),
        tracking=_tracking_figures(customer, today_start=today_start, week_start=week_start),
        # 12. API tokens in use.
        active_tokens=customer.api_tokens.filter(revoked_at=None).count(),
    )
