"""Building launched campaigns and playing their calls out in-process (unit tests)."""

from __future__ import annotations

import datetime as dt

from campaigns.models import AttemptStatus, CallAttempt, Campaign
from campaigns.tests.factories import make_campaign, ready_list


def dialer_campaign(customer, *, contacts: int = 5, zones: list[str] | None = None, launch: bool = True, **fields):
    """A campaign over a fresh list of ``contacts`` (zones assigned round-robin), launched unless told."""
    from campaigns.services import campaign_launch
    from distribution_lists.models import Contact

    fields.setdefault("lines", 5)
    campaign = make_campaign(customer, name=fields.pop("name", f"Dial {Campaign.objects.count() + 1}"), **fields)
    campaign.distribution_list = ready_list(customer, contacts=contacts)
    campaign.save()
    if zones:
        contacts_ = list(Contact.objects.filter(distribution_list=campaign.distribution_list).order_by("row_number"))
        for n, contact in enumerate(contacts_):
            contact.time_zone = zones[n % len(zones)]
        Contact.objects.bulk_update(contacts_, ["time_zone"])
    if launch:
        campaign = campaign_launch(campaign=campaign)
    return campaign


def unplaced(campaign=None):
    queryset = CallAttempt.objects.filter(status=AttemptStatus.DIALING, worker="")
    return queryset.filter(campaign=campaign) if campaign else queryset


def play_calls(campaign=None) -> int:
    """Run the call task's service for every attempt waiting for a worker (what the Celery worker does)."""
    from campaigns.dialer import attempt_place

    placed = 0
    for attempt_id in list(unplaced(campaign).values_list("pk", flat=True)):
        placed += attempt_place(attempt_id=attempt_id, worker="test-worker")
    return placed


def at(text: str) -> dt.datetime:
    """An aware UTC datetime from 'YYYY-MM-DD HH:MM'."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def legal_hours_off_for_subprocesses(request) -> None:
    """Tests not marked ``compliance`` run without legal calling hours; the root conftest switches them
    off in this process only, so the table the migration ships is emptied for the processes a test
    starts (workers, call engines), whose take-time re-check reads it."""
    if not request.node.get_closest_marker("compliance"):
        from compliance.models import LegalWindow

        LegalWindow.objects.all().delete()
