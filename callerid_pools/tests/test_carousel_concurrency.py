"""The sequential carousel shared by many database connections at once (PostgreSQL)."""

import threading
from collections import Counter

import pytest
from django.db import connection

from callerid_pools.draw import counter_name
from callerid_pools.models import NumberPool, PoolType
from callerid_pools.services import number_pool_delete, pool_members_add, pool_next_number
from callerid_pools.tests.factories import GlobalNumberPoolFactory
from dids.models import DIDStatus
from dids.tests.factories import DIDFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WORKERS = 8
DRAWS_EACH = 70
MEMBERS = 7


def test_concurrent_draws_share_one_sequence():
    pool = GlobalNumberPoolFactory(pool_type=PoolType.SEQUENTIAL)
    pool_members_add(pool=pool, dids=[DIDFactory(status=DIDStatus.RESERVED) for _ in range(MEMBERS)])
    results: list[list[str]] = [[] for _ in range(WORKERS)]
    errors: list[BaseException] = []
    start = threading.Barrier(WORKERS)

    def work(index: int) -> None:
        # Each thread has its own database connection: a separate session for PostgreSQL.
        try:
            mine = NumberPool.objects.get(pk=pool.pk)
            start.wait()
            for _ in range(DRAWS_EACH):
                results[index].append(pool_next_number(pool=mine).number)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    counts = Counter(number for result in results for number in result)
    total = WORKERS * DRAWS_EACH
    # No position lost or given twice: every member exactly total / MEMBERS times.
    assert len(counts) == MEMBERS
    assert set(counts.values()) == {total // MEMBERS}
    # The pool's sequence counted every draw once.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_value FROM {counter_name(pool.pk)}")
        assert cursor.fetchone()[0] == total


def test_a_pool_keeps_its_place_when_its_sequence_is_created_and_loses_it_when_deleted():
    pool = GlobalNumberPoolFactory(pool_type=PoolType.SEQUENTIAL)
    dids = [DIDFactory(status=DIDStatus.RESERVED) for _ in range(3)]
    pool_members_add(pool=pool, dids=dids)
    NumberPool.objects.filter(pk=pool.pk).update(cursor=4)  # a pool counted by the column before
    # Draw 5 and 6 of a 3-member cycle: the second and third members.
    assert pool_next_number(pool=pool).number == dids[1].number
    assert pool_next_number(pool=pool).number == dids[2].number
    number_pool_delete(pool=pool)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [counter_name(pool.pk)])
        assert cursor.fetchone()[0] is None
