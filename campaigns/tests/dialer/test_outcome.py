import datetime as dt

import pytest
import time_machine

from campaigns.causes import CAUSES, LOST_BY_WORKER
from campaigns.dialer import attempt_end, attempt_place, attempt_report, dialer_reap, dialer_tick
from campaigns.dialer.outcome import UnknownCause
from campaigns.models import AttemptStatus, CallAttempt, CallJob, CampaignStatus, JobStatus
from campaigns.tests.dialer.helpers import at, dialer_campaign, play_calls
from telephony.gateways import CallEvent

pytestmark = pytest.mark.django_db
START = at("2026-11-23 10:00")


def run_until_done(campaign, *, minutes: int = 24 * 60) -> list[CallAttempt]:
    """Tick every minute of simulated time, playing each call out at once."""
    moment = START
    while moment < START + dt.timedelta(minutes=minutes):
        with time_machine.travel(moment, tick=False):
            dialer_tick()
            play_calls(campaign)
        campaign.refresh_from_db()
        if campaign.status == CampaignStatus.FINISHED:
            break
        moment += dt.timedelta(minutes=1)
    return list(CallAttempt.objects.filter(campaign=campaign).order_by("job_id", "number"))


def launched(customer, **fields):
    with time_machine.travel(START, tick=False):
        return dialer_campaign(customer, contacts=1, lines=1, **fields)


def test_each_outcome_repeats_by_its_own_count_and_period(customer, settings):
    settings.DIALER_SIM_MIX = {"486": 1}
    campaign = launched(customer, repeat_busy=True, repeat_busy_count=2, repeat_busy_period=30)
    attempts = run_until_done(campaign)
    assert [a.cause for a in attempts] == ["486"] * 3
    assert [a.started_at for a in attempts] == [
        START,
        START + dt.timedelta(minutes=30),
        START + dt.timedelta(minutes=60),
    ]
    job = CallJob.objects.get(campaign=campaign)
    assert job.status == JobStatus.DONE and job.repeats_by_outcome == {"busy": 2} and job.repeats_made == 2


def test_an_outcome_without_a_rule_ends_the_job(customer, settings):
    settings.DIALER_SIM_MIX = {"408": 1}
    campaign = launched(customer, repeat_busy=True, repeat_busy_count=5, repeat_busy_period=1)
    assert [a.outcome for a in run_until_done(campaign)] == ["no_answer"]


def test_the_total_cap_stops_repeats_of_every_rule(customer, settings):
    settings.DIALER_SIM_MIX = {"503": 1}
    campaign = launched(
        customer, repeat_failed=True, repeat_failed_count=10, repeat_failed_period=5, repeat_total_cap=3
    )
    attempts = run_until_done(campaign)
    assert len(attempts) == 4  # the first call and three repeats
    assert CallJob.objects.get(campaign=campaign).repeats_made == 3


def test_a_short_answered_call_follows_the_short_rule(customer, settings):
    settings.DIALER_SIM_TALK_SECONDS = (4, 4)
    campaign = launched(
        customer,
        short_call_seconds=10,
        repeat_short=True,
        repeat_short_count=1,
        repeat_short_period=15,
        repeat_answered=False,
    )
    attempts = run_until_done(campaign)
    assert [(a.outcome, a.duration) for a in attempts] == [("answered", 4), ("answered", 4)]
    assert attempts[1].started_at - attempts[0].started_at == dt.timedelta(minutes=15)
    job = CallJob.objects.get(campaign=campaign)
    assert job.repeats_by_outcome == {"short": 1} and job.last_outcome == "short"
    campaign.refresh_from_db()
    assert campaign.stat_answered == 1  # counted once per contact, by its latest outcome


def test_a_long_enough_answered_call_is_not_short(customer, settings):
    settings.DIALER_SIM_TALK_SECONDS = (40, 40)
    campaign = launched(customer, short_call_seconds=10, repeat_short=True, repeat_short_period=15)
    assert len(run_until_done(campaign)) == 1


def test_per_number_override_and_statistics_by_latest_outcome(customer, settings):
    settings.DIALER_SIM_OVERRIDES = {"0": "486", "1": "200/20"}
    with time_machine.travel(START, tick=False):
        campaign = dialer_campaign(customer, contacts=2, lines=2, repeat_busy=True, repeat_busy_period=5)
    # +447911100000 is busy every time; +447911100001 answers.
    run_until_done(campaign)
    campaign.refresh_from_db()
    assert (campaign.stat_called, campaign.stat_answered, campaign.stat_busy, campaign.stat_done) == (2, 1, 1, 2)
    assert CallAttempt.objects.filter(campaign=campaign).count() == 3


def test_ending_an_attempt_twice_changes_nothing_the_second_time(customer):
    campaign = launched(customer, repeat_busy=True, repeat_busy_period=5)
    with time_machine.travel(START, tick=False):
        dialer_tick()
    attempt = CallAttempt.objects.get(campaign=campaign)
    assert attempt_end(attempt_id=attempt.pk, cause="486") is True
    snapshot = (
        CallJob.objects.values().get(campaign=campaign),
        campaign.__class__.objects.values().get(pk=campaign.pk),
    )
    assert attempt_end(attempt_id=attempt.pk, cause="200", duration=50) is False
    attempt_report(CallEvent(attempt.pk, "ended", cause="200", duration=50))
    assert (
        CallJob.objects.values().get(campaign=campaign),
        campaign.__class__.objects.values().get(pk=campaign.pk),
    ) == snapshot
    attempt.refresh_from_db()
    assert attempt.cause == "486"


def test_unknown_causes_are_refused(customer):
    with pytest.raises(UnknownCause, match="'999' is not in the cause table"):
        attempt_end(attempt_id=1, cause="999")


def test_the_reaper_ends_lost_calls_as_p03_and_the_failed_rule_repeats_them(customer, settings):
    settings.DIALER_LEASE_SECONDS = 60
    campaign = launched(customer, repeat_failed=True, repeat_failed_count=1, repeat_failed_period=10)
    with time_machine.travel(START, tick=False):
        dialer_tick()
    attempt = CallAttempt.objects.get(campaign=campaign)
    # A worker took the call, dialed, and died: the lease runs out.
    CallAttempt.objects.filter(pk=attempt.pk).update(worker="dead-worker", dialed_at=START)
    with time_machine.travel(START + dt.timedelta(seconds=59), tick=False):
        assert dialer_reap() == 0
    with time_machine.travel(START + dt.timedelta(seconds=61), tick=False):
        assert dialer_reap() == 1
        assert dialer_reap() == 0
    attempt.refresh_from_db()
    assert (attempt.status, attempt.outcome, attempt.cause) == (AttemptStatus.ENDED, "failed", LOST_BY_WORKER)
    job = CallJob.objects.get(campaign=campaign)
    assert job.status == JobStatus.PENDING
    assert job.next_attempt_at == START + dt.timedelta(seconds=61) + dt.timedelta(minutes=10)
    # The task delivered again after the reap places nothing: the attempt is not ours any more.
    assert attempt_place(attempt_id=attempt.pk, worker="another") is False
    assert CallAttempt.objects.filter(campaign=campaign).count() == 1


def test_a_redelivered_call_task_never_places_the_attempt_twice(customer, monkeypatch):
    from telephony.gateways.simulator import SimulatorGateway

    placed = []
    original = SimulatorGateway.place_call
    monkeypatch.setattr(
        SimulatorGateway, "place_call", lambda self, req, rep: placed.append(req) or original(self, req, rep)
    )
    campaign = launched(customer)
    with time_machine.travel(START, tick=False):
        dialer_tick()
    attempt = CallAttempt.objects.get(campaign=campaign)
    with time_machine.travel(START + dt.timedelta(seconds=1), tick=False):  # inside the lease
        assert attempt_place(attempt_id=attempt.pk, worker="w1") is True
        assert attempt_place(attempt_id=attempt.pk, worker="w2") is False
    assert len(placed) == 1


def test_every_cause_the_dialer_and_the_simulator_write_is_in_the_table(settings):
    from campaigns.causes import A_NUMBER_ON_HOLD, NO_USABLE_A_NUMBER
    from telephony import settings as project_settings
    from telephony.gateways.simulator import parse_override

    written = {NO_USABLE_A_NUMBER, A_NUMBER_ON_HOLD, LOST_BY_WORKER, "500"}
    written |= set(project_settings.DIALER_SIM_MIX)
    written |= {parse_override(value)[0] for value in project_settings.DIALER_SIM_OVERRIDES.values()}
    assert written <= set(CAUSES), written - set(CAUSES)


@pytest.mark.parametrize("finished_when", ["before the call ends", "while its outcome is recorded"])
def test_a_call_ending_in_a_finished_campaign_counts_its_outcome_and_cancels_the_job(
    customer, monkeypatch, finished_when
):
    from campaigns.dialer import outcome as outcome_module
    from campaigns.models import Campaign

    campaign = launched(customer, repeat_busy=True, repeat_busy_period=5)
    with time_machine.travel(START, tick=False):
        dialer_tick()
    attempt = CallAttempt.objects.get(campaign=campaign)
    finish = lambda: Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.FINISHED)  # noqa: E731
    if finished_when == "before the call ends":
        finish()
    else:
        # The finish commits after the service read the campaign as launched, before it counts
        # (the campaign's row is locked last): the count sees it and the job is cancelled.
        original = outcome_module.next_attempt
        monkeypatch.setattr(outcome_module, "next_attempt", lambda *args: finish() and original(*args))
    assert attempt_end(attempt_id=attempt.pk, cause="486") is True
    job = CallJob.objects.get(campaign=campaign)
    assert (job.status, job.next_attempt_at, job.last_outcome) == (JobStatus.CANCELLED, None, "busy")
    campaign.refresh_from_db()
    assert (campaign.stat_busy, campaign.stat_called, campaign.stat_done) == (1, 1, 0)
