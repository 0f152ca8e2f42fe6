"""The carousel: order, wrap-around, skipping unusable members, the empty-pool error."""

from collections import Counter

import pytest

from callerid_pools.models import PoolType
from callerid_pools.services import NoUsableNumber, pool_members_add, pool_next_number
from callerid_pools.tests.factories import GlobalNumberPoolFactory, NumberPoolFactory
from dids.models import DIDStatus
from dids.services import client_package_deactivate, did_release
from dids.tests.factories import AssignedDIDFactory, ClientPackageFactory, DIDFactory

pytestmark = pytest.mark.django_db


def customer_pool(n, pool_type=PoolType.SEQUENTIAL):
    pool = NumberPoolFactory(pool_type=pool_type)
    package = ClientPackageFactory(customer=pool.customer)
    dids = [AssignedDIDFactory(client_package=package) for _ in range(n)]
    pool_members_add(pool=pool, dids=dids)
    return pool, dids


def draws(pool, n):
    return [pool_next_number(pool=pool).number for _ in range(n)]


def test_sequential_follows_pool_order_and_wraps():
    pool, dids = customer_pool(3)
    # Pool order, not creation order.
    members = list(pool.members.order_by("position"))
    from callerid_pools.services import pool_members_reorder

    pool_members_reorder(pool=pool, member_ids=[members[2].pk, members[0].pk, members[1].pk])
    expected = [dids[2].number, dids[0].number, dids[1].number]
    assert draws(pool, 7) == expected * 2 + expected[:1]


def test_sequential_skips_held_and_released_members():
    pool = NumberPoolFactory()
    kept_package = ClientPackageFactory(customer=pool.customer)
    held_package = ClientPackageFactory(customer=pool.customer)
    a = AssignedDIDFactory(client_package=kept_package)
    held = AssignedDIDFactory(client_package=held_package)
    b = AssignedDIDFactory(client_package=kept_package)
    released = AssignedDIDFactory(client_package=kept_package)
    pool_members_add(pool=pool, dids=[a, held, b, released])
    assert draws(pool, 4) == [a.number, held.number, b.number, released.number]
    client_package_deactivate(client_package=held_package)
    did_release(did=released)
    assert draws(pool, 4) == [a.number, b.number, a.number, b.number]


def test_global_pool_skips_members_no_longer_reserved():
    pool = GlobalNumberPoolFactory()
    first, second = DIDFactory(status=DIDStatus.RESERVED), DIDFactory(status=DIDStatus.RESERVED)
    pool_members_add(pool=pool, dids=[first, second])
    second.status = DIDStatus.IN_STOCK
    second.save()
    assert draws(pool, 3) == [first.number] * 3


@pytest.mark.parametrize("pool_type", [PoolType.SEQUENTIAL, PoolType.RANDOM])
def test_no_usable_member_raises_the_platform_cause(pool_type):
    empty = NumberPoolFactory(pool_type=pool_type)
    with pytest.raises(NoUsableNumber, match="no usable number") as caught:
        pool_next_number(pool=empty)
    assert caught.value.cause_code == "P01"
    assert caught.value.pool == empty
    pool, dids = customer_pool(2, pool_type)
    package = dids[0].client_package
    client_package_deactivate(client_package=package)
    with pytest.raises(NoUsableNumber):
        pool_next_number(pool=pool)


def test_no_usable_number_is_the_dialers_cause():
    from campaigns.causes import CAUSES

    assert CAUSES[NoUsableNumber.cause_code].title == "No usable A-number"


def test_random_draws_only_usable_members_and_reaches_each():
    pool, dids = customer_pool(4, PoolType.RANDOM)
    held_package = ClientPackageFactory(customer=pool.customer)
    held = AssignedDIDFactory(client_package=held_package)
    pool_members_add(pool=pool, dids=[held])
    client_package_deactivate(client_package=held_package)
    seen = Counter(draws(pool, 400))
    assert set(seen) == {d.number for d in dids}
    # The random carousel does not move the shared counter.
    pool.refresh_from_db()
    assert pool.cursor == 0


def test_draw_counter_lives_in_the_database():
    pool, dids = customer_pool(3)
    draws(pool, 2)
    # A fresh instance (another worker) continues the same sequence.
    from callerid_pools.models import NumberPool

    assert pool_next_number(pool=NumberPool.objects.get(pk=pool.pk)).number == dids[2].number
