from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import Case, Count, F, FloatField, QuerySet, When
from django.utils import timezone

from call_tracking.selectors import serving_tracking
from campaigns.dialer.window import period_open
from campaigns.models import App, Campaign
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
