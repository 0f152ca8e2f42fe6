"""The dispatcher: every second, claim due jobs up to the free lines and start their calls.

Per launched campaign whose scheduled time has come, in one short transaction:
lock the campaign row (a pause or finish waits for the claim to commit, and
one committed after it stops the next claim), count the lines in use, take
up to the free lines of due jobs in open zones with ``select_for_update
(skip_locked=True)``, and mark them in progress by compare-and-set with a
fresh claim token — on SQLite, which ignores ``FOR UPDATE``, only the rows the
update changed come back, so overlapping ticks can never claim one job twice.
Each claimed job gets its attempt row (A-number, rendered scenario, lease);
one call task per attempt is enqueued when the transaction commits.

Work per tick depends on the free lines and the number of open zones, never
on the size of the list. The platform-wide limits (``DIALER_MAX_CALLS``
simultaneous, ``DIALER_MAX_CALLS_PER_SECOND``) are counted inside the same
locked transaction; on PostgreSQL a session advisory lock makes ticks
single-flight across workers, on SQLite the IMMEDIATE transactions do.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from campaigns.dialer.calls import lease_until
from campaigns.dialer.outcome import attempt_end, campaign_finish_if_done
from campaigns.dialer.window import open_zones
from campaigns.models import AttemptStatus, CallAttempt, CallJob, Campaign, CampaignStatus, JobStatus
from campaigns.scenario import render_scenario
from compliance.caller_id import CallerIdChooser
from compliance.caps import over_cap
from telephony.db import first_rows

# pg_try_advisory_lock key: "DIAL" in ASCII.
DISPATCH_LOCK_KEY = 0x4449414C


@contextlib.contextmanager
def single_flight() -> Iterator[bool]:
    """True when this tick may run; another tick holding the lock means this one skips."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [DISPATCH_LOCK_KEY])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [DISPATCH_LOCK_KEY])


def dialer_tick(*, now: dt.datetime | None = None, for_seconds: float = 0.0) -> int:
    """One dispatcher run over every running campaign; returns the attempts started.

    With ``for_seconds`` (the beat task passes ``DIALER_TICK_SECONDS``) the run
    keeps going until then, revisiting the campaigns whose lines were full or
    that just started calls, so a line freed mid-second is used again within
    ``DIALER_ROUND_PAUSE`` instead of waiting for the next beat. ``now``
    (tests) makes it a single pass at that moment.
    """
    with single_flight() as acquired:
        if not acquired:
            return 0
        deadline = time.monotonic() + (0.0 if now is not None else for_seconds)
        moment = now or timezone.now()
        campaign_ids = list(
            Campaign.objects.filter(status=CampaignStatus.LAUNCHED)
            .filter(Q(scheduled_at__isnull=True) | Q(scheduled_at__lte=moment))
            .order_by("launched_at", "pk")
            .values_list("pk", flat=True)
        )
        started = 0
        while campaign_ids:
            revisit = []
            for campaign_id in campaign_ids:
                result = campaign_dispatch(campaign_id=campaign_id, now=moment)
                started += result.started
                if result.started or result.lines_full:
                    revisit.append(campaign_id)
            if time.monotonic() + settings.DIALER_ROUND_PAUSE >= deadline:
                break
            time.sleep(settings.DIALER_ROUND_PAUSE)
            campaign_ids, moment = revisit, timezone.now()
        return started


@dataclass(frozen=True)
class Dispatched:
    started: int = 0
    lines_full: bool = False


def platform_budget(now: dt.datetime) -> int:
    """Calls the platform may still start now under its global limits.

    ``DIALER_MAX_CALLS`` counts every call in progress. ``DIALER_CALL_THREADS``
    counts what holds a worker's call thread, so that a claim always finds a
    free thread at once instead of queueing behind calls (and being placed
    late): with a gateway that holds the thread for the call (the simulator)
    every call in progress; with one that hands the call over and returns (SIP)
    only the claims not dialled yet — waiting for a worker, or handed to the
    call engines and not yet taken — so calls in progress are bounded by the
    lines and ``DIALER_MAX_CALLS``, not by the threads.
    """
    from telephony.gateways import get_gateway

    dialing = CallAttempt.objects.filter(status=AttemptStatus.DIALING)
    held = dialing if get_gateway().holds_call_thread else dialing.filter(dialed_at__isnull=True)
    in_progress = dialing.count()
    threads_held = in_progress if held is dialing else held.count()
    last_second = CallAttempt.objects.filter(started_at__gt=now - dt.timedelta(seconds=1)).count()
    return max(
        min(
            settings.DIALER_MAX_CALLS - in_progress,
            settings.DIALER_CALL_THREADS - threads_held,
            settings.DIALER_MAX_CALLS_PER_SECOND - last_second,
        ),
        0,
    )


def lines_in_use(campaign_id: int) -> int:
    return CallJob.objects.filter(campaign_id=campaign_id, status=JobStatus.IN_PROGRESS).count()


def _due_ids(campaign: Campaign, zones: list[str], now: dt.datetime, limit: int) -> list[int]:
    """The ``limit`` earliest due jobs of these zones (or fewer), locked with SKIP LOCKED.

    One range of the due index per zone (the index leads with the campaign and
    the zone), read together by time, so the earliest due job goes first
    whatever its zone; then only the chosen rows are locked.
    """
    due = CallJob.objects.filter(campaign=campaign, status=JobStatus.PENDING, next_attempt_at__lte=now)
    by_time = due.order_by("next_attempt_at").values_list("next_attempt_at", "pk")
    chosen = [pk for _, pk in first_rows([by_time.filter(time_zone=zone)[:limit] for zone in zones], limit)]
    locked = CallJob.objects.filter(pk__in=chosen, status=JobStatus.PENDING).select_for_update(skip_locked=True)
    return list(locked.values_list("pk", flat=True))


def _within_caps(campaign: Campaign, ids: list[int], now: dt.datetime) -> list[int]:
    """The jobs among ``ids`` whose number is under the customer's caps; the others wait, due again later."""
    if not ids:
        return ids
    phones = dict(CallJob.objects.filter(pk__in=ids).values_list("pk", "phone"))
    capped = over_cap(customer_id=campaign.customer_id, phones=list(phones.values()), now=now)
    if not capped:
        return ids
    for pk, phone in phones.items():
        if phone in capped:
            CallJob.objects.filter(pk=pk, status=JobStatus.PENDING).update(next_attempt_at=capped[phone])
    return [pk for pk in ids if phones.get(pk) not in capped]


def _without_suppressed(campaign: Campaign, jobs: list[CallJob], now: dt.datetime) -> list[CallJob]:
    """Claimed jobs whose number went on a do-not-call list since launch end suppressed, uncalled.

    One probe of the lists per claim, whatever their size (dnc/dialer.py).
    """
    from dnc.dialer import suppressed_among

    suppressed = suppressed_among(customer_id=campaign.customer_id, phones=[job.phone for job in jobs], now=now)
    if not suppressed:
        return jobs
    for phone, entry in suppressed.items():
        CallJob.objects.filter(campaign=campaign, pk__in=[j.pk for j in jobs if j.phone == phone]).update(
            status=JobStatus.SUPPRESSED, suppressed_by=entry, attempts_made=F("attempts_made") - 1, updated_at=now
        )
    count = sum(1 for job in jobs if job.phone in suppressed)
    Campaign.objects.filter(pk=campaign.pk).update(
        stat_suppressed=F("stat_suppressed") + count, stat_done=F("stat_done") + count
    )
    return [job for job in jobs if job.phone not in suppressed]


def campaign_dispatch(*, campaign_id: int, now: dt.datetime) -> Dispatched:
    """Claim and start what one campaign may call now."""
    from campaigns.tasks import place_calls_on_commit

    with transaction.atomic():
        campaign = (
            Campaign.objects.select_for_update(of=("self",))
            .select_related("app", "a_number_did", "a_number_pool")
            .filter(pk=campaign_id, status=CampaignStatus.LAUNCHED)
            .first()
        )
        if campaign is None:
            return Dispatched()
        in_use = lines_in_use(campaign.pk)
        free = min(campaign.lines - in_use, platform_budget(now))
        zones = open_zones(campaign, now)
        ids = _due_ids(campaign, zones, now, free) if free > 0 and zones else []
        ids = _within_caps(campaign, ids, now)
        if not ids:
            if in_use == 0:
                campaign_finish_if_done(campaign=campaign)
            return Dispatched(lines_full=free <= 0)
        token = uuid.uuid4().hex
        claimed = CallJob.objects.filter(pk__in=ids, status=JobStatus.PENDING).update(
            status=JobStatus.IN_PROGRESS, claim_token=token, attempts_made=F("attempts_made") + 1, updated_at=now
        )
        if not claimed:
            return Dispatched()
        jobs = list(
            CallJob.objects.filter(pk__in=ids, claim_token=token)
            .select_related("contact")
            .only("pk", "phone", "attempts_made", "contact__variables")
        )
        jobs = _without_suppressed(campaign, jobs, now)
        attempts, unplaceable = [], []
        caller_ids = CallerIdChooser(campaign, now)  # per-number caps and local presence (compliance)
        for job in jobs:
            a_number, cause = caller_ids.take(job.phone)
            values = {
                variable: str(((job.contact.variables if job.contact else None) or {}).get(column, ""))
                for variable, column in (campaign.variable_mapping or {}).items()
            }
            attempt = CallAttempt(
                job_id=job.pk,
                campaign_id=campaign.pk,
                number=job.attempts_made,
                a_number=a_number,
                b_number=job.phone,
                scenario=render_scenario(campaign.app.scenario or [], values, voice=campaign.app.tts_voice),
                started_at=now,
                lease_expires_at=lease_until(now),
            )
            attempts.append(attempt)
            if cause:
                unplaceable.append((attempt, cause))
        CallAttempt.objects.bulk_create(attempts)
        caller_ids.save()
        for attempt, cause in unplaceable:
            # No call without an A-number: the attempt ends at once with the platform's cause.
            attempt_end(attempt_id=attempt.pk, cause=cause, now=now)
        skip = {attempt.pk for attempt, _ in unplaceable}
        place_calls_on_commit([attempt.pk for attempt in attempts if attempt.pk not in skip])
    return Dispatched(started=len(attempts), lines_full=len(attempts) >= free)
