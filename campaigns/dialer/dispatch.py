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
locked transaction; ticks are single-flight (``store.claim.single_flight``).
The statements are in ``store.claim``; the rules (budget, caps, do-not-call,
caller ID, scenario) here.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from campaigns.dialer.calls import lease_until
from campaigns.dialer.handoff import place_calls_on_commit
from campaigns.dialer.outcome import attempt_end, campaign_finish_if_done
from campaigns.dialer.store import claim as store
from campaigns.dialer.store.claim import ClaimedJob, DueJob, NewAttempt, Usage, single_flight
from campaigns.dialer.window import open_zones
from campaigns.models import Campaign
from campaigns.scenario import render_scenario
from compliance.caller_id import CallerIdChooser
from compliance.caps import over_cap
from dnc.dialer import suppressed_among
from telephony.gateways import get_gateway


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
        campaign_ids = store.campaigns_due(moment)
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


@dataclass(frozen=True, slots=True)
class Dispatched:
    started: int = 0
    lines_full: bool = False


def platform_budget(usage: Usage) -> int:
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
    threads_held = usage.dialing if get_gateway().holds_call_thread else usage.undialled
    return max(
        min(
            settings.DIALER_MAX_CALLS - usage.dialing,
            settings.DIALER_CALL_THREADS - threads_held,
            settings.DIALER_MAX_CALLS_PER_SECOND - usage.last_second,
        ),
        0,
    )


def lines_in_use(campaign_id: int) -> int:
    return store.lines_in_use(campaign_id)


def _within_caps(campaign: Campaign, due: list[DueJob], now: dt.datetime) -> list[DueJob]:
    """The jobs whose number is under the customer's caps; the others wait, due again later."""
    if not due:
        return due
    capped = over_cap(customer_id=campaign.customer_id, phones=[job.phone for job in due], now=now)
    if not capped:
        return due
    store.jobs_defer({job.pk: capped[job.phone] for job in due if job.phone in capped})
    return [job for job in due if job.phone not in capped]


def _without_suppressed(campaign: Campaign, jobs: list[ClaimedJob], now: dt.datetime) -> list[ClaimedJob]:
    """Claimed jobs whose number went on a do-not-call list since launch end suppressed, uncalled.

    One probe of the lists per claim, whatever their size (dnc/dialer.py).
    """
    suppressed = suppressed_among(customer_id=campaign.customer_id, phones=[job.phone for job in jobs], now=now)
    if not suppressed:
        return jobs
    by_entry: dict[str, list[int]] = {}
    for job in jobs:
        if job.phone in suppressed:
            by_entry.setdefault(suppressed[job.phone], []).append(job.pk)
    store.jobs_suppress(campaign_id=campaign.pk, by_entry=by_entry, now=now)
    return [job for job in jobs if job.phone not in suppressed]


def campaign_dispatch(*, campaign_id: int, now: dt.datetime) -> Dispatched:
    """Claim and start what one campaign may call now."""
    with transaction.atomic():
        campaign = store.campaign_lock(campaign_id)
        if campaign is None:
            return Dispatched()
        usage = store.usage(campaign_id=campaign.pk, now=now)
        free = min(campaign.lines - usage.lines_in_use, platform_budget(usage))
        zones = open_zones(campaign, now)
        due = store.due_jobs(campaign_id=campaign.pk, zones=zones, now=now, limit=free) if free > 0 and zones else []
        due = _within_caps(campaign, due, now)
        if not due:
            if usage.lines_in_use == 0:
                campaign_finish_if_done(campaign=campaign)
            return Dispatched(lines_full=free <= 0)
        mapping = campaign.variable_mapping or {}
        jobs = store.jobs_claim(
            ids=[job.pk for job in due], token=uuid.uuid4().hex, now=now, with_variables=bool(mapping)
        )
        if not jobs:
            return Dispatched()
        jobs = _without_suppressed(campaign, jobs, now)
        attempts, causes = [], []
        caller_ids = CallerIdChooser(campaign, now)  # per-number caps and local presence (compliance)
        for job in jobs:
            a_number, cause = caller_ids.take(job.phone)
            values = {variable: str(job.variables.get(column, "")) for variable, column in mapping.items()}
            attempts.append(
                NewAttempt(
                    job_id=job.pk,
                    campaign_id=campaign.pk,
                    number=job.attempts_made,
                    a_number=a_number,
                    b_number=job.phone,
                    scenario=render_scenario(campaign.app.scenario or [], values, voice=campaign.app.tts_voice),
                    started_at=now,
                    lease_expires_at=lease_until(now),
                )
            )
            causes.append(cause)
        attempt_ids = store.attempts_create(attempts)
        caller_ids.save()
        for attempt_id, cause in zip(attempt_ids, causes, strict=True):
            if cause:
                # No call without an A-number: the attempt ends at once with the platform's cause.
                attempt_end(attempt_id=attempt_id, cause=cause, now=now)
        place_calls_on_commit([attempt_id for attempt_id, cause in zip(attempt_ids, causes, strict=True) if not cause])
    return Dispatched(started=len(attempts), lines_full=len(attempts) >= free)
