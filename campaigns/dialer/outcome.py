"""The outcome service: one call's end, its repeat rules, the line it frees, the statistics.

``attempt_end`` is the only way an attempt ends — a gateway's report, a call
that could not be placed (no A-number), the reaper's "lost by a worker" all
go through it. It is idempotent per attempt: the attempt's status moves from
dialing to ended by compare-and-set, and a second call for the same attempt
matches nothing and changes nothing.

It runs once per call, so it is a fixed handful of statements in SQL (the
ORM's query building cost as much as the database work), prepared on the
server on PostgreSQL: read the dialing attempt with its job and its
campaign's rules, decide in Python, then write — end the attempt
(compare-and-set), write the job, add to the campaign's counters and to its
quarter hour's ``CallTally`` (what the home page reads) — which on
PostgreSQL is one statement (data-modifying WITH), committed on its own
unless the caller holds a transaction (the dispatcher's unplaceable calls). The
campaign row is the one lock every call of a campaign shares; held by that
statement only, it is released by the commit that follows at once, never
while a worker thread waits for its turn to run Python (with two dozen call
threads, waits for the row had grown to tens of milliseconds a call). The
compare-and-set makes a second report of the attempt write nothing, and the
in-progress job this call's alone (a claim and the finish's cancel touch only
other states; a withdrawal only a job whose attempt no worker took, deleting
that attempt by its own compare-and-set first), so what was read still holds
at the write.
A campaign finished while the call ran is seen by the increment, which
returns the status it found: the job is then cancelled, as if the finish had
come first, and no contact is counted done.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from campaigns.causes import ANSWERED_END_LOST, CAUSES, Outcome
from campaigns.models import (
    AttemptStatus,
    CallAttempt,
    CallJob,
    CallTally,
    Campaign,
    CampaignStatus,
    JobStatus,
    RepeatOutcome,
)
from campaigns.tallies import tally_slot
from telephony.db import prepared_fetchone

STAT_FIELDS: dict[str, str] = {
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


_CAMPAIGN_RULES = [
    "status",
    *(f"repeat_{o}{part}" for o in RepeatOutcome.values for part in ("", "_count", "_period")),
    "short_call_seconds",
    "repeat_total_cap",
]
# Past every lease: an ordinary end does not look at the lease.
NEVER = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)
_JOB_FIELDS = ["repeats_by_outcome", "repeats_made", "last_outcome"]


def _sql() -> dict[str, str]:
    q = connection.ops.quote_name
    attempt, job, campaign, tally = (q(m._meta.db_table) for m in (CallAttempt, CallJob, Campaign, CallTally))
    fields = ", ".join(f"j.{q(f)}" for f in _JOB_FIELDS)
    rules = ", ".join(f"c.{q(f)}" for f in _CAMPAIGN_RULES)
    stats = ", ".join(f"{q(f)} = {q(f)} + %s" for f in [*STAT_FIELDS.values(), "stat_called"])
    # The job and counter updates end in "WHERE id = " and take the row's id, or on
    # PostgreSQL the id the attempt's compare-and-set returned.
    write_job = (
        f"UPDATE {job} SET status = %s, next_attempt_at = %s, repeats_made = %s, repeats_by_outcome = %s,"
        " last_outcome = %s, last_cause = %s, claim_token = '', updated_at = %s WHERE id = "
    )
    # A finished campaign counts the outcome but no contact done (its job is cancelled after).
    count = (
        f"UPDATE {campaign} SET {stats}, stat_done = stat_done + CASE WHEN status = %s THEN 0 ELSE %s END WHERE id = "
    )
    counted = " RETURNING status, stat_done, stat_contacts"
    # The quarter hour's tally of the campaign (one outcome adds 1, the others 0).
    outcomes = ", ".join(Outcome.values)
    add = ", ".join(f"{o} = {tally}.{o} + EXCLUDED.{o}" for o in Outcome.values)
    tally_values = ", ".join(["%s"] * (3 + len(Outcome.values)))
    upsert = f" ON CONFLICT (campaign_id, slot) DO UPDATE SET {add}"
    sql = {
        "read": f"SELECT a.job_id, a.campaign_id, a.number, a.started_at, c.customer_id, {fields}, {rules}"
        f" FROM {attempt} a"
        f" JOIN {job} j ON j.id = a.job_id JOIN {campaign} c ON c.id = a.campaign_id"
        " WHERE a.id = %s AND a.status = %s",
        "end": f"UPDATE {attempt} SET status = %s, ended_at = %s, duration = %s, outcome = %s, cause = %s,"
        " digits = %s, lease_expires_at = NULL WHERE id = %s AND status = %s"
        # The reaper ends only an attempt whose lease really expired (a heartbeat may have renewed it).
        " AND (lease_expires_at IS NULL OR lease_expires_at < %s) RETURNING job_id, campaign_id",
        "job": f"{write_job}%s",
        "count": f"{count}%s{counted}",
        "cancel": f"UPDATE {job} SET status = %s, next_attempt_at = NULL WHERE id = %s",
        "tally": f"INSERT INTO {tally} (campaign_id, customer_id, slot, {outcomes}) VALUES ({tally_values}){upsert}",
    }
    if connection.vendor == "postgresql":
        sql["write"] = (
            # The tally reads the counters' update, so every call takes the campaign's row
            # before its quarter hour's (one order of locks: no deadlock).
            f"WITH e AS ({sql['end']}), w AS ({write_job}(SELECT job_id FROM e)),"
            f" c AS ({count}(SELECT campaign_id FROM e) RETURNING id, status, stat_done, stat_contacts),"
            f" t AS (INSERT INTO {tally} (campaign_id, customer_id, slot, {outcomes})"
            f" SELECT id, {tally_values[4:]} FROM c{upsert})"
            " SELECT status, stat_done, stat_contacts FROM c"
        )
    return sql


def _write(sql: dict[str, str], end: list, job: list, count: list, tally: list) -> tuple | None:
    """End the attempt by compare-and-set, write its job, add to the counters and to the quarter
    hour's tally: (status, stat_done, stat_contacts) of the campaign, or None when the attempt had
    already ended (nothing written).

    ``job``, ``count`` and ``tally`` start or end with the job's and the campaign's id.
    """
    if "write" in sql:
        return prepared_fetchone(sql["write"], [*end, *job[:-1], *count[:-1], *tally[1:]])
    with transaction.atomic():
        if prepared_fetchone(sql["end"], end) is None:
            return None
        prepared_fetchone(sql["job"], job)
        counted = prepared_fetchone(sql["count"], count)
        prepared_fetchone(sql["tally"], tally)
        return counted


_STATEMENTS: dict[str, dict[str, str]] = {}


def _statements() -> dict[str, str]:
    """The service's SQL, built once per database vendor (table names quoted its way)."""
    if connection.vendor not in _STATEMENTS:
        _STATEMENTS[connection.vendor] = _sql()
    return _STATEMENTS[connection.vendor]


def _aware(moment: dt.datetime) -> dt.datetime:
    """A timestamp read by raw SQL: SQLite gives it naive, in UTC."""
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=dt.UTC)


def _json(value: str | dict[str, Any] | None) -> dict[str, Any]:
    if isinstance(value, str):
        loaded: dict[str, Any] = json.loads(value)
        return loaded
    return dict(value or {})


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
    sql, stamp = _statements(), connection.ops.adapt_datetimefield_value(now)
    row = prepared_fetchone(sql["read"], [attempt_id, AttemptStatus.DIALING.value])
    if row is None:
        return False
    job_id, campaign_id, number, started_at, customer_id, *values = row
    job = CallJob(
        pk=job_id,
        campaign_id=campaign_id,
        repeats_by_outcome=_json(values[0]),
        repeats_made=values[1],
        last_outcome=values[2],
    )
    campaign = Campaign(pk=campaign_id, **dict(zip(_CAMPAIGN_RULES, values[len(_JOB_FIELDS) :], strict=True)))

    # An answer whose end was lost has no known length: never a short call to repeat.
    category = outcome if cause == ANSWERED_END_LOST else repeat_category(campaign, outcome, duration)
    counts = dict.fromkeys([*STAT_FIELDS.values(), "stat_called"], 0)
    counts[STAT_FIELDS[outcome]] += 1
    previous = Outcome.ANSWERED if job.last_outcome == RepeatOutcome.SHORT else job.last_outcome
    if previous in STAT_FIELDS:
        # The cards count contacts by their latest outcome: the earlier one gives its place up.
        counts[STAT_FIELDS[previous]] -= 1
    if number == 1:
        counts["stat_called"] = 1

    finished = campaign.status == CampaignStatus.FINISHED
    when = None if finished else next_attempt(campaign, job, category, now)
    repeats, repeats_made = job.repeats_by_outcome, job.repeats_made
    if when is not None:
        repeats[category] = repeats.get(category, 0) + 1
        status, repeats_made = JobStatus.PENDING, repeats_made + 1
    else:
        status = JobStatus.CANCELLED if finished else JobStatus.DONE
    repeats_value = CallJob._meta.get_field("repeats_by_outcome").get_db_prep_value(repeats, connection)
    done = int(status == JobStatus.DONE)
    written = _write(
        sql,
        [
            AttemptStatus.ENDED.value,
            stamp,
            duration,
            outcome.value,
            cause,
            (digits or "")[:64],
            attempt_id,
            AttemptStatus.DIALING.value,
            connection.ops.adapt_datetimefield_value(lease_expired_before or NEVER),
        ],
        [
            status.value,
            None if when is None else connection.ops.adapt_datetimefield_value(when),
            repeats_made,
            repeats_value,
            category,
            cause,
            stamp,
            job_id,
        ],
        [*counts.values(), CampaignStatus.FINISHED.value, done, campaign_id],
        [
            campaign_id,
            customer_id,
            connection.ops.adapt_datetimefield_value(tally_slot(_aware(started_at))),
            *(int(o == outcome) for o in Outcome.values),
        ],
    )
    if written is None:
        return False  # another report of this attempt ended it first
    campaign_status, contacts_done, contacts = written
    if campaign_status == CampaignStatus.FINISHED and status != JobStatus.CANCELLED:
        prepared_fetchone(sql["cancel"], [JobStatus.CANCELLED.value, job_id])
    elif done and campaign_status == CampaignStatus.LAUNCHED and contacts_done >= contacts:
        # Every contact is done by the counters (only this service counts them): make sure
        # and finish, under the campaign's lock. The increment saw every earlier call's
        # commit, so of the last two calls the later one cannot miss the other's job.
        with transaction.atomic():
            locked = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
            if locked is not None:
                campaign_finish_if_done(campaign=locked)
    return True


def campaign_finish_if_done(*, campaign: Campaign) -> bool:
    """The dialer finishes a launched campaign with no job left to call (the caller holds its row lock)."""
    from campaigns.services import CampaignStateError, campaign_transition

    jobs = CallJob.objects.filter(campaign=campaign)
    # One probe of each partial index (waiting, in progress), whatever the campaign's size.
    if jobs.filter(status=JobStatus.PENDING).exists() or jobs.filter(status=JobStatus.IN_PROGRESS).exists():
        return False
    try:
        campaign_transition(campaign=campaign, to_status=CampaignStatus.FINISHED, actor="dialer")
    except CampaignStateError:
        return False  # paused or finished meanwhile
    return True
