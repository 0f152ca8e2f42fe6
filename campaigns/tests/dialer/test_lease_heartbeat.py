"""Hardening item 16: a live call longer than the lease is never reaped (heartbeat + expired-lease check)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from campaigns.causes import ANSWERED_END_LOST, LOST_BY_WORKER
from campaigns.dialer import attempt_end, attempt_leases_renew, attempt_report, dialer_reap, dialer_tick
from campaigns.models import AttemptStatus, CallAttempt
from campaigns.tests.dialer.helpers import at, dialer_campaign
from telephony.gateways import CallEvent

pytestmark = pytest.mark.django_db
START = at("2026-11-23 10:00")


def _live_call(customer, settings):
    settings.DIALER_LEASE_SECONDS = 20
    with time_machine.travel(START, tick=False):
        campaign = dialer_campaign(customer, contacts=1, lines=1)
        dialer_tick()
        attempt = CallAttempt.objects.get(campaign=campaign)
        CallAttempt.objects.filter(pk=attempt.pk).update(
            worker="engine-1", lease_expires_at=START + dt.timedelta(seconds=20)
        )
        attempt_report(CallEvent(attempt.pk, "answered"))
    return attempt


def test_a_call_four_times_longer_than_the_lease_is_never_reaped_while_its_heartbeat_runs(customer, settings):
    attempt = _live_call(customer, settings)
    for second in range(10, 81, 10):  # the engine beats every 10 s of an 80 s call; the reaper runs as often
        with time_machine.travel(START + dt.timedelta(seconds=second), tick=False):
            assert attempt_leases_renew(attempt_ids=[attempt.pk]) == 1
            assert dialer_reap() == 0
    with time_machine.travel(START + dt.timedelta(seconds=85), tick=False):
        attempt_report(CallEvent(attempt.pk, "ended", cause="200", duration=85))
    attempt.refresh_from_db()
    assert (attempt.status, attempt.cause, attempt.duration) == (AttemptStatus.ENDED, "200", 85)


def test_without_a_heartbeat_the_call_is_reaped_once_the_lease_expires(customer, settings):
    attempt = _live_call(customer, settings)
    with time_machine.travel(START + dt.timedelta(seconds=21), tick=False):
        assert dialer_reap() == 1
    attempt.refresh_from_db()
    assert attempt.cause == ANSWERED_END_LOST  # answered, so never called again as a failure (17.17)
    assert attempt_leases_renew(attempt_ids=[attempt.pk]) == 0  # an ended attempt is not renewed


def test_the_reapers_end_statement_itself_requires_an_expired_lease(customer, settings):
    # The reaper read the attempt as expired, then the heartbeat renewed it before the end statement.
    attempt = _live_call(customer, settings)
    renewed_at = START + dt.timedelta(seconds=25)
    with time_machine.travel(renewed_at, tick=False):
        attempt_leases_renew(attempt_ids=[attempt.pk])
    stale_read = START + dt.timedelta(seconds=21)
    assert (
        attempt_end(attempt_id=attempt.pk, cause=LOST_BY_WORKER, now=stale_read, lease_expired_before=stale_read)
        is False
    )
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.DIALING
