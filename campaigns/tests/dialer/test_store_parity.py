"""The dialer's store behaves the same on SQLite and PostgreSQL: one suite, run on both.

Every test takes the ``database`` fixture, parametrised by vendor: the SQLite
case runs in ``make test-unit``, the PostgreSQL case carries the integration
mark and runs in ``make test-integration`` (the root conftest points that run
at PostgreSQL). A case whose database is not the one connected is skipped.
Besides parity, this file enumerates the call job's state machine: every move
of ``JOB_MOVES`` is made by its statement, every other pair is refused.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection

from campaigns.causes import Outcome
from campaigns.dialer import dialer_tick
from campaigns.dialer.store import calls, claim, launch, outcome, tallies
from campaigns.dialer.store.moves import JOB_MOVES, JobMoveRefused, job_move
from campaigns.models import AttemptStatus, CallAttempt, CallJob, CallTally, Campaign, CampaignStatus, JobStatus
from campaigns.tests.dialer.helpers import at, dialer_campaign
from distribution_lists.models import Contact

pytestmark = pytest.mark.django_db

NOW = at("2026-11-23 10:00")
WINDOW = {"all_day": False, "work_start": dt.time(9), "work_end": dt.time(18), "work_days": 0b1111111}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def database(request) -> str:
    if connection.vendor != request.param:
        pytest.skip(f"the {request.param} case of the parity suite (connected to {connection.vendor})")
    return request.param


def claimed(customer, *, contacts: int = 1, **fields) -> Campaign:
    """A launched campaign whose first jobs the dispatcher claimed at NOW (attempts not taken yet)."""
    with time_machine.travel(NOW, tick=False):
        campaign = dialer_campaign(customer, **{"contacts": contacts, "lines": contacts, **WINDOW, **fields})
        assert dialer_tick(now=NOW) == contacts
    return campaign


def only_attempt(campaign: Campaign) -> CallAttempt:
    return CallAttempt.objects.get(campaign=campaign)


# --- Take time ------------------------------------------------------------------


def test_the_take_time_check_reads_typed_values(database, customer):
    campaign = claimed(customer, subscriber_time_zone=True)
    attempt = only_attempt(campaign)
    check = calls.untaken_check(attempt.pk)
    assert check == calls.TakeCheck(
        lease_expires_at=attempt.lease_expires_at,
        job_zone="Europe/London",
        campaign_status=CampaignStatus.LAUNCHED,
        scheduled_at=None,
        all_day=False,
        work_start=dt.time(9),
        work_end=dt.time(18),
        work_days=0b1111111,
        time_zone="Europe/London",
        subscriber_time_zone=True,
    )
    assert check.lease_expires_at.tzinfo is not None
    assert calls.undialled_check(attempt.pk) == check
    assert calls.untaken_check(attempt.pk + 1000) is None


def test_an_attempt_is_taken_once(database, customer):
    campaign = claimed(customer)
    attempt = only_attempt(campaign)
    lease = NOW + dt.timedelta(minutes=2)
    placement = calls.attempt_take(attempt_id=attempt.pk, worker="w1", now=NOW, lease=lease, dialed=True)
    assert placement == calls.Placement(attempt.a_number, attempt.b_number, 1, attempt.scenario)
    assert isinstance(placement.scenario, list)
    assert calls.attempt_take(attempt_id=attempt.pk, worker="w2", now=NOW, lease=lease, dialed=True) is None
    attempt.refresh_from_db()
    assert (attempt.worker, attempt.dialed_at, attempt.lease_expires_at) == ("w1", NOW, lease)
    assert calls.untaken_check(attempt.pk) is None


def test_a_paused_campaigns_attempt_is_not_taken(database, customer):
    campaign = claimed(customer)
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.PAUSED)
    attempt = only_attempt(campaign)
    lease = NOW + dt.timedelta(minutes=2)
    assert calls.attempt_take(attempt_id=attempt.pk, worker="w", now=NOW, lease=lease, dialed=False) is None


def test_an_engine_dials_a_handed_over_attempt_once(database, customer):
    campaign = claimed(customer)
    attempt = only_attempt(campaign)
    lease = NOW + dt.timedelta(minutes=2)
    # Not taken by a worker yet: no engine may dial it.
    assert not calls.attempt_engine_dial(attempt_id=attempt.pk, engine="e", now=NOW, lease=lease)
    assert calls.attempt_take(attempt_id=attempt.pk, worker="w", now=NOW, lease=lease, dialed=False)
    assert calls.attempt_engine_dial(attempt_id=attempt.pk, engine="e", now=NOW, lease=lease)
    assert not calls.attempt_engine_dial(attempt_id=attempt.pk, engine="e2", now=NOW, lease=lease)
    attempt.refresh_from_db()
    assert (attempt.worker, attempt.dialed_at) == ("e", NOW)


def test_a_withdrawal_gives_the_claim_back(database, customer):
    campaign = claimed(customer)
    attempt = only_attempt(campaign)
    undialled = calls.attempt_undialled(attempt.pk)
    assert undialled is not None
    assert (undialled.job_id, undialled.campaign_id, undialled.worker) == (attempt.job_id, campaign.pk, "")
    assert undialled.started_at == NOW
    assert calls.attempt_withdraw_write(attempt=attempt.pk, undialled=undialled)
    assert not CallAttempt.objects.filter(pk=attempt.pk).exists()
    job = CallJob.objects.get(campaign=campaign)
    assert (job.status, job.attempts_made, job.claim_token) == (JobStatus.PENDING, 0, "")
    assert not calls.attempt_withdraw_write(attempt=attempt.pk, undialled=undialled)


def test_answered_progress_renewal_and_expiry(database, customer):
    campaign = claimed(customer)
    attempt = only_attempt(campaign)
    later = NOW + dt.timedelta(minutes=1)
    calls.attempt_answered(attempt_id=attempt.pk, now=later, lease=later + dt.timedelta(minutes=2))
    calls.attempt_answered(attempt_id=attempt.pk, now=later + dt.timedelta(seconds=5), lease=later)
    attempt.refresh_from_db()
    assert attempt.answered_at == later
    assert calls.leases_renew(attempt_ids=[attempt.pk], lease=later + dt.timedelta(minutes=3)) == 1
    assert calls.attempt_progress(attempt_id=attempt.pk, now=later) is None  # lease still running
    expired_at = later + dt.timedelta(minutes=4)
    assert calls.expired_attempt_ids(now=expired_at, limit=10) == [attempt.pk]
    assert calls.attempt_progress(attempt_id=attempt.pk, now=expired_at) == calls.Progress(None, later)


# --- Claim ----------------------------------------------------------------------


def test_usage_counts_calls_in_progress(database, customer):
    campaign = claimed(customer, contacts=3)
    usage = claim.usage(campaign_id=campaign.pk, now=NOW + dt.timedelta(milliseconds=500))
    assert usage == claim.Usage(dialing=3, undialled=3, last_second=3, lines_in_use=3)
    later = claim.usage(campaign_id=campaign.pk, now=NOW + dt.timedelta(seconds=2))
    assert later.last_second == 0 and claim.lines_in_use(campaign.pk) == 3


def test_due_jobs_come_earliest_first_across_zones_and_a_claim_takes_them_once(database, customer):
    with time_machine.travel(NOW, tick=False):
        campaign = dialer_campaign(customer, contacts=4, lines=4, zones=["Europe/London", "Asia/Tokyo"])
    jobs = list(CallJob.objects.filter(campaign=campaign).order_by("pk"))
    for n, job in enumerate(jobs):
        CallJob.objects.filter(pk=job.pk).update(next_attempt_at=NOW - dt.timedelta(minutes=10 - n))
    zones = ["Asia/Tokyo", "Europe/London"]
    due = claim.due_jobs(campaign_id=campaign.pk, zones=zones, now=NOW, limit=3)
    assert due == [claim.DueJob(job.pk, job.phone) for job in jobs[:3]]
    assert claim.due_jobs(campaign_id=campaign.pk, zones=["Europe/London"], now=NOW, limit=5) == [
        claim.DueJob(job.pk, job.phone) for job in jobs[::2]
    ]
    ids = [job.pk for job in reversed(jobs[:3])]
    taken = claim.jobs_claim(ids=ids, token="t1", now=NOW, with_variables=True)
    assert [job.pk for job in taken] == ids
    assert {job.attempts_made for job in taken} == {1}
    contacts = dict(Contact.objects.values_list("pk", "variables"))
    assert [job.variables for job in taken] == [contacts[CallJob.objects.get(pk=pk).contact_id] for pk in ids]
    assert taken[0].variables["name"].startswith("Person ")
    assert claim.jobs_claim(ids=ids, token="t2", now=NOW, with_variables=False) == []
    assert claim.due_jobs(campaign_id=campaign.pk, zones=zones, now=NOW, limit=5) == [
        claim.DueJob(jobs[3].pk, jobs[3].phone)
    ]


def test_a_deferred_job_is_due_later(database, customer):
    with time_machine.travel(NOW, tick=False):
        campaign = dialer_campaign(customer, contacts=1, lines=1)
    job = CallJob.objects.get(campaign=campaign)
    claim.jobs_defer({job.pk: NOW + dt.timedelta(days=1)})
    assert claim.due_jobs(campaign_id=campaign.pk, zones=[job.time_zone], now=NOW, limit=5) == []


def test_new_attempts_are_written_in_order(database, customer):
    with time_machine.travel(NOW, tick=False):
        campaign = dialer_campaign(customer, contacts=2, lines=2)
    jobs = list(CallJob.objects.filter(campaign=campaign).order_by("-pk"))
    made = claim.attempts_create(
        [
            claim.NewAttempt(job.pk, campaign.pk, 1, "+442000000000", job.phone, [{"type": "say"}], NOW, NOW)
            for job in jobs
        ]
    )
    assert [CallAttempt.objects.get(pk=pk).job_id for pk in made] == [job.pk for job in jobs]


# --- Outcome --------------------------------------------------------------------


def test_the_end_is_written_once_with_its_counters_and_tally(database, customer):
    campaign = claimed(customer, contacts=2, repeat_busy=True, repeat_busy_count=1, repeat_busy_period=5)
    first, second = CallAttempt.objects.filter(campaign=campaign).order_by("pk")
    ending = outcome.attempt_ending(first.pk)
    assert ending is not None
    assert (ending.job_id, ending.campaign_id, ending.customer_id, ending.number) == (
        first.job_id,
        campaign.pk,
        customer.pk,
        1,
    )
    assert ending.started_at == NOW and ending.repeats_by_outcome == {} and ending.last_outcome == ""
    assert ending.campaign.repeat_rule("busy") == (True, 1, 5)
    assert ending.campaign.status == CampaignStatus.LAUNCHED

    def end(attempt, ending, job_status, when):
        return outcome.attempt_end_write(
            outcome.AttemptEnd(
                attempt_id=attempt.pk,
                ending=ending,
                now=NOW + dt.timedelta(seconds=30),
                lease_expired_before=dt.datetime(9999, 12, 31, tzinfo=dt.UTC),
                outcome=Outcome.BUSY,
                cause="486",
                duration=0,
                digits="12",
                job_status=job_status,
                next_attempt_at=when,
                repeats_made=1 if when else 0,
                repeats_by_outcome={"busy": 1} if when else {},
                category="busy",
                counts={Outcome.BUSY: 1},
                called=1,
                slot=NOW,
            )
        )

    retry_at = NOW + dt.timedelta(minutes=5)
    assert end(first, ending, JobStatus.PENDING, retry_at) == outcome.Counted(CampaignStatus.LAUNCHED, 0, 2)
    assert end(first, ending, JobStatus.PENDING, retry_at) is None  # ended already: nothing written
    job = CallJob.objects.get(pk=first.job_id)
    assert (job.status, job.next_attempt_at, job.repeats_by_outcome, job.last_cause) == (
        JobStatus.PENDING,
        retry_at,
        {"busy": 1},
        "486",
    )
    first.refresh_from_db()
    assert (first.status, first.outcome, first.digits) == (AttemptStatus.ENDED, "busy", "12")

    # The campaign finished while the second call ran: its job is cancelled in the same write.
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.FINISHED)
    ending = outcome.attempt_ending(second.pk)
    assert end(second, ending, JobStatus.DONE, None) == outcome.Counted(CampaignStatus.FINISHED, 0, 2)
    job = CallJob.objects.get(pk=second.job_id)
    assert (job.status, job.next_attempt_at) == (JobStatus.CANCELLED, None)
    campaign.refresh_from_db()
    assert (campaign.stat_busy, campaign.stat_called, campaign.stat_done) == (2, 2, 0)
    assert list(CallTally.objects.filter(campaign=campaign).values_list("slot", "busy", "answered")) == [(NOW, 2, 0)]


def test_the_reapers_end_waits_for_an_expired_lease(database, customer):
    campaign = claimed(customer)
    attempt = only_attempt(campaign)
    ending = outcome.attempt_ending(attempt.pk)
    written = outcome.attempt_end_write(
        outcome.AttemptEnd(
            attempt_id=attempt.pk,
            ending=ending,
            now=NOW,
            lease_expired_before=NOW,  # the lease runs two more minutes
            outcome=Outcome.FAILED,
            cause="P03",
            duration=0,
            digits="",
            job_status=JobStatus.DONE,
            next_attempt_at=None,
            repeats_made=0,
            repeats_by_outcome={},
            category="failed",
            counts={Outcome.FAILED: 1},
            called=1,
            slot=NOW,
        )
    )
    assert written is None
    assert CallJob.objects.get(campaign=campaign).status == JobStatus.IN_PROGRESS


# --- Launch and tallies ---------------------------------------------------------


def test_the_snapshot_zones_and_cancel(database, customer):
    with time_machine.travel(NOW, tick=False):
        campaign = dialer_campaign(customer, contacts=3, zones=["Europe/London", "Asia/Tokyo"], launch=False)
    snapshot = launch.jobs_snapshot(campaign=campaign, now=NOW)
    assert snapshot == launch.Snapshot(created=3, suppressed=0)
    assert launch.job_zones(campaign.pk) == ["Asia/Tokyo", "Europe/London"]
    assert launch.jobs_cancel(campaign.pk) == 3
    assert set(CallJob.objects.filter(campaign=campaign).values_list("status", flat=True)) == {JobStatus.CANCELLED}


def test_the_tallies_rebuild_from_attempts(database, customer, settings):
    settings.DIALER_SIM_MIX = {"486": 1}
    campaign = claimed(customer, contacts=2)
    CallAttempt.objects.filter(campaign=campaign).update(status=AttemptStatus.ENDED, outcome=Outcome.BUSY)
    assert tallies.tallies_rebuild(campaign=campaign) == 1
    assert list(CallTally.objects.filter(campaign=campaign).values_list("slot", "busy", "failed")) == [(NOW, 2, 0)]


# --- The call job's state machine ----------------------------------------------

STATUSES = list(JobStatus)


@pytest.mark.parametrize("to_status", STATUSES)
@pytest.mark.parametrize("from_status", [None, *STATUSES])
def test_the_table_allows_its_moves_and_refuses_every_other(from_status, to_status):
    if to_status in JOB_MOVES[from_status]:
        assert job_move(from_status, to_status) == to_status.value
    else:
        with pytest.raises(JobMoveRefused):
            job_move(from_status, to_status)


def test_the_table_holds_exactly_the_dialers_moves():
    allowed = {(f, t) for f, targets in JOB_MOVES.items() for t in targets}
    assert allowed == {
        (None, JobStatus.PENDING),
        (None, JobStatus.SUPPRESSED),
        (JobStatus.PENDING, JobStatus.IN_PROGRESS),
        (JobStatus.PENDING, JobStatus.CANCELLED),
        (JobStatus.IN_PROGRESS, JobStatus.PENDING),
        (JobStatus.IN_PROGRESS, JobStatus.DONE),
        (JobStatus.IN_PROGRESS, JobStatus.CANCELLED),
        (JobStatus.IN_PROGRESS, JobStatus.SUPPRESSED),
    }


def _claim(job: CallJob) -> None:
    claim.jobs_claim(ids=[job.pk], token="t", now=NOW, with_variables=False)


def _cancel(job: CallJob) -> None:
    launch.jobs_cancel(job.campaign_id)


def _suppress(job: CallJob) -> None:
    claim.jobs_suppress(campaign_id=job.campaign_id, by_entry={"platform +44*": [job.pk]}, now=NOW)


def _end(to_status: JobStatus):
    def end(job: CallJob) -> None:
        attempt = CallAttempt.objects.get(job=job)
        ending = outcome.attempt_ending(attempt.pk)
        assert ending is not None
        outcome.attempt_end_write(
            outcome.AttemptEnd(
                attempt_id=attempt.pk,
                ending=ending,
                now=NOW,
                lease_expired_before=dt.datetime(9999, 12, 31, tzinfo=dt.UTC),
                outcome=Outcome.ANSWERED,
                cause="200",
                duration=30,
                digits="",
                job_status=to_status,
                next_attempt_at=NOW + dt.timedelta(hours=1) if to_status == JobStatus.PENDING else None,
                repeats_made=0,
                repeats_by_outcome={},
                category="answered",
                counts={Outcome.ANSWERED: 1},
                called=1,
                slot=NOW,
            )
        )

    return end


def _withdraw(job: CallJob) -> None:
    attempt = CallAttempt.objects.get(job=job)
    undialled = calls.attempt_undialled(attempt.pk)
    assert undialled is not None
    calls.attempt_withdraw_write(attempt=attempt.pk, undialled=undialled)


# Each statement that moves a job, with the move it makes.
WRITERS = {
    "claim": (_claim, JobStatus.PENDING, JobStatus.IN_PROGRESS),
    "finish's cancel": (_cancel, JobStatus.PENDING, JobStatus.CANCELLED),
    "do-not-call at claim": (_suppress, JobStatus.IN_PROGRESS, JobStatus.SUPPRESSED),
    "end, called again": (_end(JobStatus.PENDING), JobStatus.IN_PROGRESS, JobStatus.PENDING),
    "end, done": (_end(JobStatus.DONE), JobStatus.IN_PROGRESS, JobStatus.DONE),
    "withdrawal": (_withdraw, JobStatus.IN_PROGRESS, JobStatus.PENDING),
}


@pytest.mark.parametrize("from_status", STATUSES)
@pytest.mark.parametrize("writer", list(WRITERS))
def test_each_statement_makes_its_move_only_from_its_status(database, customer, writer, from_status):
    write, source, target = WRITERS[writer]
    assert target in JOB_MOVES[source]
    campaign = claimed(customer)
    job = CallJob.objects.get(campaign=campaign)
    CallJob.objects.filter(pk=job.pk).update(status=from_status)
    write(job)
    job.refresh_from_db()
    assert job.status == (target if from_status == source else from_status)
