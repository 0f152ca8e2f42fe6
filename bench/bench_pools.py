"""Caller-ID carousel: many processes drawing from one pool at once (PostgreSQL).

8 processes × 10,000 draws from a 50-member sequential pool through
``callerid_pools.services.pool_next_number`` (one prepared statement: the
pool's sequence's ``nextval`` and the member at that position). Checks that
every member was drawn exactly as often as the others (no lost or doubled
positions) and measures draws per second. The alternatives measured in the
same run: a counter column on the pool row bumped by ``UPDATE … RETURNING``,
then the pick (the SQLite path, and this product's first design); and the
naive carousel: lock the pool row with ``SELECT … FOR UPDATE``, increment the
counter in Python, save it, read the members and pick one. Random draws are
checked for uniformity with a chi-square test, and timed against the ORM's
``order_by("?").first()`` over the usable members.

Run: ``DATABASE_URL=postgres://… .venv/bin/python -m bench pools`` (the
database is migrated first; the bench's rows are removed afterwards).
Sizes can be changed with BENCH_POOLS_PROCESSES, BENCH_POOLS_DRAWS,
BENCH_POOLS_NAIVE_DRAWS, BENCH_POOLS_RANDOM_DRAWS.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time
from collections import Counter
from typing import TYPE_CHECKING

from django.db import connection, connections, transaction

from bench.table import print_table

if TYPE_CHECKING:
    import threading

PROCESSES = int(os.environ.get("BENCH_POOLS_PROCESSES", 8))
DRAWS = int(os.environ.get("BENCH_POOLS_DRAWS", 10_000))
NAIVE_DRAWS = int(os.environ.get("BENCH_POOLS_NAIVE_DRAWS", 500))
RANDOM_DRAWS = int(os.environ.get("BENCH_POOLS_RANDOM_DRAWS", 1_000))
MEMBERS = 50
GOAL = 1_500
PREFIX = "bench-pools-"
# Ofcom's numbers reserved for drama: never a real subscriber.
NUMBERS = "+442079460000-+442079460049"


def _setup() -> tuple[int, int]:
    from callerid_pools.models import NumberPool, PoolType
    from callerid_pools.services import number_pool_create, pool_members_add
    from dids.models import DID, DIDStatus
    from dids.services import did_create_many, operator_get_or_create

    _cleanup()
    operator, _ = operator_get_or_create(name=f"{PREFIX}operator")
    did_create_many(specs=NUMBERS, operator=operator, status=DIDStatus.RESERVED)
    dids = list(DID.objects.filter(operator=operator).order_by("number"))
    sequential = number_pool_create(name=f"{PREFIX}sequential", pool_type=PoolType.SEQUENTIAL, is_global=True)
    random_pool = number_pool_create(name=f"{PREFIX}random", pool_type=PoolType.RANDOM, is_global=True)
    pool_members_add(pool=sequential, dids=dids)
    pool_members_add(pool=random_pool, dids=dids)
    assert NumberPool.objects.get(pk=sequential.pk).members.count() == MEMBERS
    return sequential.pk, random_pool.pk


def _cleanup() -> None:
    from callerid_pools.models import NumberPool
    from dids.models import DID, Operator

    NumberPool.objects.filter(name__startswith=PREFIX).delete()
    DID.history.filter(operator__name__startswith=PREFIX).delete()
    DID.objects.filter(operator__name__startswith=PREFIX).delete()
    Operator.objects.filter(name__startswith=PREFIX).delete()


def _naive_next(pool_id: int):
    """The alternative: lock the row, increment in Python, save, pick from the members."""
    from callerid_pools.models import NumberPool
    from callerid_pools.selectors import pool_usable_members

    with transaction.atomic():
        pool = NumberPool.objects.select_for_update().get(pk=pool_id)
        pool.cursor += 1
        pool.save(update_fields=["cursor"])
        members = list(pool_usable_members(pool))
    return members[(pool.cursor - 1) % len(members)].did


def _counter_column_next(pool):
    """Alternative 2: the counter column bumped by UPDATE … RETURNING, then the pick (a row lock per draw)."""
    from callerid_pools.draw import _next_from_counter_column

    return _next_from_counter_column(pool.pk).did


def _orm_random_next(pool):
    """The random draw's alternative: the ORM's ``order_by("?")`` over the usable members (before)."""
    from callerid_pools.selectors import pool_usable_members

    member = pool_usable_members(pool).order_by("?").first()
    assert member is not None
    return member.did


def _worker(args: tuple[str, int, int, threading.Barrier]) -> tuple[Counter, float, float]:
    how, pool_id, draws, barrier = args
    from callerid_pools.models import NumberPool
    from callerid_pools.services import pool_next_number

    connections.close_all()  # never share the parent's socket
    pool = NumberPool.objects.get(pk=pool_id)
    counts: Counter = Counter()
    barrier.wait()
    started = time.perf_counter()
    if how == "naive":
        for _ in range(draws):
            counts[_naive_next(pool_id).number] += 1
    elif how == "orm-random":
        for _ in range(draws):
            counts[_orm_random_next(pool).number] += 1
    elif how == "counter-column":
        for _ in range(draws):
            counts[_counter_column_next(pool).number] += 1
    else:
        for _ in range(draws):
            counts[pool_next_number(pool=pool).number] += 1
    ended = time.perf_counter()
    connections.close_all()
    return counts, started, ended


def _run(how: str, pool_id: int, draws: int) -> tuple[Counter, float]:
    """Draws from PROCESSES processes started together; (counts, draws per second)."""
    context = multiprocessing.get_context("fork")
    connections.close_all()
    with context.Manager() as manager:
        barrier = manager.Barrier(PROCESSES)
        with context.Pool(PROCESSES) as workers:
            results = workers.map(_worker, [(how, pool_id, draws, barrier)] * PROCESSES)
    total: Counter = Counter()
    for counts, _, _ in results:
        total.update(counts)
    elapsed = max(r[2] for r in results) - min(r[1] for r in results)
    return total, sum(total.values()) / elapsed


def chi_square_p(counts: list[int]) -> tuple[float, float]:
    """Chi-square statistic against the uniform law, and its p-value (Wilson–Hilferty)."""
    total, k = sum(counts), len(counts)
    expected = total / k
    statistic = sum((c - expected) ** 2 / expected for c in counts)
    dof = k - 1
    z = ((statistic / dof) ** (1 / 3) - (1 - 2 / (9 * dof))) / math.sqrt(2 / (9 * dof))
    return statistic, 0.5 * math.erfc(z / math.sqrt(2))


def main() -> None:
    if connection.vendor != "postgresql":
        print("bench_pools measures PostgreSQL: set DATABASE_URL=postgres://… (skipped)")
        return
    sequential_id, random_id = _setup()
    try:
        seq_counts, seq_rate = _run("atomic", sequential_id, DRAWS)
        # The naive carousel continues on a reset counter so its wrap is checked the same way.
        from callerid_pools.models import NumberPool

        NumberPool.objects.filter(pk=sequential_id).update(cursor=0)
        column_counts, column_rate = _run("counter-column", sequential_id, DRAWS)
        NumberPool.objects.filter(pk=sequential_id).update(cursor=0)
        naive_counts, naive_rate = _run("naive", sequential_id, NAIVE_DRAWS)
        random_counts, random_rate = _run("atomic", random_id, RANDOM_DRAWS)
        _, orm_random_rate = _run("orm-random", random_id, RANDOM_DRAWS)
    finally:
        connections.close_all()
        _cleanup()

    def equal(counts: Counter, draws: int) -> str:
        values = set(counts.values())
        # With a total that is not a multiple of the pool size, a cycle is left unfinished: ±1 then.
        spread = 0 if (PROCESSES * draws) % MEMBERS == 0 else 1
        exact = len(counts) == MEMBERS and max(values) - min(values) <= spread
        return "yes" if exact else f"NO ({min(values)}–{max(values)} over {len(counts)} members)"

    statistic, p_value = chi_square_p([random_counts.get(n, 0) for n in sorted(seq_counts)])
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(
        f"{PROCESSES} processes, {MEMBERS}-member pool, PostgreSQL {getattr(connection, 'pg_version', '?')}, "
        f"{os.cpu_count()} CPU(s), load average now {load} (the figures depend on what else runs)"
    )
    print_table(
        ["carousel", "draws", "draws/s", "each member equally", "goal"],
        [
            [
                "sequential: sequence nextval + pick, prepared (product)",
                PROCESSES * DRAWS,
                seq_rate,
                equal(seq_counts, DRAWS),
                f"≥ {GOAL:,}/s: {'met' if seq_rate >= GOAL else 'MISSED'}",
            ],
            [
                "sequential: counter column UPDATE … RETURNING, then pick",
                PROCESSES * DRAWS,
                column_rate,
                equal(column_counts, DRAWS),
                "",
            ],
            [
                "sequential: SELECT FOR UPDATE + Python (naive)",
                PROCESSES * NAIVE_DRAWS,
                naive_rate,
                equal(naive_counts, NAIVE_DRAWS),
                "",
            ],
            ["random: ORDER BY random() LIMIT 1, prepared (product)", PROCESSES * RANDOM_DRAWS, random_rate, "n/a", ""],
            ["random: ORM order_by('?').first()", PROCESSES * RANDOM_DRAWS, orm_random_rate, "n/a", ""],
        ],
    )
    print(
        f"ratio product / naive (sequential draws/s): {seq_rate / naive_rate:.2f}×; "
        f"product / counter column: {seq_rate / column_rate:.2f}×; "
        f"random draws/s product / ORM: {random_rate / orm_random_rate:.2f}×"
    )
    verdict = "uniform" if p_value > 0.001 else "NOT uniform"
    print(
        f"random: chi-square {statistic:.1f} with {MEMBERS - 1} degrees of freedom, p = {p_value:.3f} "
        f"({verdict} at the 0.1% level); counts {min(random_counts.values())}–{max(random_counts.values())}, "
        f"expected {PROCESSES * RANDOM_DRAWS / MEMBERS:.0f}"
    )
