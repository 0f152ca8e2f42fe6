"""``compliance.day_counters`` behaves the same on SQLite and PostgreSQL.

Collected again under the integration mark by ``test_day_counters_parity_postgresql.py``.
"""

import datetime as dt

import pytest

from callerid_pools.tests.factories import NumberPoolFactory
from compliance import day_counters
from compliance.models import ANumberDay, PoolDay

pytestmark = [pytest.mark.django_db]

DAY = dt.date(2026, 11, 23)


def test_adding_to_numbers_without_a_day_creates_their_rows():
    day_counters.numbers_add(day=DAY, calls={"+441170000001": 2, "+441170000002": 1})
    assert day_counters.numbers_used(day=DAY, numbers=["+441170000001", "+441170000002", "+441170000003"]) == {
        "+441170000001": 2,
        "+441170000002": 1,
    }


def test_adding_again_adds_to_the_days_calls_and_leaves_other_days_alone():
    ANumberDay.objects.create(number="+441170000001", day=DAY - dt.timedelta(days=1), calls=7)
    day_counters.numbers_add(day=DAY, calls={"+441170000001": 2})
    day_counters.numbers_add(day=DAY, calls={"+441170000001": 3, "+441170000002": 1})
    assert day_counters.numbers_used(day=DAY, numbers=["+441170000001", "+441170000002"]) == {
        "+441170000001": 5,
        "+441170000002": 1,
    }
    assert day_counters.numbers_used(day=DAY - dt.timedelta(days=1), numbers=["+441170000001"]) == {"+441170000001": 7}


def test_adding_nothing_writes_nothing():
    day_counters.numbers_add(day=DAY, calls={})
    assert not ANumberDay.objects.exists()


def test_the_stored_day_is_the_date_given():
    day_counters.numbers_add(day=DAY, calls={"+441170000001": 1})
    assert ANumberDay.objects.get().day == DAY


def test_a_pools_day_counts_calls_and_local_calls():
    pool = NumberPoolFactory()
    day_counters.pool_add(pool_id=pool.pk, day=DAY, calls=4, local_calls=1)
    day_counters.pool_add(pool_id=pool.pk, day=DAY, calls=2, local_calls=2)
    day_counters.pool_add(pool_id=pool.pk, day=DAY + dt.timedelta(days=1), calls=1, local_calls=0)
    rows = PoolDay.objects.filter(pool=pool).order_by("day").values_list("day", "calls", "local_calls")
    assert list(rows) == [(DAY, 6, 3), (DAY + dt.timedelta(days=1), 1, 0)]
