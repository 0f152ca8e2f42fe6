from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import Case, Count, F, FloatField, QuerySet, When
from django.utils import timezone

from call_tracking.selectors import serving_tracking
from campaigns.dialer.window import open_zones, period_open, zone_in_period
from campaigns.models import App, CallJob, Campaign, CampaignStatus, JobStatus
from compliance.selectors import legal_open
from customers.tenancy import get_scoped_or_404, scoped
from dids.models import DID, DIDStatus
from distribution_lists.models import Contact
from telephony.zones import zone_names, zone_place

if TYPE_CHECKING:
    from callerid_pools.models import NumberPool
    from customers.models import Customer
    from dids.models import DID


def apps_for(customer: Customer | None) -> QuerySet[App]:
    """The customer's own apps and the global ones."""
    return scoped(App.objects.select_related("customer"), customer, include_global=True).order_by("is_global", "name")


def campaigns_of(customer: Customer | None) -> QuerySet[Campaign]:
    return scoped(Campaign.objects.all(), customer)


def a_number_dids_for(customer: Customer | None) -> QuerySet[DID]:
    """DIDs a campaign of ``customer`` may call from: the ones assigned to it, except those serving a
    call-tracking pool (a tracking number is never an outgoing caller ID)."""
    return (
        scoped(DID.objects.filter(status=DIDStatus.ASSIGNED), customer).exclude(serving_tracking()).order_by("number")
    )


def a_number_pools_for(customer: Customer | None) -> QuerySet[NumberPool]:
    """Numbers pools a campaign of ``customer`` may call from: its own and the global ones."""
    pool_model = apps.get_model("callerid_pools", "NumberPool")
    return scoped(pool_model.objects.all(), customer, include_global=True).order_by("name")


def campaign_cards(customer: Customer | None) -> QuerySet[Campaign]:
    """Campaigns with what their cards show, in a fixed number of queries."""
    return (
        campaigns_of(customer)
        .select_related("app", "distribution_list", "a_number_did", "a_number_pool")
        .annotate(
            progress=Case(
                When(stat_contacts=0, then=0.0),
                default=F("stat_done") * 1.0 / F("stat_contacts"),
                output_field=FloatField(),
            )
        )
    )


def folder_counts(customer: Customer | None) -> dict[str, int]:
    counts = dict(campaigns_of(customer).values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    counts["all"] = sum(counts.values())
    return counts


def campaign_for(customer: Customer | None, campaign_id: int) -> Campaign:
    queryset = Campaign.objects.select_related("app", "distribution_list", "a_number_did", "a_number_pool")
    return get_scoped_or_404(queryset, customer, pk=campaign_id)


# The legal-hours warning names this many places, then says how many more.
PLACES_NAMED = 4


@dataclass(frozen=True)
class LegalConflict:
    contacts: int  # contacts whose zones would be inside the campaign's window but outside legal hours
    zones: tuple[str, ...]  # their zone keys

    @property
    def places(self) -> list[str]:
        """The zones of every key, by place name ("Los Angeles"), each once."""
        return sorted({zone_place(name) for key in self.zones for name in zone_names(key)})

    @property
    def places_summary(self) -> str:
        """ "Adak, Anchorage, Berlin, London and 8 more" — a customer reads a few names, not a dozen."""
        places = self.places
        if len(places) > PLACES_NAMED + 1:
            return f"{', '.join(places[:PLACES_NAMED])} and {len(places) - PLACES_NAMED} more"
        return " and ".join(filter(None, [", ".join(places[:-1]), places[-1] if places else ""]))


def legal_hours_conflict(campaign: Campaign, *, now: dt.datetime | None = None) -> LegalConflict:
    """Whether the campaign's window lies outside legal hours for part of its list, and for how many contacts.

    Each distinct zone key of the list is checked over one week in 15-minute
    steps: a step inside the campaign's window but outside legal hours is a
    conflict (the dialer will not call then). Work: one grouped count of the
    list's contacts by zone, then per key, never per contact.
    """
    if campaign.distribution_list_id is None:
        return LegalConflict(0, ())
    now = now or timezone.now()
    monday = (now.astimezone(dt.UTC) - dt.timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    steps = [monday + dt.timedelta(minutes=15 * n) for n in range(7 * 24 * 4)]
    by_zone = (
        Contact.objects.filter(distribution_list_id=campaign.distribution_list_id)
        .order_by()
        .values_list("time_zone")
        .annotate(n=Count("pk"))
    )
    contacts, zones = 0, []
    for key, count in by_zone:
        key = key or campaign.time_zone
        if any(period_open(campaign, key, step) and not legal_open(key, step) for step in steps):
            contacts += count
            zones.append(key)
    return LegalConflict(contacts, tuple(sorted(zones)))


# --- Nobody can be called now -------------------------------------------------------------

# How far ahead the next calling time is looked for, and in what steps (refined to the minute).
NEXT_START_HORIZON = dt.timedelta(days=8)
NEXT_START_STEP = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class NotCallingNow:
    """A launched campaign none of whose waiting contacts may be called at ``now``, and why."""

    now: dt.datetime
    waiting: int  # contacts waiting for a call
    outside_legal: int  # of which outside legal calling hours in their zone only
    outside_period: int  # of which outside the campaign's work period or days only
    outside_both: int  # of which outside both
    next_start: dt.datetime | None  # when the first of them may be called, None when not within the horizon

    @property
    def reason(self) -> str:
        groups = [
            (self.outside_legal, "legal calling hours"),
            (self.outside_period, "the campaign's work period (hours and days)"),
            (self.outside_both, "both legal calling hours and the campaign's work period (hours and days)"),
        ]
        groups = [(n, what) for n, what in groups if n]
        if len(groups) == 1:
            n, what = groups[0]
            if what == "legal calling hours":
                return (
                    "it is outside legal calling hours in the contact's time zone"
                    if n == 1
                    else f"it is outside legal calling hours for all {n} contacts' time zones"
                )
            return f"it is outside {what} for {'the contact' if n == 1 else f'all {n} contacts'}"
        parts = [f"outside {what} for {n} contact{'s' if n != 1 else ''}" for n, what in groups]
        return "it is " + ", ".join(parts[:-1]) + " and " + parts[-1]

    @property
    def next_start_text(self) -> str:
        if self.next_start is None:
            return (
                f"No time in the next {NEXT_START_HORIZON.days} days is open for them: "
                "check the campaign's work period and days."
            )
        local = timezone.localtime(self.next_start)
        today = timezone.localtime(self.now).date()
        if local.date() == today:
            day = ""
        elif local.date() == today + dt.timedelta(days=1):
            day = " tomorrow"
        else:
            day = f" on {local:%a} {local.day} {local:%b}"
        return (
            f"Calling starts{day} at {local:%H:%M} {timezone.get_current_timezone_name()} "
            f"({in_words(self.next_start - self.now)})."
        )

    @property
    def message(self) -> str:
        return f"Nobody can be called now: {self.reason}. {self.next_start_text}"


def in_words(delta: dt.timedelta) -> str:
    """ "in 25 min", "in 3 h", "in 2 h 40 min", "in 2 days 11 h" (rounded up to the minute)."""
    minutes = max(1, -(-int(delta.total_seconds()) // 60))
    if minutes < 60:
        return f"in {minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours >= 48:
        days, hours = divmod(hours, 24)
        return f"in {days} days" + (f" {hours} h" if hours else "")
    return f"in {hours} h" + (f" {rest} min" if rest and hours < 10 else "")


def not_calling_now(campaign: Campaign, *, now: dt.datetime | None = None) -> NotCallingNow | None:
    """Why a launched campaign calls nobody now — every waiting contact's zone outside legal hours
    or the work period — and when it will start; None when someone can be called (or nobody waits).

    It asks the dialer's own test (``zone_in_period``: the work period and days, legal hours) of
    the dialer's own data (the waiting jobs' zone keys), so the page and the dialer cannot disagree.
    Work: an index probe (is a job waiting in a zone open now?), then, only when none is, one
    grouped count of the waiting jobs by zone key (the pending-by-zone index); per key, never per
    contact. The next start is the first quarter hour in which a key opens, refined to the minute.
    """
    if campaign.status != CampaignStatus.LAUNCHED:
        return None
    now = now or timezone.now()
    if campaign.scheduled_at and campaign.scheduled_at > now:
        return None  # the page says when it starts
    pending = CallJob.objects.filter(campaign_id=campaign.pk, status=JobStatus.PENDING).order_by()
    open_now = open_zones(campaign, now)
    if open_now and pending.filter(time_zone__in=open_now).exists():
        return None
    by_zone = dict(pending.values_list("time_zone").annotate(n=Count("pk")).values_list("time_zone", "n"))
    if not by_zone or any(zone_in_period(campaign, key, now) for key in by_zone):
        return None
    counts = {(False, True): 0, (True, False): 0, (False, False): 0}  # (legal open, period open) → contacts
    for key, n in by_zone.items():
        counts[(legal_open(key, now), period_open(campaign, key, now))] += n
    return NotCallingNow(
        now=now,
        waiting=sum(by_zone.values()),
        outside_legal=counts[(False, True)],
        outside_period=counts[(True, False)],
        outside_both=counts[(False, False)],
        next_start=_next_start(campaign, list(by_zone), now),
    )


def _next_start(campaign: Campaign, keys: list[str], now: dt.datetime) -> dt.datetime | None:
    def opens(moment: dt.datetime) -> bool:
        return any(zone_in_period(campaign, key, moment) for key in keys)

    step = NEXT_START_STEP
    start = now.astimezone(dt.UTC)
    first = start - (start - start.replace(minute=0, second=0, microsecond=0)) % step + step
    moment = first
    while moment - now <= NEXT_START_HORIZON:
        if opens(moment):
            minute = max(moment - step + dt.timedelta(minutes=1), now)
            minute = minute.replace(second=0, microsecond=0)
            while minute < moment:
                if minute > now and opens(minute):
                    return minute
                minute += dt.timedelta(minutes=1)
            return moment
        moment += step
    return None
