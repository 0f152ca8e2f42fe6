"""A customer's week as the home page shows it: calls, campaigns, lists, numbers, pools, tracked calls.

``NOW`` is Thursday 26 November 2026, 15:00 UTC (15:00 in London, Monday the 23rd starts the week).
Expected figures are in ``EXPECTED``.
"""

from __future__ import annotations

import datetime as dt

from call_tracking.models import DNISession, TrackedCall, TrackingNumber
from call_tracking.tests.factories import TrackingPoolFactory
from callerid_pools.models import NumberPoolMember
from callerid_pools.tests.factories import NumberPoolFactory
from campaigns.tallies import call_tally_rebuild
from campaigns.tests.factories import make_campaign, ready_list
from campaigns.tests.report_data import add_contacts
from dids.models import DID, DIDStatus
from distribution_lists.models import DistributionList
from telephony.imports.models import ImportJob

NOW = dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)
TODAY = [["answered"], ["answered"], ["answered"], ["no_answer"], ["no_answer"], ["busy"], ["failed"], ["answered"]]
TUESDAY = [["answered"], ["failed"], ["failed"], ["failed"]]
LAST_WEEK = [["answered"], ["answered"]]  # Saturday 21: on the 7-day chart, not in this week
EXPECTED = {
    "today_placed": 8,
    "today_answered": 4,
    "today_rate": 50,
    "week_placed": 12,
    "week_answered": 5,
    "week_rate": 42,
}


def this_weeks_thursday() -> dt.datetime:
    """Thursday 15:00 UTC of the current week: a ``now`` for browser tests (cookies are dated by the server)."""
    today = dt.datetime.now(dt.UTC).replace(hour=15, minute=0, second=0, microsecond=0)
    return today + dt.timedelta(days=3 - today.weekday())


def seed_home(customer, now: dt.datetime = NOW) -> dict:
    """Everything the home page counts, for ``customer``, around ``now`` (a Thursday, 15:00 UTC)."""
    running = make_campaign(customer, status="launched", name="Black Friday reminders")
    running.distribution_list = ready_list(customer, contacts=len(TODAY) + len(TUESDAY) + len(LAST_WEEK))
    running.save(update_fields=["distribution_list"])
    contacts = [*TODAY, *TUESDAY, *LAST_WEEK]
    jobs = add_contacts(running, contacts, start=now, step=dt.timedelta(0))
    # Spread the attempts: today's from 09:00 every 30 min, Tuesday's at 11:00, last week's on Saturday.
    from campaigns.models import CallAttempt

    for n, job in enumerate(jobs):
        if n < len(TODAY):
            moment = now.replace(hour=9) + dt.timedelta(minutes=30 * n)
        elif n < len(TODAY) + len(TUESDAY):
            moment = now.replace(hour=11) - dt.timedelta(days=2)
        else:
            moment = now.replace(hour=16) - dt.timedelta(days=5)
        CallAttempt.objects.filter(job=job).update(started_at=moment)
    call_tally_rebuild(campaign=running)
    running.__class__.objects.filter(pk=running.pk).update(
        stat_contacts=40, stat_called=14, stat_answered=6, stat_done=10, launched_at=now - dt.timedelta(days=3)
    )
    paused = make_campaign(customer, status="paused", name="Renewals (paused)")
    make_campaign(customer, name="Draft idea")

    importing = DistributionList.objects.create(
        customer=customer,
        name="December leads",
        status="processing",
        job=ImportJob.objects.create(
            kind=ImportJob.Kind.DISTRIBUTION_LIST,
            customer=customer,
            status=ImportJob.Status.PROCESSING,
            original_filename="december.csv",
            phase=ImportJob.Phase.CHECKING,
            rows_total=200_000,
            rows_read=50_000,
        ),
    )
    # Numbers: the three campaigns' DIDs, one of them on hold (the tracking pool adds two).
    extra = list(DID.objects.filter(customer=customer)[:1])
    held = extra[0]
    DID.objects.filter(pk=held.pk).update(
        status=DIDStatus.HOLD, hold_started_at=now - dt.timedelta(days=1), hold_ends_at=now + dt.timedelta(days=29)
    )
    pool = NumberPoolFactory(customer=customer, name="Outbound UK")
    for position, did in enumerate(DID.objects.filter(customer=customer).order_by("pk"), start=1):
        NumberPoolMember.objects.create(pool=pool, did=did, position=position)

    tracking_pool = TrackingPoolFactory(customer=customer, name="Website", numbers=2)
    number = TrackingNumber.objects.filter(pool=tracking_pool).first()
    session = DNISession.objects.create(
        pool=tracking_pool,
        number=number,
        visitor_id="v1",
        source="google",
        started_at=now - dt.timedelta(hours=1),
        last_seen_at=now - dt.timedelta(hours=1),
        expires_at=now + dt.timedelta(hours=1),
    )
    for moment, credited in [
        (now - dt.timedelta(hours=1), session),  # today, attributed
        (now - dt.timedelta(hours=2), None),  # today
        (now - dt.timedelta(days=2), session),  # Tuesday, attributed
        (now - dt.timedelta(days=8), None),  # last week: not counted
    ]:
        TrackedCall.objects.create(
            pool=tracking_pool,
            number=number,
            called_number=number.did.number,
            caller="+447700900123",
            called_at=moment,
            session=credited,
            source="google" if credited else "",
            termination_number=tracking_pool.termination_number,
        )
    return {"running": running, "paused": paused, "importing": importing, "pool": pool, "tracking": tracking_pool}
