"""DNI allocation: every statement of a page view, for PostgreSQL and SQLite.

``call_tracking.services.dni_visit`` keeps the rules (tracking sources, the
exhaustion policy, what the answer says) and calls this module; nothing else
in the app writes SQL for it.

Interface
    ``keep(*, pool_id, visitor_id, period, now) -> KeptSession | None``
    ``allocate(*, pool_id, reuse, visitor_id, source, referrer, landing_url,
    url_params, ip, now, expires) -> NewSession | None`` (None: no number)

On PostgreSQL each is one statement, one round trip, prepared on the server:
the ORM steps SQLite runs say the same thing in five to nine queries, which on
PostgreSQL cost more CPU in Django's query compiler than the database spent on
them. On SQLite (one writer at a time; row locks are ignored) each is one
transaction of ORM queries, with compare-and-set updates.

``keep`` — the returning visitor's hold extended, or nothing. The session's
number row is locked (``FOR UPDATE OF n``) before the session's expiry is
compared with the clock, and the clock is read after the lock: this
process's ``now`` plus the time the statement has waited (rounded to
milliseconds, so that without a wait it is exactly ``now``). An allocation
that found the number free has either committed before (then this session has
expired by that clock) or waits for this statement (then it sees the
extended hold).

``allocate`` — a new session: the least recently released free number
(``FOR UPDATE SKIP LOCKED``: concurrent page views take different numbers and
never wait for each other); when there is none and the pool reuses, the
number whose hold ends first — the one whose visitors were least recently
active (skipped when another request holds its row locked) — with the
sessions holding it marked ambiguous like the new one. Choosing among the
pool's numbers, not its sessions, reads a few rows where the active sessions
of a busy pool are thousands. The session row is inserted by the same
statement.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from psycopg.types.json import Jsonb

from call_tracking.models import DNISession, TrackingNumber
from dids.models import DID
from telephony.db import prepared_fetchone

__all__ = ["KeptSession", "NewSession", "allocate", "keep"]


@dataclass(frozen=True)
class KeptSession:
    """The returning visitor's session, its hold extended."""

    number_id: int
    e164: str
    session_id: int
    expires_at: datetime.datetime
    page_views: int


@dataclass(frozen=True)
class NewSession:
    """The session a page view opened, on a free number or (``ambiguous``) a shared one."""

    session_id: int
    number_id: int
    e164: str
    ambiguous: bool


_TABLES = {
    "sessions": DNISession._meta.db_table,
    "numbers": TrackingNumber._meta.db_table,
    "dids": DID._meta.db_table,
}
# Each statement commits without waiting for its WAL to reach the disk
# (``synchronous_commit`` off for its own transaction only). Waiting for the
# flush was most of a page view's time, with the number's row locked all
# along, so a pool's visitors queued behind each other's disk writes. A crash
# can lose the last fraction of a second of page views (PostgreSQL flushes
# within three ``wal_writer_delay``, 0.6 s by default), never corrupt them: a
# hold extended just before it may end early.
_NO_FLUSH_WAIT = "no_flush_wait AS (SELECT set_config('synchronous_commit', 'off', true))"
_CLOCK = "(%(now)s::timestamptz + date_trunc('milliseconds', clock_timestamp() - statement_timestamp()))"

_KEEP = """
    WITH {no_flush_wait}, held AS (
        SELECT s.id AS session_id
        FROM {sessions} s JOIN {numbers} n ON n.id = s.number_id
        WHERE s.pool_id = %(pool)s AND s.visitor_id = %(visitor)s AND s.expires_at > %(now)s
          AND n.removed_at IS NULL
        ORDER BY s.last_seen_at DESC
        LIMIT 1
        FOR UPDATE OF n
    ), kept AS (
        UPDATE {sessions} s
        SET last_seen_at = {clock}, expires_at = {clock} + %(period)s, page_views = s.page_views + 1
        FROM held
        WHERE s.id = held.session_id AND s.expires_at > {clock}
        RETURNING s.id, s.number_id, s.expires_at, s.page_views
    )
    UPDATE {numbers} n SET held_until = GREATEST(n.held_until, kept.expires_at)
    FROM kept, no_flush_wait, {dids} d
    WHERE n.id = kept.number_id AND d.id = n.did_id
    RETURNING n.id, d.number, kept.id, kept.expires_at, kept.page_views
""".format(**_TABLES, clock=_CLOCK, no_flush_wait=_NO_FLUSH_WAIT)

# ``shared`` runs only when ``free`` found nothing (its one-time filter); the
# two UPDATEs of a number never touch the same row in one statement. It takes
# a number that was already held in the statement's snapshot (a row changed
# since is re-checked when locked, and a hold only ends by removal), so every
# session that held it then is marked here, and one added since was itself a
# sharer, marked ambiguous with those it saw: a number held by two sessions
# has every one of them marked.
_ALLOCATE = """
    WITH {no_flush_wait}, free AS (
        SELECT n.id, n.did_id
        FROM {numbers} n
        WHERE n.pool_id = %(pool)s AND n.removed_at IS NULL
          AND (n.held_until IS NULL OR n.held_until <= %(now)s)
        ORDER BY n.held_until ASC NULLS FIRST, n.id
        LIMIT 1
        FOR UPDATE SKIP LOCKED
    ), taken AS (
        UPDATE {numbers} n SET held_until = %(expires)s
        FROM free WHERE n.id = free.id
        RETURNING n.id, n.did_id
    ), shared AS (
        SELECT n.id AS number_id
        FROM {numbers} n
        WHERE %(reuse)s AND NOT EXISTS (SELECT 1 FROM free)
          AND n.pool_id = %(pool)s AND n.removed_at IS NULL AND n.held_until > %(now)s
        ORDER BY n.held_until, n.id
        LIMIT 1
        FOR UPDATE SKIP LOCKED
    ), marked AS (
        UPDATE {sessions} s SET ambiguous = TRUE
        FROM shared
        WHERE s.number_id = shared.number_id AND s.expires_at > %(now)s AND NOT s.ambiguous
        RETURNING s.id
    ), extended AS (
        UPDATE {numbers} n SET held_until = GREATEST(n.held_until, %(expires)s)
        FROM shared WHERE n.id = shared.number_id
        RETURNING n.id, n.did_id
    ), chosen AS (
        SELECT id, did_id, FALSE AS ambiguous FROM taken
        UNION ALL
        SELECT id, did_id, TRUE FROM extended
    ), created AS (
        INSERT INTO {sessions} (pool_id, number_id, visitor_id, source, referrer, landing_url, url_params, ip,
                                started_at, last_seen_at, expires_at, page_views, ambiguous)
        SELECT %(pool)s, chosen.id, %(visitor)s, %(source)s, %(referrer)s, %(landing_url)s, %(url_params)s,
               %(ip)s::inet, %(now)s, %(now)s, %(expires)s, 1, chosen.ambiguous
        FROM chosen
        RETURNING id, number_id, ambiguous
    )
    SELECT created.id, created.number_id, d.number, created.ambiguous
    FROM created JOIN chosen ON chosen.id = created.number_id JOIN {dids} d ON d.id = chosen.did_id, no_flush_wait
""".format(**_TABLES, no_flush_wait=_NO_FLUSH_WAIT)


def keep(*, pool_id: int, visitor_id: str, period: datetime.timedelta, now: datetime.datetime) -> KeptSession | None:
    """The visitor's current session with its hold extended by ``period``, or None (none, or it just ended)."""
    if connection.vendor == "postgresql":
        params = {"pool": pool_id, "visitor": visitor_id, "period": period, "now": now}
        row = prepared_fetchone(_KEEP, params)
        return None if row is None else KeptSession(*row)
    return _keep_sqlite(pool_id=pool_id, visitor_id=visitor_id, period=period, now=now)


def allocate(
    *,
    pool_id: int,
    reuse: bool,
    visitor_id: str,
    source: str,
    referrer: str,
    landing_url: str,
    url_params: dict,
    ip: str | None,
    now: datetime.datetime,
    expires: datetime.datetime,
) -> NewSession | None:
    """A new session on a free number or, with ``reuse``, a shared one; None: no number."""
    session = {
        "visitor_id": visitor_id,
        "source": source,
        "referrer": referrer,
        "landing_url": landing_url,
        "ip": ip,
    }
    if connection.vendor == "postgresql":
        params = {"pool": pool_id, "reuse": reuse, "url_params": Jsonb(url_params), "now": now, "expires": expires}
        params.update(visitor=visitor_id, source=source, referrer=referrer, landing_url=landing_url, ip=ip)
        row = prepared_fetchone(_ALLOCATE, params)
        return None if row is None else NewSession(*row)
    return _allocate_sqlite(pool_id=pool_id, reuse=reuse, now=now, expires=expires, url_params=url_params, **session)


# --- SQLite: the same steps as ORM queries in one transaction each ---------------------------


@transaction.atomic
def _keep_sqlite(
    *, pool_id: int, visitor_id: str, period: datetime.timedelta, now: datetime.datetime
) -> KeptSession | None:
    current = (
        DNISession.objects.select_related("number__did")
        .select_for_update(of=("number",))
        .filter(pool_id=pool_id, visitor_id=visitor_id, expires_at__gt=now, number__removed_at__isnull=True)
        .order_by("-last_seen_at")
        .first()
    )
    if current is None:
        return None
    expires = now + period
    changed = DNISession.objects.filter(pk=current.pk, expires_at__gt=now).update(
        last_seen_at=now, expires_at=expires, page_views=F("page_views") + 1
    )
    if not changed:
        return None
    TrackingNumber.objects.filter(pk=current.number_id).update(held_until=Greatest(F("held_until"), expires))
    return KeptSession(current.number_id, current.number.did.number, current.pk, expires, current.page_views + 1)


@transaction.atomic
def _allocate_sqlite(
    *, pool_id: int, reuse: bool, now: datetime.datetime, expires: datetime.datetime, **session
) -> NewSession | None:
    number, ambiguous = _take_free(pool_id, now, expires), False
    if number is None and reuse:
        number, ambiguous = _take_shared(pool_id, now, expires), True
    if number is None:
        return None
    created = DNISession.objects.create(
        pool_id=pool_id,
        number=number,
        started_at=now,
        last_seen_at=now,
        expires_at=expires,
        ambiguous=ambiguous,
        **session,
    )
    return NewSession(created.pk, number.pk, number.did.number, ambiguous)


def _take_free(pool_id: int, now: datetime.datetime, expires: datetime.datetime) -> TrackingNumber | None:
    """The least recently released free number (never-held ones first), held until ``expires``."""
    for _ in range(3):
        candidate = (
            TrackingNumber.objects.select_related("did")
            .filter(pool_id=pool_id, removed_at__isnull=True)
            .filter(Q(held_until__isnull=True) | Q(held_until__lte=now))
            .order_by(F("held_until").asc(nulls_first=True), "pk")
            .first()
        )
        if candidate is None:
            return None
        # Compare-and-set: another writer may have taken it since the read.
        same = Q(held_until__isnull=True) if candidate.held_until is None else Q(held_until=candidate.held_until)
        if TrackingNumber.objects.filter(same, pk=candidate.pk).update(held_until=expires):
            return candidate
    return None


def _take_shared(pool_id: int, now: datetime.datetime, expires: datetime.datetime) -> TrackingNumber | None:
    """Exhausted pool: the number whose hold ends first, its current sessions marked ambiguous."""
    number = (
        TrackingNumber.objects.select_related("did")
        .filter(pool_id=pool_id, removed_at__isnull=True, held_until__gt=now)
        .order_by("held_until", "pk")
        .first()
    )
    if number is None:
        return None
    TrackingNumber.objects.filter(pk=number.pk).update(held_until=Greatest(F("held_until"), expires))
    DNISession.objects.filter(number=number, expires_at__gt=now, ambiguous=False).update(ambiguous=True)
    return number
