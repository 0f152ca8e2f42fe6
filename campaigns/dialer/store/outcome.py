"""The outcome's two statements: read the dialing attempt with its job and its campaign's repeat
rules, then write the end — attempt, job, the campaign's counters, its quarter hour's tally.

On PostgreSQL the write is one data-modifying statement (prepared on the
server), committed on its own unless the caller holds a transaction; on
SQLite the same four writes run in one transaction. The attempt ends by
compare-and-set on its dialing status, so a second report writes nothing.
The counters' update returns the campaign's status as it found it: a
campaign finished while the call ran cancels the job in the same write.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from campaigns.causes import Outcome
from campaigns.dialer.store._db import (
    ATTEMPT,
    CAMPAIGN,
    JOB,
    TALLY,
    Params,
    aware,
    json_object,
    json_param,
    one,
    postgresql,
    stamp,
)
from campaigns.dialer.store.moves import CANCELLED, IN_PROGRESS, job_move
from campaigns.models import AttemptStatus, CampaignStatus, JobStatus, RepeatOutcome

DIALING, ENDED = AttemptStatus.DIALING.value, AttemptStatus.ENDED.value
FINISHED = CampaignStatus.FINISHED.value
# The counters each outcome adds to (the cards count contacts by their latest outcome).
STAT_FIELDS: dict[str, str] = {
    Outcome.ANSWERED: "stat_answered",
    Outcome.NO_ANSWER: "stat_no_answer",
    Outcome.BUSY: "stat_busy",
    Outcome.FAILED: "stat_failed",
}
# Read once: a TextChoices' ``values`` is rebuilt on every access.
_REPEAT_OUTCOMES = tuple(RepeatOutcome.values)
_OUTCOMES = tuple(Outcome.values)
_RULE_COLUMNS = [f"repeat_{o}{part}" for o in _REPEAT_OUTCOMES for part in ("", "_count", "_period")]


@dataclass(frozen=True, slots=True)
class RepeatRules:
    """A campaign's status and repeat rules, as the outcome service applies them."""

    status: str
    rules: dict[str, tuple[bool, int, int]]
    short_call_seconds: int
    repeat_total_cap: int | None

    def repeat_rule(self, outcome: str) -> tuple[bool, int, int]:
        """(enabled, count, period in minutes) of one outcome's repeat rule."""
        return self.rules[outcome]

    @property
    def repeat_short(self) -> bool:
        return self.rules[RepeatOutcome.SHORT][0]


@dataclass(frozen=True, slots=True)
class Ending:
    """A dialing attempt about to end, with its job's repeat history and its campaign's rules."""

    job_id: int
    campaign_id: int
    customer_id: int
    number: int
    started_at: dt.datetime
    repeats_by_outcome: dict[str, int]
    repeats_made: int
    last_outcome: str
    campaign: RepeatRules


@dataclass(frozen=True, slots=True)
class Counted:
    """The campaign's row as the end's counter update left it."""

    status: str
    stat_done: int
    stat_contacts: int


_READ = (
    "SELECT a.job_id, a.campaign_id, c.customer_id, a.number, a.started_at,"
    " j.repeats_by_outcome, j.repeats_made, j.last_outcome,"
    f" c.status, c.short_call_seconds, c.repeat_total_cap, {', '.join(f'c.{r}' for r in _RULE_COLUMNS)}"
    f" FROM {ATTEMPT} a JOIN {JOB} j ON j.id = a.job_id JOIN {CAMPAIGN} c ON c.id = a.campaign_id"
    " WHERE a.id = %(attempt)s AND a.status = %(dialing)s"
)
_END = (
    f"UPDATE {ATTEMPT} SET status = %(ended)s, ended_at = %(now)s, duration = %(duration)s, outcome = %(outcome)s,"
    " cause = %(cause)s, digits = %(digits)s, lease_expires_at = NULL WHERE id = %(attempt)s AND status = %(dialing)s"
    # The reaper ends only an attempt whose lease really expired (a heartbeat may have renewed it).
    " AND (lease_expires_at IS NULL OR lease_expires_at < %(lease_before)s) RETURNING job_id, campaign_id"
)
_STATS = ", ".join(f"{field} = {field} + %(add_{o})s" for o, field in STAT_FIELDS.items())
# A finished campaign counts the outcome but no contact done (its job is cancelled).
_COUNT = (
    f"UPDATE {CAMPAIGN} SET {_STATS}, stat_called = stat_called + %(add_called)s,"
    " stat_done = stat_done + CASE WHEN status = %(finished)s THEN 0 ELSE %(done)s END"
    " WHERE id = {campaign} RETURNING {returned}status, stat_done, stat_contacts"
)
_JOB = (
    f"UPDATE {JOB} SET status = {{status}}, next_attempt_at = {{next_at}}, repeats_made = %(repeats_made)s,"
    " repeats_by_outcome = %(repeats)s, last_outcome = %(category)s, last_cause = %(cause)s, claim_token = '',"
    " updated_at = %(now)s WHERE id = {job} AND status = %(in_progress)s"
)
_TALLY_VALUES = ", ".join(f"%(tally_{o})s" for o in _OUTCOMES)
_TALLY_ADD = ", ".join(f"{o} = {TALLY}.{o} + EXCLUDED.{o}" for o in _OUTCOMES)
_TALLY = (
    f"INSERT INTO {TALLY} (campaign_id, customer_id, slot, {', '.join(_OUTCOMES)}) {{source}}"
    f" ON CONFLICT (campaign_id, slot) DO UPDATE SET {_TALLY_ADD}"
)


def _if_finished(finished: str, otherwise: str) -> str:
    return f"CASE WHEN (SELECT status FROM c) = %(finished)s THEN {finished} ELSE {otherwise} END"


# SQLite: four statements in one transaction, each taking its ids as parameters.
_SQLITE = {
    "count": _COUNT.format(campaign="%(campaign)s", returned=""),
    "job": _JOB.format(status="%(job_status)s", next_at="%(next_at)s", job="%(job)s"),
    "tally": _TALLY.format(source=f"VALUES (%(campaign)s, %(customer)s, %(slot)s, {_TALLY_VALUES})"),
}
# PostgreSQL: one statement. The tally reads the counters' update, so every call takes the
# campaign's row before its quarter hour's and its job's (one order of locks: no deadlock).
_POSTGRESQL_JOB = _JOB.format(
    status=_if_finished("%(cancelled)s", "%(job_status)s"),
    next_at=_if_finished("NULL", "%(next_at)s::timestamptz"),
    job="(SELECT job_id FROM e)",
)
_POSTGRESQL = (
    f"WITH e AS ({_END}),"
    f" c AS ({_COUNT.format(campaign='(SELECT campaign_id FROM e)', returned='id, ')}),"
    f" w AS ({_POSTGRESQL_JOB}),"
    f" t AS ({_TALLY.format(source=f'SELECT id, %(customer)s, %(slot)s, {_TALLY_VALUES} FROM c')})"
    " SELECT status, stat_done, stat_contacts FROM c"
)


def attempt_ending(attempt_id: int) -> Ending | None:
    """The dialing attempt ``attempt_id`` as its end needs it; None when it is not dialing."""
    row = one(_READ, {"attempt": attempt_id, "dialing": DIALING})
    if row is None:
        return None
    job_id, campaign_id, customer_id, number, started_at, repeats, repeats_made, last_outcome, *campaign = row
    status, short_call_seconds, total_cap, *rules = campaign
    by_outcome = {
        outcome: (bool(rules[3 * n]), rules[3 * n + 1], rules[3 * n + 2]) for n, outcome in enumerate(_REPEAT_OUTCOMES)
    }
    return Ending(
        job_id=job_id,
        campaign_id=campaign_id,
        customer_id=customer_id,
        number=number,
        started_at=aware(started_at),
        repeats_by_outcome=json_object(repeats),
        repeats_made=repeats_made,
        last_outcome=last_outcome,
        campaign=RepeatRules(status, by_outcome, short_call_seconds, total_cap),
    )


# Built once per call and never changed: not frozen, as a frozen dataclass's constructor is the slower.
@dataclass(slots=True)
class AttemptEnd:
    """What ending one attempt writes: the attempt's end, its job's next state, the counters' changes.

    ``job_status`` is the job's next status (cancelled instead when the campaign has finished);
    ``counts`` maps an outcome to +1/-1/0 on the campaign's counters, and ``called`` adds to its
    contacts called; ``slot`` is the quarter hour whose tally counts the outcome.
    """

    attempt_id: int
    ending: Ending
    now: dt.datetime
    lease_expired_before: dt.datetime
    outcome: str
    cause: str
    duration: int
    digits: str
    job_status: JobStatus
    next_attempt_at: dt.datetime | None
    repeats_made: int
    repeats_by_outcome: dict[str, int]
    category: str
    counts: dict[str, int]
    called: int
    slot: dt.datetime


def attempt_end_write(end: AttemptEnd) -> Counted | None:
    """End the attempt by compare-and-set, write its job, add to the campaign's counters — a contact
    done when the job is — and the outcome to its quarter hour's tally.
    None when the attempt had already ended (nothing written)."""
    params = _end_params(end)
    if postgresql():
        row = one(_POSTGRESQL, params)
        return None if row is None else Counted(*row)
    return _end_on_sqlite(params)


def _end_params(end: AttemptEnd) -> Params:
    """The named parameters of the end's statements."""
    ending = end.ending
    return {
        "attempt": end.attempt_id,
        "dialing": DIALING,
        "ended": ENDED,
        "now": stamp(end.now),
        "duration": end.duration,
        "outcome": end.outcome,
        "cause": end.cause,
        "digits": end.digits,
        "lease_before": stamp(end.lease_expired_before),
        "job": ending.job_id,
        "campaign": ending.campaign_id,
        "customer": ending.customer_id,
        "in_progress": IN_PROGRESS.value,
        "job_status": job_move(IN_PROGRESS, end.job_status),
        "cancelled": job_move(IN_PROGRESS, CANCELLED),
        "finished": FINISHED,
        "next_at": stamp(end.next_attempt_at),
        "repeats_made": end.repeats_made,
        "repeats": json_param(end.repeats_by_outcome),
        "category": end.category,
        "done": int(end.job_status == JobStatus.DONE),
        "add_called": end.called,
        "slot": stamp(end.slot),
        **{f"add_{o}": end.counts.get(o, 0) for o in STAT_FIELDS},
        **{f"tally_{o}": int(o == end.outcome) for o in _OUTCOMES},
    }


def _end_on_sqlite(params: Params) -> Counted | None:
    """The end's four writes in one transaction, the job's cancelled if the counters find the campaign finished."""
    with transaction.atomic():
        if one(_END, params) is None:
            return None
        status, stat_done, stat_contacts = one(_SQLITE["count"], params) or (None, 0, 0)
        if status == FINISHED:
            params.update(job_status=params["cancelled"], next_at=None)
        one(_SQLITE["job"], params)
        one(_SQLITE["tally"], params)
    return Counted(status, stat_done, stat_contacts)
