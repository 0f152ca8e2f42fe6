"""Placing one attempt's call through the gateway, and the gateway's reports coming back.

An attempt is placed at most once: the call task takes it by compare-and-set
on its empty ``worker`` field, so a task delivered twice (a worker killed
after taking it, a broker redelivery) finds it taken and does nothing. The
reaper ends attempts whose lease ran out; a late report then changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from campaigns.causes import ANSWERED_END_LOST, LOST_BY_WORKER
from campaigns.dialer.outcome import attempt_end
from campaigns.dialer.store import calls as store
from campaigns.dialer.store.calls import TakeCheck
from campaigns.dialer.window import job_in_period
from campaigns.models import CampaignStatus
from telephony.gateways import CallEvent, CallRequest, get_gateway

log = logging.getLogger(__name__)


def lease_until(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(seconds=settings.DIALER_LEASE_SECONDS)


def _may_call(check: TakeCheck, now: dt.datetime) -> bool:
    """Whether a claim may still be placed at ``now``: the campaign launched and past its scheduled
    launch, the lease running, the job's zone inside the work period."""
    if check.campaign_status != CampaignStatus.LAUNCHED or (
        check.scheduled_at is not None and check.scheduled_at > now
    ):
        return False
    if check.lease_expires_at is None or check.lease_expires_at <= now:
        return False
    return job_in_period(check, check.job_zone, now)


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
    check = store.untaken_check(attempt_id)
    if check is None:
        return False
    gateway = get_gateway()
    taken = None
    if _may_call(check, now):
        taken = store.attempt_take(
            attempt_id=attempt_id,
            worker=worker[:200] or "worker",
            now=now,
            lease=lease_until(now),
            dialed=gateway.holds_call_thread,
        )
    if taken is None:
        attempt_withdraw(attempt_id=attempt_id, now=now)
        return False
    request = CallRequest(
        attempt_id=attempt_id,
        a_number=taken.a_number,
        b_number=taken.b_number,
        attempt_number=taken.number,
        scenario=taken.scenario,
    )
    try:
        gateway.place_call(request, attempt_report)
    except Exception:
        # A backend must report failures, not raise them; if one does, the
        # call still ends, as a gateway error, instead of waiting for the reaper.
        log.exception("gateway failed placing attempt %s", attempt_id)
        attempt_end(attempt_id=attempt_id, cause="500")
    return True


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
    check = store.undialled_check(attempt_id)
    if check is None:
        return False
    if _may_call(check, now) and store.attempt_engine_dial(
        attempt_id=attempt_id, engine=engine[:200] or "engine", now=now, lease=lease_until(now)
    ):
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
    finished), with its attempt count given back; so is the call the claim
    counted against its A-number's daily cap (compliance.caller_id), or claims
    withdrawn again and again would burn the number for the day with no call made.
    """
    now = now or timezone.now()
    with transaction.atomic():
        undialled = store.attempt_undialled(attempt_id)
        if undialled is None:
            return False
        lease = undialled.check.lease_expires_at
        expired = lease is not None and lease <= now
        if not expired and ((undialled.worker and not handed_over) or _may_call(undialled.check, now)):
            return False
        return store.attempt_withdraw_write(attempt=attempt_id, undialled=undialled)


def attempt_expire(*, attempt_id: int, now: dt.datetime) -> bool:
    """End an attempt whose lease ran out (the reaper) by how far its call got; False if nothing changed.

    Never handed to the gateway: withdrawn, as if it had not happened. Answered:
    ends answered (P05), so no failed- or short-call rule calls the person
    again. Otherwise (it may have rung): failed, P03, and the failed-call rule decides.
    """
    progress = store.attempt_progress(attempt_id=attempt_id, now=now)
    if progress is None:
        return False
    if progress.answered_at is not None:
        return attempt_end(attempt_id=attempt_id, cause=ANSWERED_END_LOST, now=now, lease_expired_before=now)
    if progress.dialed_at is None:
        return attempt_withdraw(attempt_id=attempt_id, now=now)
    return attempt_end(attempt_id=attempt_id, cause=LOST_BY_WORKER, now=now, lease_expired_before=now)


def attempt_report(event: CallEvent) -> None:
    """The one service every gateway reports through; repeating a report changes nothing."""
    if event.event == "answered":
        now = timezone.now()
        store.attempt_answered(attempt_id=event.attempt_id, now=now, lease=lease_until(now))
    elif event.event == "ended":
        if event.transfer:
            # Before the end (which only a dialing attempt takes): a late repeat changes nothing.
            store.attempt_transfer(attempt_id=event.attempt_id, transfer=event.transfer[:64])
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
    return store.leases_renew(attempt_ids=attempt_ids, lease=lease_until(now))
