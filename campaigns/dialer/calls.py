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

from campaigns.dialer.outcome import attempt_end
from campaigns.models import AttemptStatus, CallAttempt, CallJob, Campaign, CampaignStatus, JobStatus
from telephony.db import prepared_fetchone
from telephony.gateways import CallEvent, CallRequest, get_gateway

log = logging.getLogger(__name__)


def lease_until(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(seconds=settings.DIALER_LEASE_SECONDS)


def _take_sql() -> str:
    q = connection.ops.quote_name
    attempt, campaign = q(CallAttempt._meta.db_table), q(Campaign._meta.db_table)
    return (
        f"UPDATE {attempt} SET worker = %s, started_at = %s, lease_expires_at = %s"
        " WHERE id = %s AND status = %s AND worker = ''"
        f" AND campaign_id IN (SELECT id FROM {campaign} WHERE status = %s)"
        " RETURNING a_number, b_number, number, scenario"
    )


def attempt_place(*, attempt_id: int, worker: str) -> bool:
    """Take the attempt and hand its call to the gateway; False when it was not ours to place.

    A campaign paused or finished since the claim makes no call: the attempt
    is withdrawn and its job handed back (or cancelled). Taking the attempt
    and reading what the call needs is one statement (this runs per call).
    """
    now = timezone.now()
    taken = prepared_fetchone(
        _take_sql(),
        [
            worker[:200] or "worker",
            connection.ops.adapt_datetimefield_value(now),
            connection.ops.adapt_datetimefield_value(lease_until(now)),
            attempt_id,
            AttemptStatus.DIALING.value,
            CampaignStatus.LAUNCHED.value,
        ],
    )
    if taken is None:
        attempt_withdraw(attempt_id=attempt_id)
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
        get_gateway().place_call(request, attempt_report)
    except Exception:
        # A backend must report failures, not raise them; if one does, the
        # call still ends, as a gateway error, instead of waiting for the reaper.
        log.exception("gateway failed placing attempt %s", attempt_id)
        attempt_end(attempt_id=attempt_id, cause="500")
    return True


def attempt_withdraw(*, attempt_id: int) -> bool:
    """Undo a claim whose call was never placed because the campaign stopped; False if not applicable."""
    with transaction.atomic():
        row = (
            CallAttempt.objects.filter(pk=attempt_id, status=AttemptStatus.DIALING, worker="")
            .exclude(campaign__status=CampaignStatus.LAUNCHED)
            .values_list("job_id", "campaign_id")
            .first()
        )
        if row is None:
            return False
        if not CallAttempt.objects.filter(pk=attempt_id, status=AttemptStatus.DIALING, worker="").delete()[0]:
            return False
        job_id, campaign_id = row
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        changes: dict = {"claim_token": "", "attempts_made": F("attempts_made") - 1}
        if campaign.status == CampaignStatus.FINISHED:
            changes["status"] = JobStatus.CANCELLED
        else:
            changes["status"] = JobStatus.PENDING
        CallJob.objects.filter(pk=job_id, status=JobStatus.IN_PROGRESS).update(**changes)
    return True


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
