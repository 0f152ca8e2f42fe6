"""Launch: the list's contacts become call jobs in one set-based statement."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from campaigns.dialer.store import launch as store
from campaigns.models import Campaign


def campaign_snapshot(*, campaign: Campaign, now: dt.datetime) -> int:
    """Copy every contact of the campaign's list into a pending job; returns how many.

    One ``INSERT … SELECT`` (no Python loop over contacts): a million contacts
    stay in the database. Contacts are the list's correct rows, duplicates
    already excluded at import; a contact without a zone takes the campaign's.
    The jobs are due at once (the dispatcher still waits for the scheduled
    time and the work period). Run inside the launch's transaction, which
    holds the campaign's row lock and moves it out of draft: the one snapshot
    of a campaign, so one job per contact (no unique index to fill).

    A contact on the platform's or the customer's do-not-call list becomes a
    suppressed job in the same statement (dnc/dialer.py), counted as done.
    """
    with transaction.atomic():
        snapshot = store.jobs_snapshot(campaign=campaign, now=now)
        zones = store.job_zones(campaign.pk)
        Campaign.objects.filter(pk=campaign.pk).update(
            stat_contacts=snapshot.created,
            stat_suppressed=snapshot.suppressed,
            stat_done=snapshot.suppressed,
            dialer_zones=zones,
        )
    campaign.stat_contacts = snapshot.created
    campaign.stat_suppressed = campaign.stat_done = snapshot.suppressed
    campaign.dialer_zones = zones
    return snapshot.created


def campaign_jobs_cancel(*, campaign: Campaign) -> int:
    """Finish: every job still waiting is cancelled (calls in progress end normally)."""
    return store.jobs_cancel(campaign.pk)
