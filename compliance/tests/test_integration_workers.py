"""Legal hours, caps and local presence with real components: PostgreSQL, Redis, `celery worker` processes.

The test process plays beat (it runs the dispatcher under time-machine's
clock); the calls are placed by a real worker taking the tasks from Redis.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from django.utils import timezone

from campaigns.dialer import dialer_tick
from campaigns.models import AttemptStatus, CallAttempt, CallJob, JobStatus
from campaigns.tests.dialer.helpers import at, dialer_campaign
from campaigns.tests.dialer.test_integration_workers import dialer_env, workers  # noqa: F401  (fixtures)
from compliance.caps import day_start
from compliance.models import CustomerCaps
from compliance.services import legal_windows_reset

pytestmark = [pytest.mark.integration, pytest.mark.compliance, pytest.mark.django_db(transaction=True)]


def _wait_ended(campaign, count: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    ended = CallAttempt.objects.filter(campaign=campaign, status=AttemptStatus.ENDED)
    while ended.count() < count:
        assert time.monotonic() < deadline, f"{ended.count()} of {count} calls ended"
        time.sleep(0.2)


def test_legal_hours_and_caps_hold_with_real_workers(customer, workers):  # noqa: F811
    legal_windows_reset()
    CustomerCaps.objects.create(customer=customer, calls_per_day=1, calls_per_week=5)
    # Monday 22:30 UTC: the campaign's own window is open (all day, Tokyo's clock), London's legal hours are not.
    with time_machine.travel(at("2026-11-23 22:30"), tick=False):
        first = dialer_campaign(
            customer, contacts=3, lines=3, all_day=True, subscriber_time_zone=False, time_zone="Asia/Tokyo"
        )
        assert dialer_tick() == 0
    # Tuesday 10:00 UTC on this process's clock and the worker's: the worker re-checks each claim
    # (lease, work period, legal hours) on its own clock when it takes it.
    offset = at("2026-11-24 10:00") - timezone.now()
    workers("compliance1", clock=offset, wait=True)
    with time_machine.travel(timezone.now() + offset, tick=True):
        assert dialer_tick() == 3
        _wait_ended(first, 3)
        # The second campaign's contacts are in Tokyo's zone, which no legal rule reaches: only the cap can stop it.
        second = dialer_campaign(customer, contacts=3, lines=3, all_day=True, zones=["Asia/Tokyo"])  # same numbers
        assert dialer_tick() == 0  # each was called today by the first campaign
        jobs = CallJob.objects.filter(campaign=second)
        assert set(jobs.values_list("status", flat=True)) == {JobStatus.PENDING}
        tomorrow = day_start(timezone.now()) + dt.timedelta(days=1)
        assert set(jobs.values_list("next_attempt_at", flat=True)) == {tomorrow}
        assert not CallAttempt.objects.filter(campaign=second).exists()


def test_local_presence_picks_the_matching_member_with_real_workers(customer, workers):  # noqa: F811
    from callerid_pools.services import pool_members_add
    from callerid_pools.tests.factories import NumberPoolFactory
    from campaigns.services import campaign_launch
    from compliance.models import PoolPolicy
    from dids.tests.factories import AssignedDIDFactory
    from distribution_lists.models import Contact

    bristol = AssignedDIDFactory(client_package__customer=customer, number="+441174090002", area_code="117")
    london = AssignedDIDFactory(client_package__customer=customer, number="+442074090002", area_code="20")
    pool = NumberPoolFactory(customer=customer)
    pool_members_add(pool=pool, dids=[bristol, london])
    PoolPolicy.objects.create(pool=pool, local_presence=True)
    offset = at("2026-11-24 10:00") - timezone.now()
    workers("compliance2", clock=offset, wait=True)
    with time_machine.travel(timezone.now() + offset, tick=True):
        campaign = dialer_campaign(customer, contacts=2, lines=2, all_day=True, launch=False)
        contacts = list(Contact.objects.filter(distribution_list=campaign.distribution_list).order_by("row_number"))
        for contact, phone in zip(contacts, ["+442079460031", "+441179460031"], strict=True):
            contact.phone = phone
        Contact.objects.bulk_update(contacts, ["phone"])
        campaign.a_number_did, campaign.a_number_pool = None, pool
        campaign.save()
        campaign_launch(campaign=campaign)
        assert dialer_tick() == 2
        _wait_ended(campaign, 2)
    used = dict(CallAttempt.objects.filter(campaign=campaign).values_list("b_number", "a_number"))
    assert used == {"+442079460031": london.number, "+441179460031": bristol.number}
