"""The dispatcher's statements: its single-flight lock, the platform's and the campaign's calls in
progress, the due jobs of the open zones, the claim itself, and the attempts it starts."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import F, Q

from campaigns.dialer.store._db import ATTEMPT, JOB, json_object, json_param, one, postgresql, rows, stamp
from campaigns.dialer.store.moves import IN_PROGRESS, PENDING, SUPPRESSED, job_move
from campaigns.models import AttemptStatus, CallJob, Campaign, CampaignStatus
from distribution_lists.models import Contact
from telephony.db import first_rows

# pg_try_advisory_lock key: "DIAL" in ASCII.
DISPATCH_LOCK_KEY = 0x4449414C
DIALING = AttemptStatus.DIALING.value


@dataclass(frozen=True, slots=True)
class Usage:
    """Calls in progress, on the platform and in one campaign, as a claim counts them."""

    dialing: int  # every dialing attempt of the platform
    undialled: int  # those not handed to the gateway yet
    last_second: int  # attempts started in the last second
    lines_in_use: int  # the campaign's jobs in progress


@dataclass(frozen=True, slots=True)
class DueJob:
    pk: int
    phone: str


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """A job this claim took, with its contact's variables (empty when not asked for or gone)."""

    pk: int
    phone: str
    attempts_made: int
    variables: dict[str, Any]


@dataclass(frozen=True, slots=True)
class NewAttempt:
    job_id: int
    campaign_id: int
    number: int
    a_number: str
    b_number: str
    scenario: list[dict[str, Any]]
    started_at: dt.datetime
    lease_expires_at: dt.datetime


@contextlib.contextmanager
def single_flight() -> Iterator[bool]:
    """True when this tick may run; another tick holding the lock means this one skips.

    On PostgreSQL a session advisory lock makes ticks single-flight across
    workers; on SQLite the IMMEDIATE transactions do.
    """
    if not postgresql():
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%(key)s)", {"key": DISPATCH_LOCK_KEY})
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%(key)s)", {"key": DISPATCH_LOCK_KEY})


def campaigns_due(now: dt.datetime) -> list[int]:
    """Launched campaigns whose scheduled launch has come, earliest launched first."""
    return list(
        Campaign.objects.filter(status=CampaignStatus.LAUNCHED)
        .filter(Q(scheduled_at__isnull=True) | Q(scheduled_at__lte=now))
        .order_by("launched_at", "pk")
        .values_list("pk", flat=True)
    )


def campaign_lock(campaign_id: int) -> Campaign | None:
    """The launched campaign, its row locked for the claim (a pause or finish waits for it)."""
    return (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("app", "a_number_did", "a_number_pool")
        .filter(pk=campaign_id, status=CampaignStatus.LAUNCHED)
        .first()
    )


# The statuses are written into the statement, not passed: PostgreSQL soon runs a prepared statement
# with a generic plan, which can use a partial index (``WHERE status = 'in_progress'``) only when the
# statement names the same literal; with a parameter it counted a campaign's jobs by scanning the table.
_USAGE = (
    f"SELECT (SELECT count(*) FROM {ATTEMPT} WHERE status = '{DIALING}'),"
    f" (SELECT count(*) FROM {ATTEMPT} WHERE status = '{DIALING}' AND dialed_at IS NULL),"
    f" (SELECT count(*) FROM {ATTEMPT} WHERE started_at > %(since)s),"
    f" (SELECT count(*) FROM {JOB} WHERE campaign_id = %(campaign)s AND status = '{IN_PROGRESS.value}')"
)


def usage(*, campaign_id: int, now: dt.datetime) -> Usage:
    """The counts a claim budgets by, in one statement (each an index range of its partial index)."""
    params = {"since": stamp(now - dt.timedelta(seconds=1)), "campaign": campaign_id}
    dialing, undialled, last_second, in_use = one(_USAGE, params) or (0, 0, 0, 0)
    return Usage(dialing, undialled, last_second, in_use)


def lines_in_use(campaign_id: int) -> int:
    return CallJob.objects.filter(campaign_id=campaign_id, status=IN_PROGRESS).count()


def due_jobs(*, campaign_id: int, zones: list[str], now: dt.datetime, limit: int) -> list[DueJob]:
    """The ``limit`` earliest due jobs of these zones (or fewer), locked with SKIP LOCKED.

    One range of the due index per zone (the index leads with the campaign and
    the zone), read together by time, so the earliest due job goes first
    whatever its zone; then only the chosen rows are locked.
    """
    due = CallJob.objects.filter(campaign_id=campaign_id, status=PENDING, next_attempt_at__lte=now)
    by_time = due.order_by("next_attempt_at").values_list("next_attempt_at", "pk", "phone")
    chosen = {
        pk: phone for _, pk, phone in first_rows([by_time.filter(time_zone=zone)[:limit] for zone in zones], limit)
    }
    locked = CallJob.objects.filter(pk__in=chosen, status=PENDING).select_for_update(skip_locked=True)
    held = set(locked.values_list("pk", flat=True))
    return [DueJob(pk, phone) for pk, phone in chosen.items() if pk in held]


def jobs_defer(until: dict[int, dt.datetime]) -> None:
    """Waiting jobs due again later (a contact cap reached): job id → when."""
    for pk, moment in until.items():
        CallJob.objects.filter(pk=pk, status=PENDING).update(next_attempt_at=moment)


_CLAIM = (
    f"UPDATE {JOB} SET status = %(to_status)s, claim_token = %(token)s, attempts_made = attempts_made + 1,"
    " updated_at = %(now)s WHERE id IN ({ids}) AND status = %(pending)s"
    " RETURNING id, phone, attempts_made, contact_id"
)


def jobs_claim(*, ids: list[int], token: str, now: dt.datetime, with_variables: bool) -> list[ClaimedJob]:
    """Take the waiting jobs among ``ids`` by compare-and-set with this claim's token (their attempt
    counted), in the order of ``ids``; with their contacts' variables when asked for."""
    if not ids:
        return []
    params: dict[str, Any] = {f"id{n}": pk for n, pk in enumerate(ids)}
    params.update(to_status=job_move(PENDING, IN_PROGRESS), token=token, now=stamp(now), pending=PENDING.value)
    sql = _CLAIM.format(ids=", ".join(f"%(id{n})s" for n in range(len(ids))))
    taken = {pk: (phone, made, contact) for pk, phone, made, contact in rows(sql, params)}
    variables: dict[int, Any] = {}
    if with_variables:
        contacts = [contact for _, _, contact in taken.values() if contact is not None]
        variables = dict(Contact.objects.filter(pk__in=contacts).values_list("pk", "variables"))
    return [
        ClaimedJob(pk, phone, made, json_object(variables.get(contact)))
        for pk in ids
        if pk in taken
        for phone, made, contact in [taken[pk]]
    ]


def jobs_suppress(*, campaign_id: int, by_entry: dict[str, list[int]], now: dt.datetime) -> None:
    """Claimed jobs whose number went on a do-not-call list: suppressed by that entry, their attempt
    given back, and counted suppressed and done on the campaign."""
    status = job_move(IN_PROGRESS, SUPPRESSED)
    count = 0
    for entry, ids in by_entry.items():
        count += CallJob.objects.filter(campaign_id=campaign_id, pk__in=ids, status=IN_PROGRESS).update(
            status=status, suppressed_by=entry, attempts_made=F("attempts_made") - 1, updated_at=now
        )
    Campaign.objects.filter(pk=campaign_id).update(
        stat_suppressed=F("stat_suppressed") + count, stat_done=F("stat_done") + count
    )


_ATTEMPT_COLUMNS = (
    "job_id, campaign_id, number, status, a_number, b_number, scenario, worker, started_at, lease_expires_at,"
    " outcome, cause, digits, transfer"
)
_ATTEMPT_VALUES = (
    "(%(job_{n})s, %(campaign_{n})s, %(number_{n})s, %(dialing)s, %(a_{n})s, %(b_{n})s, %(scenario_{n})s, '',"
    " %(started_{n})s, %(lease_{n})s, '', '', '', '')"
)


def attempts_create(attempts: list[NewAttempt]) -> list[int]:
    """Write the claim's attempts in one statement; their ids, in order."""
    if not attempts:
        return []
    params: dict[str, Any] = {"dialing": DIALING}
    for n, a in enumerate(attempts):
        params.update(
            {
                f"job_{n}": a.job_id,
                f"campaign_{n}": a.campaign_id,
                f"number_{n}": a.number,
                f"a_{n}": a.a_number,
                f"b_{n}": a.b_number,
                f"scenario_{n}": json_param(a.scenario),
                f"started_{n}": stamp(a.started_at),
                f"lease_{n}": stamp(a.lease_expires_at),
            }
        )
    values = ", ".join(_ATTEMPT_VALUES.format(n=n) for n in range(len(attempts)))
    return [row[0] for row in rows(f"INSERT INTO {ATTEMPT} ({_ATTEMPT_COLUMNS}) VALUES {values} RETURNING id", params)]
