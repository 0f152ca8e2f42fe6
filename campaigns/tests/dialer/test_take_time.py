"""Issue 17 items 15 and 17: a claim is checked again when its call is taken; a lost call
is ended by how far it got (never dialed: as if it had not happened; answered: answered)."""

import datetime as dt

import pytest
import time_machine

from campaigns.causes import ANSWERED_END_LOST
from campaigns.dialer import attempt_place, attempt_report, dialer_reap, dialer_tick
from campaigns.models import AttemptStatus, CallAttempt, CallJob, Campaign, JobStatus
from campaigns.tests.dialer.helpers import at, dialer_campaign
from telephony.gateways import CallEvent

pytestmark = pytest.mark.django_db

WINDOW = {"all_day": False, "work_start": dt.time(9), "work_end": dt.time(18), "work_days": 0b1111111}


@pytest.fixture
def placed(monkeypatch):
    from telephony.gateways.simulator import SimulatorGateway

    calls = []
    monkeypatch.setattr(SimulatorGateway, "place_call", lambda self, request, report: calls.append(request))
    return calls


def claim(customer, moment, **fields):
    with time_machine.travel(moment, tick=False):
        campaign = dialer_campaign(customer, **{"contacts": 1, "lines": 1, **WINDOW, **fields})
        assert dialer_tick(now=moment) >= 1
    return campaign


def assert_withdrawn(campaign, jobs=1):
    assert not CallAttempt.objects.filter(campaign=campaign).exists()
    states = list(CallJob.objects.filter(campaign=campaign).values_list("status", "attempts_made", "claim_token"))
    assert states == [(JobStatus.PENDING, 0, "")] * jobs


def test_a_claim_taken_after_the_work_period_ends_is_withdrawn(customer, placed):
    campaign = claim(customer, at("2026-11-23 17:59"))
    attempt = CallAttempt.objects.get(campaign=campaign)
    assert attempt_place(attempt_id=attempt.pk, worker="w", now=at("2026-11-23 18:00")) is False
    assert placed == []
    assert_withdrawn(campaign)


def test_the_window_is_checked_in_the_jobs_own_zone(customer, placed):
    # 08:55 UTC: Tokyo (17:55) is open, London (08:55) not yet; at 09:05 Tokyo has closed.
    moment = at("2026-11-23 08:55")
    campaign = claim(customer, moment, contacts=2, zones=["Europe/London", "Asia/Tokyo"], subscriber_time_zone=True)
    attempt = CallAttempt.objects.get(campaign=campaign)
    assert attempt.job.time_zone == "Asia/Tokyo"
    assert attempt_place(attempt_id=attempt.pk, worker="w", now=at("2026-11-23 09:05")) is False
    assert placed == []
    assert_withdrawn(campaign, jobs=2)


@pytest.mark.compliance
def test_legal_hours_at_take_time_are_the_jobs_own_even_with_the_subscriber_zone_off(customer, placed):
    # Sunday 21:30 UTC: London's legal hours (08:00-21:00) have closed, New York's (16:30) are open.
    # The dispatcher claims the New York contact; taking it must agree, not withdraw it every second.
    moment = at("2026-12-06 21:30")
    campaign = claim(customer, moment, all_day=True, zones=["America/New_York"], subscriber_time_zone=False)
    attempt = CallAttempt.objects.get(campaign=campaign)
    assert attempt_place(attempt_id=attempt.pk, worker="w", now=moment) is True
    assert len(placed) == 1


@pytest.mark.compliance
def test_a_withdrawn_claim_gives_its_a_number_call_back_to_the_daily_cap(customer, placed):
    from compliance.models import ANumberDay

    campaign = claim(customer, at("2026-11-23 17:59"))
    attempt = CallAttempt.objects.get(campaign=campaign)
    assert ANumberDay.objects.get(number=attempt.a_number, day=dt.date(2026, 11, 23)).calls == 1
    assert attempt_place(attempt_id=attempt.pk, worker="w", now=at("2026-11-23 18:00")) is False
    assert_withdrawn(campaign)
    assert ANumberDay.objects.get(number=attempt.a_number, day=dt.date(2026, 11, 23)).calls == 0


def test_a_claim_inside_the_window_is_placed_and_marked_dialed(customer, placed):
    campaign = claim(customer, at("2026-11-23 12:00"))
    attempt = CallAttempt.objects.get(campaign=campaign)
    assert attempt_place(attempt_id=attempt.pk, worker="w", now=at("2026-11-23 12:00:01")) is True
    assert len(placed) == 1
    attempt.refresh_from_db()
    assert (attempt.worker, attempt.dialed_at) == ("w", at("2026-11-23 12:00:01"))


def test_a_claim_before_the_scheduled_launch_is_withdrawn(customer, placed):
    campaign = claim(customer, at("2026-11-23 12:00"))
    Campaign.objects.filter(pk=campaign.pk).update(scheduled_at=at("2026-11-23 13:00"))
    attempt = CallAttempt.objects.get(campaign=campaign)
    assert attempt_place(attempt_id=attempt.pk, worker="w", now=at("2026-11-23 12:00:01")) is False
    assert placed == []
    assert_withdrawn(campaign)


def test_a_claim_whose_lease_ran_out_while_waiting_is_withdrawn(customer, placed, settings):
    settings.DIALER_LEASE_SECONDS = 60
    campaign = claim(customer, at("2026-11-23 12:00"))
    attempt = CallAttempt.objects.get(campaign=campaign)
    assert attempt_place(attempt_id=attempt.pk, worker="w", now=at("2026-11-23 12:01:01")) is False
    assert placed == []
    assert_withdrawn(campaign)


def test_no_more_calls_are_claimed_than_the_call_threads(customer, settings):
    settings.DIALER_CALL_THREADS = 3
    with time_machine.travel(at("2026-11-23 11:59"), tick=False):
        campaign = dialer_campaign(customer, contacts=10, lines=10, all_day=True)
    assert dialer_tick(now=at("2026-11-23 12:00")) == 3
    assert CallJob.objects.filter(campaign=campaign, status=JobStatus.IN_PROGRESS).count() == 3


def test_a_call_lost_before_it_reached_the_gateway_is_retried_as_if_it_had_not_happened(customer, settings):
    settings.DIALER_LEASE_SECONDS = 60
    campaign = claim(customer, at("2026-11-23 12:00"), repeat_failed=False)
    # A worker took the attempt and died before handing it to the gateway.
    CallAttempt.objects.filter(campaign=campaign).update(worker="dead-worker")
    assert dialer_reap(now=at("2026-11-23 12:01:01")) == 1
    assert_withdrawn(campaign)
    campaign.refresh_from_db()
    assert (campaign.stat_failed, campaign.stat_called) == (0, 0)
    # The contact is called again at once, as attempt 1.
    assert dialer_tick(now=at("2026-11-23 12:01:02")) == 1
    assert CallAttempt.objects.get(campaign=campaign).number == 1


def test_an_answered_call_whose_end_was_lost_counts_answered_and_is_not_repeated(customer, settings, placed):
    settings.DIALER_LEASE_SECONDS = 60
    campaign = claim(
        customer,
        at("2026-11-23 12:00"),
        repeat_failed=True,
        repeat_failed_count=3,
        repeat_short=True,
        repeat_short_count=3,
        short_call_seconds=10,
    )
    attempt = CallAttempt.objects.get(campaign=campaign)
    with time_machine.travel(at("2026-11-23 12:00:01"), tick=False):
        assert attempt_place(attempt_id=attempt.pk, worker="w") is True
        attempt_report(CallEvent(attempt_id=attempt.pk, event="answered"))
    # The worker is killed between the gateway's end report and its commit: the lease runs out.
    assert dialer_reap(now=at("2026-11-23 12:02:00")) == 1
    attempt.refresh_from_db()
    assert (attempt.status, attempt.outcome, attempt.cause) == (AttemptStatus.ENDED, "answered", ANSWERED_END_LOST)
    job = CallJob.objects.get(campaign=campaign)
    assert (job.status, job.next_attempt_at) == (JobStatus.DONE, None)
    campaign.refresh_from_db()
    assert (campaign.stat_answered, campaign.stat_failed) == (1, 0)


def test_a_dialed_call_lost_unanswered_still_ends_p03(customer, settings, placed):
    settings.DIALER_LEASE_SECONDS = 60
    campaign = claim(customer, at("2026-11-23 12:00"))
    attempt = CallAttempt.objects.get(campaign=campaign)
    assert attempt_place(attempt_id=attempt.pk, worker="w", now=at("2026-11-23 12:00:01")) is True
    assert dialer_reap(now=at("2026-11-23 12:02:00")) == 1
    attempt.refresh_from_db()
    assert (attempt.status, attempt.cause) == (AttemptStatus.ENDED, "P03")
