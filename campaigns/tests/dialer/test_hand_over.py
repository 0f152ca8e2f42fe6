"""A gateway that hands calls over (SIP): the call engine takes them and checks them again.

Issue 14: call threads count only the claims not dialled yet, so 100+ calls run at
once within the campaigns' lines; a paused or finished campaign's calls still queued
for an engine are withdrawn, never dialled; calls in progress end normally.
"""

import datetime as dt

import pytest
import time_machine

from campaigns.dialer import attempt_dial, attempt_place, attempt_report, dialer_reap, dialer_tick
from campaigns.models import AttemptStatus, CallAttempt, CallJob, Campaign, JobStatus
from campaigns.services import campaign_finish, campaign_pause, campaign_resume
from campaigns.tests.dialer.helpers import at, dialer_campaign, unplaced
from campaigns.tests.dialer.recording_gateway import HandOverGateway
from telephony.gateways import CallEvent

pytestmark = pytest.mark.django_db

NOON = at("2026-11-23 12:00")


@pytest.fixture
def handed(settings):
    settings.DIALER_GATEWAY = "campaigns.tests.dialer.recording_gateway.HandOverGateway"
    HandOverGateway.handed.clear()
    yield HandOverGateway.handed
    HandOverGateway.handed.clear()


def workers_place(campaign=None, now=NOON) -> int:
    """The call tasks of every claim no worker took yet, at ``now``."""
    ids = list(unplaced(campaign).values_list("pk", flat=True))
    return sum(attempt_place(attempt_id=pk, worker="w", now=now) for pk in ids)


def engine_takes(requests, now=NOON) -> list[bool]:
    taken = [attempt_dial(attempt_id=r.attempt_id, engine="engine-1", now=now) for r in requests]
    requests.clear()
    return taken


def launched(customer, **fields):
    with time_machine.travel(at("2026-11-23 11:59"), tick=False):
        return dialer_campaign(customer, **{"all_day": True, **fields})


def test_the_worker_hands_the_call_over_unmarked_and_the_engine_marks_it_dialled(customer, handed):
    campaign = launched(customer, contacts=1, lines=1)
    dialer_tick(now=NOON)
    attempt = CallAttempt.objects.get(campaign=campaign)
    assert attempt_place(attempt_id=attempt.pk, worker="w", now=NOON) is True
    attempt.refresh_from_db()
    assert [r.attempt_id for r in handed] == [attempt.pk] and attempt.dialed_at is None
    assert engine_takes(handed, now=at("2026-11-23 12:00:02")) == [True]
    attempt.refresh_from_db()
    assert (attempt.dialed_at, attempt.worker) == (at("2026-11-23 12:00:02"), "engine-1")
    # Taken once: a second engine given the same request (a redelivery) does not dial it.
    assert attempt_dial(attempt_id=attempt.pk, engine="engine-2", now=NOON) is False
    assert CallAttempt.objects.filter(campaign=campaign).count() == 1


def test_call_threads_count_only_claims_not_dialled_so_150_calls_run_at_once(customer, settings, handed):
    settings.DIALER_CALL_THREADS = 20
    campaigns = [launched(customer, contacts=50, lines=50, name=f"Big {n}") for n in range(3)]
    rounds = []
    for second in range(10):
        moment = NOON + dt.timedelta(seconds=second)
        rounds.append(dialer_tick(now=moment))
        workers_place(now=moment)
        engine_takes(handed, now=moment)
    in_progress = CallAttempt.objects.filter(status=AttemptStatus.DIALING, dialed_at__isnull=False).count()
    assert rounds[0] == 20 and max(rounds) == 20  # never more than 20 claims waiting for a thread or an engine
    assert in_progress == 150 and sum(rounds) == 150  # every line of the three campaigns busy at once
    for campaign in campaigns:
        assert CallJob.objects.filter(campaign=campaign, status=JobStatus.IN_PROGRESS).count() == 50


def test_with_a_gateway_holding_the_thread_calls_in_progress_stay_within_the_threads(customer, settings, monkeypatch):
    from telephony.gateways.simulator import SimulatorGateway

    monkeypatch.setattr(SimulatorGateway, "place_call", lambda self, request, report: None)  # calls never end
    settings.DIALER_CALL_THREADS = 20
    launched(customer, contacts=50, lines=50)
    for second in range(5):
        moment = NOON + dt.timedelta(seconds=second)
        dialer_tick(now=moment)
        workers_place(now=moment)
    assert CallAttempt.objects.filter(status=AttemptStatus.DIALING, dialed_at__isnull=False).count() == 20


@pytest.mark.parametrize("stop", ["pause", "finish"])
def test_calls_queued_for_an_engine_when_the_campaign_stops_are_withdrawn_not_dialled(customer, handed, stop):
    campaign = launched(customer, contacts=4, lines=2)
    dialer_tick(now=NOON)
    workers_place(campaign)
    first, second = list(handed)
    second_job = CallAttempt.objects.get(pk=second.attempt_id).job_id
    assert engine_takes([first]) == [True]  # in progress when the campaign stops
    (campaign_pause if stop == "pause" else campaign_finish)(campaign=Campaign.objects.get(pk=campaign.pk))
    assert engine_takes([second]) == [False]  # still queued: not dialled
    assert not CallAttempt.objects.filter(pk=second.attempt_id).exists()
    waiting = JobStatus.PENDING if stop == "pause" else JobStatus.CANCELLED
    statuses = sorted(CallJob.objects.filter(campaign=campaign).values_list("status", flat=True))
    assert statuses == sorted([JobStatus.IN_PROGRESS, waiting, waiting, waiting])
    # The call in progress ends normally and counts.
    attempt_report(CallEvent(first.attempt_id, "answered"))
    attempt_report(CallEvent(first.attempt_id, "ended", cause="200", duration=12, digits="1"))
    attempt = CallAttempt.objects.get(pk=first.attempt_id)
    assert (attempt.status, attempt.cause, attempt.duration, attempt.digits) == (AttemptStatus.ENDED, "200", 12, "1")
    campaign.refresh_from_db()
    assert (campaign.stat_answered, campaign.stat_called) == (1, 1)
    if stop == "pause":
        # Resumed, the withdrawn contact is called as if never claimed: attempt 1.
        campaign_resume(campaign=Campaign.objects.get(pk=campaign.pk))
        dialer_tick(now=at("2026-11-23 12:00:05"))
        assert list(CallAttempt.objects.filter(job_id=second_job).values_list("number", flat=True)) == [1]


def test_a_request_reaped_while_queued_is_not_dialled_when_an_engine_takes_it_late(customer, settings, handed):
    settings.DIALER_LEASE_SECONDS = 60
    campaign = launched(customer, contacts=1, lines=1, repeat_failed=False)
    dialer_tick(now=NOON)
    workers_place(campaign)
    request = handed[0]
    assert dialer_reap(now=at("2026-11-23 12:01:01")) == 1  # no engine took it within the lease: withdrawn
    assert dialer_tick(now=at("2026-11-23 12:01:02")) == 1  # the contact is claimed again, as attempt 1
    assert attempt_dial(attempt_id=request.attempt_id, engine="late", now=at("2026-11-23 12:01:03")) is False
    assert CallAttempt.objects.get(campaign=campaign).number == 1


def test_a_transfer_result_is_stored_with_the_end(customer, handed):
    campaign = launched(customer, contacts=1, lines=1)
    dialer_tick(now=NOON)
    workers_place(campaign)
    (request,) = handed
    engine_takes(handed)
    attempt_report(CallEvent(request.attempt_id, "answered"))
    attempt_report(CallEvent(request.attempt_id, "ended", cause="200", duration=3, transfer="failed: 486 Busy Here"))
    attempt_report(CallEvent(request.attempt_id, "ended", cause="200", duration=9, transfer="transferred"))  # repeat
    attempt = CallAttempt.objects.get(pk=request.attempt_id)
    assert (attempt.transfer, attempt.duration) == ("failed: 486 Busy Here", 3)
