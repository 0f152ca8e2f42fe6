"""The outcome service: one call's end, its repeat rules, the line it frees, the statistics.

``attempt_end`` is the only way an attempt ends — a gateway's report, a call
that could not be placed (no A-number), the reaper's "lost by a worker" all
go through it. It is idempotent per attempt: the attempt's status moves from
dialing to ended by compare-and-set, and a second call for the same attempt
matches nothing and changes nothing.

Lock order, the same everywhere in the dialer (so no two transactions wait
on each other): attempt → campaign → job.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from campaigns.causes import CAUSES, Outcome
from campaigns.models import (
    AttemptStatus,
    CallAttempt,
    CallJob,
    Campaign,
    CampaignStatus,
    JobStatus,
    RepeatOutcome,
)

STAT_FIELDS = {
    Outcome.ANSWERED: "stat_answered",
    Outcome.NO_ANSWER: "stat_no_answer",
    Outcome.BUSY: "stat_busy",
    Outcome.FAILED: "stat_failed",
}


class UnknownCause(ValueError):
    """A gateway reported a cause code that is not in ``campaigns.causes.CAUSES``."""


def repeat_category(campaign: Campaign, outcome: str, duration: int) -> str:
    """Which repeat rule an outcome falls under.

    An answered call shorter than ``short_call_seconds`` is its own outcome
    when the campaign has the short-call rule on; with it off such a call is
    simply answered.
    """
    if outcome == Outcome.ANSWERED and campaign.repeat_short and duration < campaign.short_call_seconds:
        return RepeatOutcome.SHORT
    return outcome


def next_attempt(campaign: Campaign, job: CallJob, category: str, ended_at: dt.datetime) -> dt.datetime | None:
    """When the job is called again under its rules, or None when it is done."""
    enabled, count, period = campaign.repeat_rule(category)
    if not enabled or job.repeats_by_outcome.get(category, 0) >= count:
        return None
    if campaign.repeat_total_cap is not None and job.repeats_made >= campaign.repeat_total_cap:
        return None
    return ended_at + dt.timedelta(minutes=period)


def attempt_end(
    *, attempt_id: int, cause: str, duration: int = 0, digits: str = "", now: dt.datetime | None = None
) -> bool:
    """End a dialing attempt with ``cause``; False when it had already ended (nothing changes then)."""
    if cause not in CAUSES:
        raise UnknownCause(f"Cause code {cause!r} is not in the cause table (campaigns/causes.py).")
    now = now or timezone.now()
    outcome = CAUSES[cause].outcome
    duration = max(int(duration or 0), 0) if outcome == Outcome.ANSWERED else 0
    with transaction.atomic():
        ended = CallAttempt.objects.filter(pk=attempt_id, status=AttemptStatus.DIALING).update(
            status=AttemptStatus.ENDED,
            ended_at=now,
            duration=duration,
            outcome=outcome.value,
            cause=cause,
            digits=(digits or "")[:64],
            lease_expires_at=None,
        )
        if not ended:
            return False
        job_id, campaign_id, number = CallAttempt.objects.filter(pk=attempt_id).values_list(
            "job_id", "campaign_id", "number"
        )[0]
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        job = CallJob.objects.select_for_update().get(pk=job_id)

        category = repeat_category(campaign, outcome, duration)
        job_changes: dict = {"last_outcome": category, "last_cause": cause, "claim_token": "", "updated_at": now}
        stats: dict = {STAT_FIELDS[outcome]: F(STAT_FIELDS[outcome]) + 1}
        previous = Outcome.ANSWERED if job.last_outcome == RepeatOutcome.SHORT else job.last_outcome
        if previous in STAT_FIELDS:
            # The cards count contacts by their latest outcome: the earlier one gives its place up.
            field = STAT_FIELDS[previous]
            stats[field] = stats.get(field, F(field)) - 1
        if number == 1:
            stats["stat_called"] = F("stat_called") + 1

        when = None if campaign.status == CampaignStatus.FINISHED else next_attempt(campaign, job, category, now)
        if when is not None:
            repeats = dict(job.repeats_by_outcome)
            repeats[category] = repeats.get(category, 0) + 1
            job_changes.update(
                status=JobStatus.PENDING,
                next_attempt_at=when,
                repeats_made=job.repeats_made + 1,
                repeats_by_outcome=repeats,
            )
        elif campaign.status == CampaignStatus.FINISHED:
            job_changes.update(status=JobStatus.CANCELLED, next_attempt_at=None)
        else:
            job_changes.update(status=JobStatus.DONE, next_attempt_at=None)
            stats["stat_done"] = F("stat_done") + 1
        CallJob.objects.filter(pk=job.pk).update(**job_changes)
        Campaign.objects.filter(pk=campaign.pk).update(**stats)
        if job_changes["status"] == JobStatus.DONE and campaign.status == CampaignStatus.LAUNCHED:
            campaign_finish_if_done(campaign=campaign)
    return True


def campaign_finish_if_done(*, campaign: Campaign) -> bool:
    """The dialer finishes a launched campaign with no job left to call (the caller holds its row lock)."""
    from campaigns.services import CampaignStateError, campaign_transition

    if CallJob.objects.filter(campaign=campaign, status__in=[JobStatus.PENDING, JobStatus.IN_PROGRESS]).exists():
        return False
    try:
        campaign_transition(campaign=campaign, to_status=CampaignStatus.FINISHED, actor="dialer")
    except CampaignStateError:
        return False  # paused or finished meanwhile
    return True
