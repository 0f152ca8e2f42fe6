"""The outcome service: one call's end, its repeat rules, the line it frees, the statistics.

``attempt_end`` is the only way an attempt ends — a gateway's report, a call
that could not be placed (no A-number), the reaper's "lost by a worker" all
go through it. It is idempotent per attempt: the attempt's status moves from
dialing to ended by compare-and-set, and a second call for the same attempt
matches nothing and changes nothing.

It runs once per call, so it is two statements (``store.outcome``): read the
dialing attempt with its job and its campaign's rules, decide in Python, then
write — end the attempt (compare-and-set), write the job, add to the
campaign's counters and to its quarter hour's ``CallTally`` (what the home
page reads) — committed on its own unless the caller holds a transaction
(the dispatcher's unplaceable calls). The campaign row is the one lock every
call of a campaign shares; held by that write only, it is released by the
commit that follows at once, never while a worker thread waits for its turn
to run Python. The compare-and-set makes a second report of the attempt write
nothing, and the in-progress job this call's alone (a claim and the finish's
cancel touch only other states; a withdrawal only a job whose attempt no
worker took, deleting that attempt by its own compare-and-set first), so what
was read still holds at the write.
A campaign finished while the call ran is seen by the counters' update, which
returns the status it found: the job is then cancelled in the same write, as
if the finish had come first, and no contact is counted done.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple, Protocol

from django.db import transaction
from django.utils import timezone

from campaigns.causes import ANSWERED_END_LOST, CAUSES, Outcome
from campaigns.dialer.store import outcome as store
from campaigns.dialer.store.outcome import STAT_FIELDS
from campaigns.models import CallJob, Campaign, CampaignStatus, JobStatus, RepeatOutcome, tally_slot
from campaigns.transitions import CampaignStateError, campaign_transition

# Past every lease: an ordinary end does not look at the lease.
NEVER = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


class UnknownCause(ValueError):
    """A gateway reported a cause code that is not in ``campaigns.causes.CAUSES``."""


class RepeatPolicy(Protocol):
    """A campaign's repeat rules: the campaign itself, or the outcome's copy of them."""

    @property
    def repeat_short(self) -> bool: ...
    @property
    def short_call_seconds(self) -> int: ...
    @property
    def repeat_total_cap(self) -> int | None: ...
    def repeat_rule(self, outcome: str) -> tuple[bool, int, int]: ...


class RepeatHistory(Protocol):
    @property
    def repeats_by_outcome(self) -> dict[str, int]: ...
    @property
    def repeats_made(self) -> int: ...


def repeat_category(campaign: RepeatPolicy, outcome: str, duration: int) -> str:
    """Which repeat rule an outcome falls under.

    An answered call shorter than ``short_call_seconds`` is its own outcome
    when the campaign has the short-call rule on; with it off such a call is
    simply answered.
    """
    if outcome == Outcome.ANSWERED and campaign.repeat_short and duration < campaign.short_call_seconds:
        return RepeatOutcome.SHORT
    return outcome


def next_attempt(
    campaign: RepeatPolicy, job: RepeatHistory, category: str, ended_at: dt.datetime
) -> dt.datetime | None:
    """When the job is called again under its rules, or None when it is done."""
    enabled, count, period = campaign.repeat_rule(category)
    if not enabled or job.repeats_by_outcome.get(category, 0) >= count:
        return None
    if campaign.repeat_total_cap is not None and job.repeats_made >= campaign.repeat_total_cap:
        return None
    return ended_at + dt.timedelta(minutes=period)


def attempt_end(
    *,
    attempt_id: int,
    cause: str,
    duration: int = 0,
    digits: str = "",
    now: dt.datetime | None = None,
    lease_expired_before: dt.datetime | None = None,
) -> bool:
    """End a dialing attempt with ``cause``; False when it had already ended (nothing changes then).

    ``lease_expired_before`` (the reaper): end it only if its lease expired before that time.
    """
    if cause not in CAUSES:
        raise UnknownCause(f"Cause code {cause!r} is not in the cause table (campaigns/causes.py).")
    now = now or timezone.now()
    outcome = CAUSES[cause].outcome
    duration = max(int(duration or 0), 0) if outcome == Outcome.ANSWERED else 0
    ending = store.attempt_ending(attempt_id)
    if ending is None:
        return False
    # An answer whose end was lost has no known length: never a short call to repeat.
    category = outcome if cause == ANSWERED_END_LOST else repeat_category(ending.campaign, outcome, duration)
    job = _job_after(ending, category, now)
    counted = store.attempt_end_write(
        store.AttemptEnd(
            attempt_id=attempt_id,
            ending=ending,
            now=now,
            lease_expired_before=lease_expired_before or NEVER,
            outcome=outcome.value,
            cause=cause,
            duration=duration,
            digits=(digits or "")[:64],
            job_status=job.status,
            next_attempt_at=job.next_attempt_at,
            repeats_made=job.repeats_made,
            repeats_by_outcome=job.repeats_by_outcome,
            category=category,
            counts=_counter_changes(outcome, ending.last_outcome),
            called=int(ending.number == 1),
            slot=tally_slot(ending.started_at),
        )
    )
    if counted is None:
        return False  # another report of this attempt ended it first
    if (
        job.status == JobStatus.DONE
        and counted.status == CampaignStatus.LAUNCHED
        and counted.stat_done >= counted.stat_contacts
    ):
        # Every contact is done by the counters (only this service counts them): make sure
        # and finish. The increment saw every earlier call's commit, so of the last two
        # calls the later one cannot miss the other's job.
        _campaign_finish_locked(ending.campaign_id)
    return True


class _JobAfter(NamedTuple):
    """The job once its attempt has ended: its status, when it is called again, its repeat history."""

    status: JobStatus
    next_attempt_at: dt.datetime | None
    repeats_made: int
    repeats_by_outcome: dict[str, int]


def _job_after(ending: store.Ending, category: str, now: dt.datetime) -> _JobAfter:
    """Pending again under the campaign's repeat rules, else done — or cancelled when the campaign finished."""
    finished = ending.campaign.status == CampaignStatus.FINISHED
    when = None if finished else next_attempt(ending.campaign, ending, category, now)
    repeats = dict(ending.repeats_by_outcome)
    if when is None:
        status = JobStatus.CANCELLED if finished else JobStatus.DONE
        return _JobAfter(status, None, ending.repeats_made, repeats)
    repeats[category] = repeats.get(category, 0) + 1
    return _JobAfter(JobStatus.PENDING, when, ending.repeats_made + 1, repeats)


def _counter_changes(outcome: Outcome, last_outcome: str) -> dict[str, int]:
    """+1 on this outcome's counter; -1 on the previous one's, as the cards count contacts by their latest outcome."""
    counts = dict.fromkeys(STAT_FIELDS, 0)
    counts[outcome] += 1
    previous = Outcome.ANSWERED if last_outcome == RepeatOutcome.SHORT else last_outcome
    if previous in STAT_FIELDS:
        counts[previous] -= 1
    return counts


def _campaign_finish_locked(campaign_id: int) -> None:
    """Finish the campaign if no job is left, under its row lock."""
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if locked is not None:
            campaign_finish_if_done(campaign=locked)


def campaign_finish_if_done(*, campaign: Campaign) -> bool:
    """The dialer finishes a launched campaign with no job left to call (the caller holds its row lock)."""
    jobs = CallJob.objects.filter(campaign=campaign)
    # One probe of each partial index (waiting, in progress), whatever the campaign's size.
    if jobs.filter(status=JobStatus.PENDING).exists() or jobs.filter(status=JobStatus.IN_PROGRESS).exists():
        return False
    try:
        campaign_transition(campaign=campaign, to_status=CampaignStatus.FINISHED, actor="dialer")
    except CampaignStateError:
        return False  # paused or finished meanwhile
    return True
