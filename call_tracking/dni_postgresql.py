"""A DNI page view on PostgreSQL in at most two statements, each one round trip, prepared on the server.

``call_tracking.services.dni_visit`` calls these; the ORM steps it runs
elsewhere (SQLite) say the same thing in five to nine queries, which on
PostgreSQL cost more CPU in Django's query compiler than the database spent
on them.

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

from psycopg.types.json import Jsonb

from call_tracking.models import DNISession, TrackingNumber
from dids.models import DID
from telephony.db import prepared_fetchone

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


def keep(*, pool_id: int, visitor_id: str, period: datetime.timedelta, now: datetime.datetime) -> tuple | None:
    """(number id, E.164, session id, expires_at, page_views) of the extended session, or None."""
    params = {"pool": pool_id, "visitor": visitor_id, "period": period, "now": now}
    return prepared_fetchone(_KEEP, params)


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
) -> tuple | None:
    """(session id, number id, E.164, ambiguous) of the new session, or None: no number."""
    params = {
        "pool": pool_id,
        "reuse": reuse,
        "visitor": visitor_id,
        "source": source,
        "referrer": referrer,
        "landing_url": landing_url,
        "url_params": Jsonb(url_params),
        "ip": ip,
        "now": now,
        "expires": expires,
    }
    return prepared_fetchone(_ALLOCATE, params)
