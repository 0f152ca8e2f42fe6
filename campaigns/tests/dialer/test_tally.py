"""The quarter-hour tallies the outcome service keeps, and their rebuild from attempts."""

import datetime as dt

import pytest
import time_machine

from campaigns.dialer import attempt_end
from campaigns.models import CallAttempt, CallTally
from campaigns.tallies import call_tally_rebuild, tally_slot
from campaigns.tests.dialer.helpers import at, dialer_campaign

pytestmark = pytest.mark.django_db


def tallies(campaign) -> list[tuple]:
    return list(
        CallTally.objects.filter(campaign=campaign)
        .order_by("slot")
        .values_list("slot", "customer_id", "answered", "no_answer", "busy", "failed")
    )


def test_slot_is_the_quarter_hour_in_utc():
    moment = dt.datetime(2026, 11, 23, 10, 44, 59, 999, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))
    assert tally_slot(moment) == at("2026-11-23 05:00")


def test_each_ended_attempt_adds_one_to_its_start_quarter_hour(customer):
    with time_machine.travel(at("2026-11-23 10:00"), tick=False):
        campaign = dialer_campaign(customer, contacts=3, lines=3)
    CallAttempt.objects.filter(campaign=campaign).delete()
    jobs = list(campaign.jobs.order_by("pk"))
    starts = [at("2026-11-23 10:01"), at("2026-11-23 10:14"), at("2026-11-23 10:15")]
    attempts = [
        CallAttempt.objects.create(job=job, campaign=campaign, number=1, b_number=job.phone, started_at=start)
        for job, start in zip(jobs, starts, strict=True)
    ]
    for attempt, cause in zip(attempts, ["200", "486", "480"], strict=True):
        assert attempt_end(attempt_id=attempt.pk, cause=cause, duration=30)
    # A second report of the same attempt changes nothing, the tally included.
    assert not attempt_end(attempt_id=attempts[0].pk, cause="200", duration=30)
    expected = [
        (at("2026-11-23 10:00"), customer.pk, 1, 0, 1, 0),
        (at("2026-11-23 10:15"), customer.pk, 0, 1, 0, 0),
    ]
    assert tallies(campaign) == expected
    CallTally.objects.all().delete()
    assert call_tally_rebuild(campaign=campaign) == 2
    assert tallies(campaign) == expected
