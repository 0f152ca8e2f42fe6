"""The statements of one call's life after its claim: take, dial, withdraw, answer, renew, expire."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F

from campaigns.dialer.store._db import ATTEMPT, CAMPAIGN, JOB, aware, json_value, one, rows, stamp
from campaigns.dialer.store.moves import CANCELLED, IN_PROGRESS, PENDING, job_move
from campaigns.models import AttemptStatus, CallAttempt, CallJob, Campaign, CampaignStatus
from compliance.models import ANumberDay

DIALING = AttemptStatus.DIALING.value
LAUNCHED, FINISHED = CampaignStatus.LAUNCHED.value, CampaignStatus.FINISHED.value


@dataclass(frozen=True, slots=True)
class TakeCheck:
    """What decides whether a claim may still be placed: its lease, its job's zone, its campaign's
    status, scheduled launch and work period (the fields the work-period rules read)."""

    lease_expires_at: dt.datetime | None
    job_zone: str
    campaign_status: str
    scheduled_at: dt.datetime | None
    all_day: bool
    work_start: dt.time | None
    work_end: dt.time | None
    work_days: int
    time_zone: str
    subscriber_time_zone: bool


@dataclass(frozen=True, slots=True)
class Undialled:
    """A dialing attempt never handed to the gateway, as a withdrawal reads it."""

    job_id: int
    campaign_id: int
    worker: str
    a_number: str
    started_at: dt.datetime
    check: TakeCheck


@dataclass(frozen=True, slots=True)
class Placement:
    """What the gateway needs to place a taken call."""

    a_number: str
    b_number: str
    number: int
    scenario: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Progress:
    """How far an expired attempt's call got."""

    dialed_at: dt.datetime | None
    answered_at: dt.datetime | None


_CHECK_COLUMNS = (
    "a.lease_expires_at, j.time_zone, c.status, c.scheduled_at, c.all_day, c.work_start, c.work_end,"
    " c.work_days, c.time_zone, c.subscriber_time_zone"
)
_CHECK_FROM = f" FROM {ATTEMPT} a JOIN {JOB} j ON j.id = a.job_id JOIN {CAMPAIGN} c ON c.id = a.campaign_id"
_CHECK_UNTAKEN = (
    f"SELECT {_CHECK_COLUMNS}{_CHECK_FROM} WHERE a.id = %(attempt)s AND a.status = %(dialing)s AND a.worker = ''"
)
_CHECK_UNDIALLED = (
    f"SELECT {_CHECK_COLUMNS}{_CHECK_FROM} WHERE a.id = %(attempt)s AND a.status = %(dialing)s AND a.dialed_at IS NULL"
)
_UNDIALLED = (
    f"SELECT a.job_id, a.campaign_id, a.worker, a.a_number, a.started_at, {_CHECK_COLUMNS}{_CHECK_FROM}"
    " WHERE a.id = %(attempt)s AND a.status = %(dialing)s AND a.dialed_at IS NULL"
)
_TAKE = (
    f"UPDATE {ATTEMPT} SET worker = %(worker)s, started_at = %(now)s, lease_expires_at = %(lease)s,"
    " dialed_at = %(dialed)s"
    " WHERE id = %(attempt)s AND status = %(dialing)s AND worker = '' AND lease_expires_at > %(now)s"
    f" AND campaign_id IN (SELECT id FROM {CAMPAIGN} WHERE status = %(launched)s"
    " AND (scheduled_at IS NULL OR scheduled_at <= %(now)s))"
    " RETURNING a_number, b_number, number, scenario"
)
_ENGINE_DIAL = (
    f"UPDATE {ATTEMPT} SET dialed_at = %(now)s, lease_expires_at = %(lease)s, worker = %(engine)s"
    " WHERE id = %(attempt)s AND status = %(dialing)s AND dialed_at IS NULL AND worker <> ''"
    " AND lease_expires_at > %(now)s"
    f" AND campaign_id IN (SELECT id FROM {CAMPAIGN} WHERE status = %(launched)s) RETURNING id"
)
_ANSWERED = (
    f"UPDATE {ATTEMPT} SET answered_at = %(now)s, lease_expires_at = %(lease)s"
    " WHERE id = %(attempt)s AND status = %(dialing)s AND answered_at IS NULL"
)
_PROGRESS = (
    f"SELECT dialed_at, answered_at FROM {ATTEMPT}"
    " WHERE id = %(attempt)s AND status = %(dialing)s AND lease_expires_at <= %(now)s"
)
_EXPIRED = (
    f"SELECT id FROM {ATTEMPT} WHERE status = %(dialing)s AND lease_expires_at < %(now)s"
    " ORDER BY lease_expires_at LIMIT %(limit)s"
)


def _check(values: tuple[Any, ...]) -> TakeCheck:
    lease, job_zone, status, scheduled_at, all_day, start, end, days, zone, subscriber = values
    return TakeCheck(
        aware(lease), job_zone, status, aware(scheduled_at), bool(all_day), start, end, days, zone, bool(subscriber)
    )


def untaken_check(attempt_id: int) -> TakeCheck | None:
    """The take-time check of a dialing attempt no worker took; None when there is none."""
    row = one(_CHECK_UNTAKEN, {"attempt": attempt_id, "dialing": DIALING})
    return None if row is None else _check(row)


def undialled_check(attempt_id: int) -> TakeCheck | None:
    """The take-time check of a dialing attempt not handed to the gateway yet; None when there is none."""
    row = one(_CHECK_UNDIALLED, {"attempt": attempt_id, "dialing": DIALING})
    return None if row is None else _check(row)


def attempt_take(
    *, attempt_id: int, worker: str, now: dt.datetime, lease: dt.datetime, dialed: bool
) -> Placement | None:
    """Take an untaken attempt for ``worker`` by compare-and-set (lease running, campaign launched and
    past its scheduled launch); marked dialled now when ``dialed``. None when it was not ours to take."""
    row = one(
        _TAKE,
        {
            "worker": worker,
            "now": stamp(now),
            "lease": stamp(lease),
            "dialed": stamp(now) if dialed else None,
            "attempt": attempt_id,
            "dialing": DIALING,
            "launched": LAUNCHED,
        },
    )
    if row is None:
        return None
    a_number, b_number, number, scenario = row
    return Placement(a_number, b_number, number, json_value(scenario))


def attempt_engine_dial(*, attempt_id: int, engine: str, now: dt.datetime, lease: dt.datetime) -> bool:
    """Mark a handed-over attempt dialled by its engine (compare-and-set, campaign still launched)."""
    params = {
        "now": stamp(now),
        "lease": stamp(lease),
        "engine": engine,
        "attempt": attempt_id,
        "dialing": DIALING,
        "launched": LAUNCHED,
    }
    return one(_ENGINE_DIAL, params) is not None


def attempt_undialled(attempt_id: int) -> Undialled | None:
    row = one(_UNDIALLED, {"attempt": attempt_id, "dialing": DIALING})
    if row is None:
        return None
    job_id, campaign_id, worker, a_number, started_at, *check = row
    return Undialled(job_id, campaign_id, worker, a_number, aware(started_at), _check(tuple(check)))


def attempt_withdraw_write(*, attempt: int, undialled: Undialled) -> bool:
    """Delete the undialled attempt (compare-and-set on its worker), put its job back to waiting —
    cancelled when the campaign has finished — with its attempt count given back, and give its call
    back to its A-number's day. False when the attempt changed meanwhile (nothing written)."""
    with transaction.atomic():
        deleted = CallAttempt.objects.filter(
            pk=attempt, status=AttemptStatus.DIALING, dialed_at__isnull=True, worker=undialled.worker
        ).delete()[0]
        if not deleted:
            return False
        status = Campaign.objects.select_for_update().filter(pk=undialled.campaign_id).values_list("status").first()
        to_status = CANCELLED if status == (FINISHED,) else PENDING
        CallJob.objects.filter(pk=undialled.job_id, status=IN_PROGRESS).update(
            status=job_move(IN_PROGRESS, to_status), claim_token="", attempts_made=F("attempts_made") - 1
        )
        if undialled.a_number:
            day = undialled.started_at.astimezone(dt.UTC).date()
            ANumberDay.objects.filter(number=undialled.a_number, day=day, calls__gt=0).update(calls=F("calls") - 1)
    return True


def attempt_answered(*, attempt_id: int, now: dt.datetime, lease: dt.datetime) -> None:
    """Mark a dialing attempt answered (once) and renew its lease."""
    one(_ANSWERED, {"now": stamp(now), "lease": stamp(lease), "attempt": attempt_id, "dialing": DIALING})


def attempt_transfer(*, attempt_id: int, transfer: str) -> None:
    """Record what the peer answered to a transfer, while the attempt is still dialing."""
    CallAttempt.objects.filter(pk=attempt_id, status=AttemptStatus.DIALING).update(transfer=transfer)


def leases_renew(*, attempt_ids: list[int], lease: dt.datetime) -> int:
    return CallAttempt.objects.filter(pk__in=attempt_ids, status=AttemptStatus.DIALING).update(lease_expires_at=lease)


def attempt_progress(*, attempt_id: int, now: dt.datetime) -> Progress | None:
    """How far a dialing attempt whose lease ran out by ``now`` got; None when there is none."""
    row = one(_PROGRESS, {"attempt": attempt_id, "dialing": DIALING, "now": stamp(now)})
    return None if row is None else Progress(aware(row[0]), aware(row[1]))


def expired_attempt_ids(*, now: dt.datetime, limit: int) -> list[int]:
    """The first ``limit`` dialing attempts whose lease ran out before ``now``, oldest lease first."""
    return [row[0] for row in rows(_EXPIRED, {"dialing": DIALING, "now": stamp(now), "limit": limit})]
