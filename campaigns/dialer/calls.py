"""Placing one attempt's call through the gateway, and the gateway's reports coming back.

An attempt is placed at most once: the call task takes it by compare-and-set
on its empty ``worker`` field, so a task delivered twice (a worker killed
after taking it, a broker redelivery) finds it taken and does nothing. The
reaper ends attempts whose lease ran out; a late report then changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from campaigns.causes import ANSWERED_END_LOST, LOST_BY_WORKER
from campaigns.dialer.outcome import attempt_end
from campaigns.dialer.window import job_in_period
from campaigns.models import AttemptStatus, CallAttempt, CallJob, Campaign, CampaignStatus, JobStatus
from compliance.models import ANumberDay
from telephony.db import prepared_fetchone
from telephony.gateways import CallEvent, CallRequest, get_gateway

log = logging.getLogger(__name__)


def lease_until(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(seconds=settings.DIALER_LEASE_SECONDS)


def _take_sql() -> str:
    q = connection.ops.quote_name
    attempt, campaign = q(CallAttempt._meta.db_table), q(Campaign._meta.db_table)
    return (
        f"UPDATE {attempt} SET worker = %s, started_at = %s, lease_expires_at = %s, dialed_at = %s"
        " WHERE id = %s AND status = %s AND worker = '' AND lease_expires_at > %s"
        f" AND campaign_id IN (SELECT id FROM {campaign} WHERE status = %s"
        " AND (scheduled_at IS NULL OR scheduled_at <= %s))"
        " RETURNING a_number, b_number, number, scenario"
    )


_WHEN = (
    "lease_expires_at",
    "job__time_zone",
    "campaign__status",
    "campaign__scheduled_at",
    "campaign__all_day",
    "campaign__work_start",
    "campaign__work_end",
    "campaign__work_days",
    "campaign__time_zone",
    "campaign__subscriber_time_zone",
)


def _may_call(row: tuple, now: dt.datetime) -> bool:
    """Whether a claim read as ``_WHEN`` may still be placed at ``now``: the campaign launched and
    past its scheduled launch, the lease running, the job's zone inside the work period."""
    lease, job_zone, status, scheduled_at, *window = row
    if status != CampaignStatus.LAUNCHED or (scheduled_at is not None and scheduled_at > now):
        return False
    if lease is None or lease <= now:
        return False
    fields = ("all_day", "work_start", "work_end", "work_days", "time_zone", "subscriber_time_zone")
    campaign = Campaign(**dict(zip(fields, window, strict=True)))
    return job_in_period(campaign, job_zone, now)


def attempt_place(*, attempt_id: int, worker: str, now: dt.datetime | None = None) -> bool:
    """Take the attempt and hand its call to the gateway; False when it was not ours to place.

    At take time the claim is checked again — campaign launched and past its
    scheduled launch, the job's zone inside the work period, the lease running
    (a claim may have waited for a free call thread) — and withdrawn when it
    fails: the job goes back to waiting, as if never claimed. The take marks the
    attempt as handed to the gateway (``dialed_at``, in the same statement: the
    call follows at once), so a worker lost before it loses no call
    (``attempt_expire``). A gateway that does not hold the call thread (SIP)
    gets the call unmarked: its engine marks it when it takes it
    (``attempt_dial``), checking again.
    """
    now = now or timezone.now()
    when = CallAttempt.objects.filter(pk=attempt_id, status=AttemptStatus.DIALING, worker="").values_list(*_WHEN)
    row = when.first()
    if row is None:
        return False
    stamp = connection.ops.adapt_datetimefield_value(now)
    gateway = get_gateway()
    taken = None
    if _may_call(row, now):
        taken = prepared_fetchone(
            _take_sql(),
            [
                worker[:200] or "worker",
                stamp,
                connection.ops.adapt_datetimefield_value(lease_until(now)),
                stamp if gateway.holds_call_thread else None,
                attempt_id,
                AttemptStatus.DIALING.value,
                stamp,
                CampaignStatus.LAUNCHED.value,
                stamp,
            ],
        )
    if taken is None:
        attempt_withdraw(attempt_id=attempt_id, now=now)
        return False
    a_number, b_number, number, scenario = taken
    request = CallRequest(
        attempt_id=attempt_id,
        a_number=a_number,
        b_number=b_number,
        attempt_number=number,
        scenario=json.loads(scenario) if isinstance(scenario, str) else scenario,
    )
    try:
        gateway.place_call(request, attempt_report)
    except Exception:
        # A backend must report failures, not raise them; if one does, the
        # call still ends, as a gateway error, instead of waiting for the reaper.
        log.exception("gateway failed placing attempt %s", attempt_id)
        attempt_end(attempt_id=attempt_id, cause="500")
    return True


def _engine_dial_sql() -> str:
    q = connection.ops.quote_name
    attempt, campaign = q(CallAttempt._meta.db_table), q(Campaign._meta.db_table)
    return (
        f"UPDATE {attempt} SET dialed_at = %s, lease_expires_at = %s, worker = %s"
        " WHERE id = %s AND status = %s AND dialed_at IS NULL AND worker <> '' AND lease_expires_at > %s"
        f" AND campaign_id IN (SELECT id FROM {campaign} WHERE status = %s) RETURNING id"
    )


def attempt_dial(*, attempt_id: int, engine: str, now: dt.datetime | None = None) -> bool:
    """A call engine takes a call handed over to it: True when it is to dial it now.

    The claim is checked again, as a worker checks it (campaign still launched —
    a pause or finish stops queued calls at once —, the lease running, the
    job's zone inside the work period); when it may still be placed the
    attempt is marked dialled by compare-and-set, its lease renewed and
    ``worker`` set to the engine. Otherwise it is withdrawn as never dialled
    (the job waits again, or is cancelled when the campaign has finished).
    False as well when it is gone (the reaper withdrew it while it was queued).
    """
    now = now or timezone.now()
    when = CallAttempt.objects.filter(pk=attempt_id, status=AttemptStatus.DIALING, dialed_at__isnull=True)
    row = when.values_list(*_WHEN).first()
    if row is None:
        return False
    if _may_call(row, now):
        stamp = connection.ops.adapt_datetimefield_value(now)
        dialled = prepared_fetchone(
            _engine_dial_sql(),
            [
                stamp,
                connection.ops.adapt_datetimefield_value(lease_until(now)),
                engine[:200] or "engine",
                attempt_id,
                AttemptStatus.DIALING.value,
                stamp,
                CampaignStatus.LAUNCHED.value,
            ],
        )
        if dialled is not None:
            return True
    attempt_withdraw(attempt_id=attempt_id, now=now, handed_over=True)
    return False


def attempt_withdraw(*, attempt_id: int, now: dt.datetime | None = None, handed_over: bool = False) -> bool:
    """Undo a claim whose call never reached the gateway, as if it had not been made; False if not applicable.

    Applies to a claim no worker took that may no longer be placed (campaign
    paused or finished, scheduled launch not reached, work period over in the
    job's zone, lease run out) and to any attempt never handed to the gateway
    whose lease ran out (its worker was lost before dialing). ``handed_over``
    (a call engine, ``attempt_dial``): the claim was taken and handed to the
    engine, which found it may no longer be placed. The attempt is deleted by
    compare-and-set and its job waits again (cancelled when the campaign has
    finished), with its attempt count given back.
    """
    now = now or timezone.now()
    with transaction.atomic():
        undialed = CallAttempt.objects.filter(pk=attempt_id, status=AttemptStatus.DIALING, dialed_at__isnull=True)
        row = undialed.values_list("job_id", "campaign_id", "worker", "a_number", "started_at", *_WHEN).first()
        if row is None:
            return False
        job_id, campaign_id, taken_by, a_number, started_at, *when = row
        lease = when[0]
        expired = lease is not None and lease <= now
        if not expired and ((taken_by and not handed_over) or _may_call(tuple(when), now)):
            return False
        if not undialed.filter(worker=taken_by).delete()[0]:
            return False
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        changes: dict = {"claim_token": "", "attempts_made": F("attempts_made") - 1}
        if campaign.status == CampaignStatus.FINISHED:
            changes["status"] = JobStatus.CANCELLED
        else:
            changes["status"] = JobStatus.PENDING
        CallJob.objects.filter(pk=job_id, status=JobStatus.IN_PROGRESS).update(**changes)
        # The claim counted a call against its A-number's daily cap (compliance.caller_id); give it
        # back, or claims withdrawn again and again burn the number for the day with no call made.
        if a_number:
            day = started_at.astimezone(dt.UTC).date()
            ANumberDay.objects.filter(number=a_number, day=day, calls__gt=0).update(calls=F("calls") - 1)
    return True


def attempt_expire(*, attempt_id: int, now: dt.datetime) -> bool:
    """End an attempt whose lease ran out (the reaper) by how far its call got; False if nothing changed.

    Never handed to the gateway: withdrawn, as if it had not happened. Answered:
    ends answered (P05), so no failed- or short-call rule calls the person
    again. Otherwise (it may have rung): failed, P03, and the failed-call rule decides.
    """
    row = (
        CallAttempt.objects.filter(pk=attempt_id, status=AttemptStatus.DIALING, lease_expires_at__lte=now)
        .values_list("dialed_at", "answered_at")
        .first()
    )
    if row is None:
        return False
    dialed_at, answered_at = row
    if answered_at is not None:
        return attempt_end(attempt_id=attempt_id, cause=ANSWERED_END_LOST, now=now, lease_expired_before=now)
    if dialed_at is None:
        return attempt_withdraw(attempt_id=attempt_id, now=now)
    return attempt_end(attempt_id=attempt_id, cause=LOST_BY_WORKER, now=now, lease_expired_before=now)


def attempt_report(event: CallEvent) -> None:
    """The one service every gateway reports through; repeating a report changes nothing."""
    if event.event == "answered":
        now = timezone.now()
        attempt = connection.ops.quote_name(CallAttempt._meta.db_table)
        prepared_fetchone(
            f"UPDATE {attempt} SET answered_at = %s, lease_expires_at = %s"
            " WHERE id = %s AND status = %s AND answered_at IS NULL",
            [
                connection.ops.adapt_datetimefield_value(now),
                connection.ops.adapt_datetimefield_value(lease_until(now)),
                event.attempt_id,
                AttemptStatus.DIALING.value,
            ],
        )
    elif event.event == "ended":
        if event.transfer:
            # Before the end (which only a dialing attempt takes): a late repeat changes nothing.
            CallAttempt.objects.filter(pk=event.attempt_id, status=AttemptStatus.DIALING).update(
                transfer=event.transfer[:64]
            )
        attempt_end(attempt_id=event.attempt_id, cause=event.cause, duration=event.duration, digits=event.digits)
    else:
        raise ValueError(f"Unknown call event {event.event!r}; expected 'answered' or 'ended'.")


def attempt_leases_renew(*, attempt_ids: list[int], now: dt.datetime | None = None) -> int:
    """The heartbeat of whoever holds live calls: push their leases forward; returns how many it renewed.

    A call engine calls this for its calls in progress more often than the lease
    runs out, so the reaper never ends a call that is still live, however long.
    """
    if not attempt_ids:
        return 0
    now = now or timezone.now()
    return CallAttempt.objects.filter(pk__in=attempt_ids, status=AttemptStatus.DIALING).update(
        lease_expires_at=lease_until(now)
    )
