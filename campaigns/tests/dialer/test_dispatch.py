import datetime as dt

import pytest
import time_machine

from campaigns.causes import A_NUMBER_ON_HOLD, NO_USABLE_A_NUMBER
from campaigns.dialer import dialer_tick, lines_in_use
from campaigns.dialer.store import claim as claim_store
from campaigns.dialer.store.claim import DueJob, Usage
from campaigns.models import AttemptStatus, CallAttempt, CallJob, CampaignStatus, JobStatus
from campaigns.services import campaign_pause, campaign_resume
from campaigns.tests.dialer.helpers import at, dialer_campaign, play_calls, unplaced
from dids.models import DID

pytestmark = pytest.mark.django_db


def put_on_hold(did) -> None:
    now = dt.datetime.now(dt.UTC)
    DID.objects.filter(pk=did.pk).update(status="hold", hold_started_at=now, hold_ends_at=now + dt.timedelta(days=30))


def test_a_tick_claims_up_to_the_free_lines(customer):
    campaign = dialer_campaign(customer, contacts=10, lines=3)
    assert dialer_tick() == 3
    assert lines_in_use(campaign.pk) == 3
    assert dialer_tick() == 0  # every line busy
    attempts = CallAttempt.objects.filter(campaign=campaign)
    assert attempts.count() == 3 and set(attempts.values_list("number", flat=True)) == {1}
    assert all(a.lease_expires_at > a.started_at for a in attempts)

    play_calls(campaign)  # the three calls end and free their lines
    assert lines_in_use(campaign.pk) == 0
    assert dialer_tick() == 3


def test_the_attempt_carries_the_numbers_and_the_rendered_scenario(customer):
    campaign = dialer_campaign(customer, contacts=1)
    dialer_tick()
    attempt = CallAttempt.objects.get(campaign=campaign)
    job = CallJob.objects.get(campaign=campaign)
    assert attempt.a_number == campaign.a_number_did.number
    assert attempt.b_number == job.phone
    assert attempt.scenario[0]["text"] == "Hello Person 0, your code is C0."
    assert job.attempts_made == 1 and job.status == JobStatus.IN_PROGRESS


def test_a_claim_is_compare_and_set_so_overlapping_ticks_cannot_take_one_job_twice(customer, monkeypatch):
    campaign = dialer_campaign(customer, contacts=3, lines=5)
    dialer_tick()
    taken = [DueJob(pk, phone) for pk, phone in CallJob.objects.filter(campaign=campaign).values_list("pk", "phone")]
    # A second tick that read the same rows before the first one's update (SQLite ignores FOR UPDATE).
    monkeypatch.setattr(claim_store, "due_jobs", lambda **kwargs: taken)
    monkeypatch.setattr(claim_store, "usage", lambda **kwargs: Usage(0, 0, 0, 0))
    assert dialer_tick() == 0
    assert CallAttempt.objects.filter(campaign=campaign).count() == 3


def test_a_scheduled_campaign_makes_no_call_before_its_time(customer):
    with time_machine.travel(at("2026-11-23 09:00"), tick=False):
        campaign = dialer_campaign(customer, contacts=2, scheduled_at=at("2026-11-23 12:00"))
        assert dialer_tick() == 0
    with time_machine.travel(at("2026-11-23 11:59:59"), tick=False):
        assert dialer_tick() == 0
    with time_machine.travel(at("2026-11-23 12:00"), tick=False):
        assert dialer_tick() == 2
    assert CallAttempt.objects.filter(campaign=campaign).count() == 2


def test_pause_stops_claims_and_withdraws_calls_not_placed_yet(customer):
    campaign = dialer_campaign(customer, contacts=6, lines=2)
    dialer_tick()
    campaign_pause(campaign=campaign)
    assert dialer_tick() == 0
    # The two claimed calls were not handed to a worker yet: they are withdrawn, not placed.
    assert play_calls(campaign) == 0
    assert CallAttempt.objects.filter(campaign=campaign).count() == 0
    assert set(CallJob.objects.filter(campaign=campaign).values_list("status", flat=True)) == {JobStatus.PENDING}
    assert set(CallJob.objects.filter(campaign=campaign).values_list("attempts_made", flat=True)) == {0}

    campaign_resume(campaign=campaign)
    assert dialer_tick() == 2
    assert set(CallAttempt.objects.filter(campaign=campaign).values_list("number", flat=True)) == {1}


def test_calls_in_progress_when_paused_end_normally_and_count(customer):
    from campaigns.dialer import attempt_end

    campaign = dialer_campaign(customer, contacts=3, lines=1)
    dialer_tick()
    attempt = CallAttempt.objects.get(campaign=campaign)
    CallAttempt.objects.filter(pk=attempt.pk).update(worker="w1")  # placed before the pause
    campaign_pause(campaign=campaign)
    assert attempt_end(attempt_id=attempt.pk, cause="486")
    campaign.refresh_from_db()
    assert campaign.stat_called == 1 and campaign.stat_busy == 1 and campaign.status == CampaignStatus.PAUSED


def test_the_campaign_finishes_by_itself_when_no_job_is_left(customer):
    campaign = dialer_campaign(customer, contacts=3, lines=5)
    dialer_tick()
    play_calls(campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.FINISHED
    assert campaign.stat_done == 3 and campaign.remaining == 0
    assert campaign.transitions.last().by_dialer


def test_an_empty_campaign_is_finished_by_the_dispatcher(customer):
    # A list with no contact is refused at launch (campaigns.services): here its one job went
    # after launch (as a contact's erasure can take it).
    from campaigns.models import CallJob

    campaign = dialer_campaign(customer, contacts=1)
    CallJob.objects.filter(campaign=campaign).delete()
    dialer_tick()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.FINISHED


def test_platform_limits_hold_across_campaigns(customer, settings):
    settings.DIALER_MAX_CALLS = 4
    first = dialer_campaign(customer, contacts=5, lines=3)
    second = dialer_campaign(customer, contacts=5, lines=3)
    assert dialer_tick() == 4
    assert lines_in_use(first.pk) + lines_in_use(second.pk) == 4
    settings.DIALER_MAX_CALLS = 100
    settings.DIALER_MAX_CALLS_PER_SECOND = 5
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False):
        assert dialer_tick() == 1  # four started within this second already
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2), tick=False):
        assert dialer_tick() == 1  # the lines: 6 - 5 in use


def test_each_job_is_called_only_inside_its_own_window(customer):
    zones = ["Europe/London", "America/New_York", "Asia/Tokyo"]
    with time_machine.travel(at("2026-11-23 00:00"), tick=False):  # a Monday
        campaign = dialer_campaign(
            customer,
            contacts=6,
            zones=zones,
            lines=50,
            all_day=False,
            work_start=dt.time(9),
            work_end=dt.time(18),
            subscriber_time_zone=True,
        )
    called_at: dict[str, list[dt.datetime]] = {zone: [] for zone in zones}
    moment = at("2026-11-23 00:00")
    while moment < at("2026-11-24 00:00"):
        with time_machine.travel(moment, tick=False):
            dialer_tick()
            for attempt in unplaced(campaign).select_related("job"):
                called_at[attempt.job.time_zone].append(moment)
            CallAttempt.objects.filter(campaign=campaign).update(worker="gone")  # keep the lines busy
        moment += dt.timedelta(minutes=30)
    from zoneinfo import ZoneInfo

    for zone, moments in called_at.items():
        assert len(moments) == 2, zone
        for moment in moments:
            assert dt.time(9) <= moment.astimezone(ZoneInfo(zone)).time() < dt.time(18)


def test_a_did_on_hold_or_gone_ends_the_attempt_with_the_platform_cause(customer):
    campaign = dialer_campaign(customer, contacts=2)
    put_on_hold(campaign.a_number_did)
    assert dialer_tick() == 2
    attempts = CallAttempt.objects.filter(campaign=campaign)
    assert set(attempts.values_list("status", "cause")) == {(AttemptStatus.ENDED, A_NUMBER_ON_HOLD)}
    assert unplaced(campaign).count() == 0

    other = dialer_campaign(customer, contacts=1)
    DID.objects.filter(pk=other.a_number_did_id).update(status="in_stock", customer=None, client_package=None)
    dialer_tick()
    assert CallAttempt.objects.get(campaign=other).cause == NO_USABLE_A_NUMBER


def test_a_pool_gives_the_a_numbers_in_turn_and_p01_when_none_is_usable(customer):
    from callerid_pools.services import pool_members_add
    from callerid_pools.tests.factories import NumberPoolFactory
    from dids.tests.factories import AssignedDIDFactory

    pool = NumberPoolFactory(customer=customer)
    dids = [AssignedDIDFactory(client_package__customer=customer) for _ in range(2)]
    pool_members_add(pool=pool, dids=dids)
    campaign = dialer_campaign(customer, contacts=4, lines=4)
    campaign.a_number_did, campaign.a_number_pool = None, pool
    campaign.save()
    dialer_tick()
    used = sorted(CallAttempt.objects.filter(campaign=campaign).values_list("a_number", flat=True))
    assert used == sorted([d.number for d in dids] * 2)

    for did in dids:
        put_on_hold(did)
    play_calls(campaign)
    campaign.repeat_answered = True
    campaign.repeat_answered_period = 1
    campaign.save()
    other = dialer_campaign(customer, contacts=1, name="Pool empty")
    other.a_number_did, other.a_number_pool = None, pool
    other.save()
    dialer_tick()
    assert CallAttempt.objects.get(campaign=other).cause == NO_USABLE_A_NUMBER
