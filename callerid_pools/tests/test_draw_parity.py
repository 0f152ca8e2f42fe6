"""``callerid_pools.draw`` behaves the same on SQLite and PostgreSQL.

Collected again under the integration mark by ``test_draw_parity_postgresql.py``.
"""

import pytest

from callerid_pools import draw
from callerid_pools.services import pool_members_add
from callerid_pools.tests.factories import GlobalNumberPoolFactory, NumberPoolFactory
from dids.models import DIDStatus
from dids.tests.factories import AssignedDIDFactory, ClientPackageFactory, DIDFactory

pytestmark = [pytest.mark.django_db]


def customer_pool(n):
    pool = NumberPoolFactory()
    package = ClientPackageFactory(customer=pool.customer)
    dids = [AssignedDIDFactory(client_package=package) for _ in range(n)]
    if dids:
        pool_members_add(pool=pool, dids=dids)
    return pool, dids


def test_positions_count_up_from_one_and_point_at_members_in_order():
    pool, dids = customer_pool(3)
    drawn = [draw.next_sequential(pool_id=pool.pk) for _ in range(4)]
    assert [d.position for d in drawn] == [1, 2, 3, 4]
    assert [d.did.number for d in drawn] == [dids[0].number, dids[1].number, dids[2].number, dids[0].number]
    assert all(isinstance(d, draw.Draw) for d in drawn)


def test_a_member_no_longer_the_customers_is_skipped_and_the_position_still_advances():
    pool, dids = customer_pool(2)
    other = AssignedDIDFactory()
    pool.members.create(did=other, position=3)
    drawn = [draw.next_sequential(pool_id=pool.pk) for _ in range(3)]
    assert [d.position for d in drawn] == [1, 2, 3]
    assert [d.did.number for d in drawn] == [dids[0].number, dids[1].number, dids[0].number]


def test_a_global_pool_draws_reserved_dids_without_customer():
    pool = GlobalNumberPoolFactory()
    reserved = [DIDFactory(status=DIDStatus.RESERVED) for _ in range(2)]
    pool_members_add(pool=pool, dids=reserved)
    assert [draw.next_sequential(pool_id=pool.pk).did.number for _ in range(3)] == [
        reserved[0].number,
        reserved[1].number,
        reserved[0].number,
    ]


def test_no_usable_member_is_a_position_without_did():
    pool, _dids = customer_pool(0)
    drawn = draw.next_sequential(pool_id=pool.pk)
    assert drawn.position == 1
    assert drawn.did is None


def test_a_missing_pool_is_missing_pool():
    assert draw.next_sequential(pool_id=987654) == draw.MISSING_POOL


def test_the_counter_continues_after_forget_from_the_pools_row():
    pool, _dids = customer_pool(2)
    draw.next_sequential(pool_id=pool.pk)
    draw.forget_counter(pool_id=pool.pk)
    # SQLite keeps counting in the row; PostgreSQL recreates the sequence from the row's cursor (0 here).
    assert draw.next_sequential(pool_id=pool.pk).did is not None


def test_the_drawn_did_is_a_full_did():
    pool, dids = customer_pool(1)
    did = draw.next_sequential(pool_id=pool.pk).did
    stored = type(did).objects.get(pk=did.pk)
    assert (did.created_at, did.assigned_at, did.unverified) == (
        stored.created_at,
        stored.assigned_at,
        stored.unverified,
    )
    assert (did.pk, did.number, did.status, did.customer_id) == (
        dids[0].pk,
        dids[0].number,
        DIDStatus.ASSIGNED,
        pool.customer_id,
    )


def test_a_random_draw_takes_only_usable_members_and_each_of_them():
    pool, dids = customer_pool(3)
    pool.members.create(did=AssignedDIDFactory(), position=4)  # no longer the customer's: never drawn
    drawn = {draw.next_random(pool_id=pool.pk).number for _ in range(200)}
    assert drawn == {did.number for did in dids}


def test_a_random_draw_from_a_global_pool_takes_its_reserved_dids():
    pool = GlobalNumberPoolFactory()
    reserved = DIDFactory(status=DIDStatus.RESERVED)
    pool_members_add(pool=pool, dids=[reserved])
    picked = draw.next_random(pool_id=pool.pk)
    assert picked == reserved
    assert picked.status == DIDStatus.RESERVED and picked.created_at == reserved.created_at


def test_a_random_draw_with_no_usable_member_or_no_pool_is_none():
    pool, _dids = customer_pool(0)
    assert draw.next_random(pool_id=pool.pk) is None
    assert draw.next_random(pool_id=pool.pk + 1000) is None
