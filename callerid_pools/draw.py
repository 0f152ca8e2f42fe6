"""The sequential carousel's draw: every statement of it, for PostgreSQL and SQLite.

``callerid_pools.services.pool_next_number`` keeps the rules (which pool type
draws how, the error when nothing is usable) and calls this module; nothing
else in the app writes SQL.

Interface
    ``next_sequential(*, pool_id) -> Draw`` — moves the pool's shared counter
        on by one and returns the position it reached with the usable member
        at ``(position - 1) mod usable``; ``Draw.did`` is None when no member
        is usable, ``Draw`` itself is ``MISSING_POOL`` when the pool is gone.
    ``next_random(*, pool_id) -> DID | None`` — a usable member's DID drawn
        uniformly at random; None when none is usable or the pool is gone.
    ``forget_counter(*, pool_id)`` — after the pool's deletion.
    ``counter_name(pool_id)`` — the PostgreSQL sequence of a pool.

The counter. On PostgreSQL it is a sequence per pool: ``nextval`` takes no
row lock and is not rolled back, so draws from every process run in parallel
and a dispatcher can draw inside its own transaction without serialising
other campaigns behind the pool row (the counter column's row lock made the
draws queue up: bench_pools compares the two, figures in the README's
"Number pools"). SQLite, the embedded default
with one writer at a time, bumps the pool row's ``cursor`` column with
``UPDATE … RETURNING``. Either way one counter per pool is shared by every
worker in every process, so no two calls get the same position in a cycle.

Usable members: a customer's pool takes its members whose DID is Assigned to
that customer; a global pool those Reserved without a customer. The owner is
read from the pool row in the same statement, not from a caller's instance:
a stale instance cannot apply another owner's rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, ProgrammingError, connection, transaction
from psycopg import errors as psycopg_errors

from callerid_pools.models import NumberPool, NumberPoolMember
from dids.models import DID, DIDStatus
from telephony.db import prepared_fetchone

__all__ = ["MISSING_POOL", "Draw", "counter_name", "forget_counter", "next_random", "next_sequential"]


@dataclass(frozen=True)
class Draw:
    """A row of a draw: the counter's new position and the usable member there (None: none usable)."""

    position: int | None
    did: DID | None


MISSING_POOL = Draw(position=None, did=None)


def counter_name(pool_id: int) -> str:
    """The PostgreSQL sequence that counts a sequential pool's draws (named before the app split)."""
    return f"pools_numberpool_{pool_id}_draws"


def next_sequential(*, pool_id: int) -> Draw:
    if connection.vendor == "postgresql":
        return _next_from_sequence(pool_id)
    return _next_from_counter_column(pool_id)


def next_random(*, pool_id: int) -> DID | None:
    """One statement, prepared on PostgreSQL: the ORM's ``order_by("?")`` built the query and two
    model instances again on every call (bench_pools' random row)."""
    if connection.vendor == "postgresql":
        return _did(prepared_fetchone(_RANDOM_PICK, {"pool": pool_id, **_STATUSES}))
    return next(iter(DID.objects.raw(_RANDOM_PICK, {"pool": pool_id, **_STATUSES})), None)


def forget_counter(*, pool_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SEQUENCE IF EXISTS {_quote(counter_name(pool_id))}")


# --- statements -------------------------------------------------------------------


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


_TABLES = {
    "pool": _quote(NumberPool._meta.db_table),
    "member": _quote(NumberPoolMember._meta.db_table),
    "did": _quote(DID._meta.db_table),
}
_DID_FIELDS = [field.attname for field in DID._meta.concrete_fields]
_DID_COLUMNS = ", ".join(f"d.{_quote(field.column)}" for field in DID._meta.concrete_fields if field.column)
_STATUSES = {"reserved": str(DIDStatus.RESERVED), "assigned": str(DIDStatus.ASSIGNED)}

# The usable members numbered in pool order.
_USABLE = """
    SELECT m.did_id, ROW_NUMBER() OVER (ORDER BY m.position, m.id) - 1 AS idx, COUNT(*) OVER () AS n
    FROM {member} m JOIN {pool} p ON p.id = m.pool_id JOIN {did} u ON u.id = m.did_id
    WHERE m.pool_id = %(pool)s AND u.status = CASE WHEN p.is_global THEN %(reserved)s ELSE %(assigned)s END
      -- A global pool's DIDs have no customer: NULL matches NULL here.
      AND u.customer_id IS NOT DISTINCT FROM p.customer_id
"""

# One statement: the next value of the pool's sequence (NULL when the sequence
# does not exist yet: ``to_regclass`` answers NULL rather than failing, which
# would abort the caller's transaction), and the usable member it points at
# (NULL columns when none is usable).
_SEQUENCE_DRAW = """
    WITH drawn AS MATERIALIZED (SELECT nextval(to_regclass(%(sequence)s)) AS position),
    usable AS ({usable})
    SELECT drawn.position, {columns} FROM drawn
    LEFT JOIN (usable JOIN {did} d ON d.id = usable.did_id) ON usable.idx = (drawn.position - 1) %% usable.n
""".format(usable=_USABLE.format(**_TABLES), columns=_DID_COLUMNS, **_TABLES)

_SEQUENCE_CREATE = "CREATE SEQUENCE IF NOT EXISTS {sequence} MINVALUE 1 START WITH %(start)s"

_COUNTER_BUMP = "UPDATE {pool} SET cursor = cursor + 1 WHERE id = %(pool)s RETURNING cursor".format(**_TABLES)
_COUNTER_PICK = """
    SELECT {columns} FROM {did} d JOIN ({usable}) usable ON usable.did_id = d.id
    WHERE usable.idx = (%(position)s - 1) %% usable.n
""".format(usable=_USABLE.format(**_TABLES), columns=_DID_COLUMNS, **_TABLES)


_RANDOM_PICK = """
    SELECT {columns} FROM {did} d JOIN ({usable}) usable ON usable.did_id = d.id ORDER BY random() LIMIT 1
""".format(usable=_USABLE.format(**_TABLES), columns=_DID_COLUMNS, **_TABLES)


def _did(columns: tuple | None) -> DID | None:
    if columns is None or columns[0] is None:
        return None
    return DID.from_db(connection.alias, _DID_FIELDS, columns)


def _next_from_sequence(pool_id: int) -> Draw:
    params = {"sequence": counter_name(pool_id), "pool": pool_id, **_STATUSES}
    row = prepared_fetchone(_SEQUENCE_DRAW, params)
    if row is None or row[0] is None:
        if not _create_sequence(pool_id):
            return MISSING_POOL
        row = prepared_fetchone(_SEQUENCE_DRAW, params)
    assert row is not None  # the SELECT always returns its one row
    return Draw(position=row[0], did=_did(row[1:]))


def _create_sequence(pool_id: int) -> bool:
    """Created on the first draw, so pools made any way need nothing else; False when the pool is gone.

    It starts where the pool's counter column stood, so a pool keeps its place in the cycle.
    """
    start = NumberPool.objects.filter(pk=pool_id).values_list("cursor", flat=True).first()
    if start is None:
        return False
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_SEQUENCE_CREATE.format(sequence=_quote(counter_name(pool_id))), {"start": start + 1})
    except (IntegrityError, ProgrammingError) as exc:
        # Another process created it at the same moment: the same sequence.
        # IF NOT EXISTS does not cover a concurrent creation; PostgreSQL
        # answers with a unique violation or "already exists" (DuplicateTable).
        if not isinstance(exc.__cause__, (psycopg_errors.UniqueViolation, psycopg_errors.DuplicateTable)):
            raise
    return True


def _next_from_counter_column(pool_id: int) -> Draw:
    """SQLite's counter (and bench_pools' alternative on PostgreSQL): two statements, a row lock between."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNTER_BUMP, {"pool": pool_id})
        bumped = cursor.fetchone()
    if bumped is None:
        return MISSING_POOL
    position = bumped[0]
    # Through raw(): SQLite hands back text for timestamps, and raw() applies the fields' converters.
    picked = DID.objects.raw(_COUNTER_PICK, {"pool": pool_id, "position": position, **_STATUSES})
    return Draw(position=position, did=next(iter(picked), None))
