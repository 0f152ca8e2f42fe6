"""Who may join a pool, the owner rules, and the order of members."""

import re

import pytest
from django.db import IntegrityError, transaction

from callerid_pools.models import NumberPool, NumberPoolMember, PoolType
from callerid_pools.services import (
    PoolError,
    number_pool_create,
    number_pool_update,
    pool_member_move,
    pool_members_add,
    pool_members_remove,
    pool_members_reorder,
)
from callerid_pools.tests.factories import GlobalNumberPoolFactory, NumberPoolFactory
from customers.tests.factories import CustomerFactory
from dids.models import DIDStatus
from dids.services import client_package_deactivate
from dids.tests.factories import AssignedDIDFactory, ClientPackageFactory, DIDFactory

pytestmark = pytest.mark.django_db


def numbers(pool):
    return list(pool.members.order_by("position").values_list("did__number", flat=True))


def test_customer_pool_takes_only_the_customers_dids():
    pool = NumberPoolFactory()
    package = ClientPackageFactory(customer=pool.customer)
    own = AssignedDIDFactory(client_package=package)
    other_customers = AssignedDIDFactory()
    in_stock = DIDFactory()
    pool_members_add(pool=pool, dids=[own])
    assert numbers(pool) == [own.number]
    for did in (other_customers, in_stock):
        with pytest.raises(PoolError, match=re.escape(f"{did.number} is not a DID of {pool.customer}")):
            pool_members_add(pool=pool, dids=[did])
    assert numbers(pool) == [own.number]


def test_one_refused_did_refuses_the_whole_batch():
    pool = NumberPoolFactory()
    package = ClientPackageFactory(customer=pool.customer)
    good = AssignedDIDFactory(client_package=package)
    bad = DIDFactory()
    with pytest.raises(PoolError, match=re.escape(bad.number)):
        pool_members_add(pool=pool, dids=[good, bad])
    assert not pool.members.exists()


def test_global_pool_takes_only_reserved_platform_dids():
    pool = GlobalNumberPoolFactory()
    reserved = DIDFactory(status=DIDStatus.RESERVED)
    pool_members_add(pool=pool, dids=[reserved])
    for did in (DIDFactory(), AssignedDIDFactory()):
        with pytest.raises(PoolError, match=re.escape(f"{did.number} is not a platform DID")):
            pool_members_add(pool=pool, dids=[did])
    assert numbers(pool) == [reserved.number]


def test_a_did_joins_a_pool_once_service_and_database():
    pool = GlobalNumberPoolFactory()
    did = DIDFactory(status=DIDStatus.RESERVED)
    pool_members_add(pool=pool, dids=[did])
    with pytest.raises(PoolError, match="already in pool"):
        pool_members_add(pool=pool, dids=[did])
    with pytest.raises(IntegrityError), transaction.atomic():
        NumberPoolMember.objects.create(pool=pool, did=did, position=2)


def test_a_held_did_of_the_customer_may_join():
    pool = NumberPoolFactory()
    package = ClientPackageFactory(customer=pool.customer)
    did = AssignedDIDFactory(client_package=package)
    client_package_deactivate(client_package=package)
    pool_members_add(pool=pool, dids=[did])
    assert numbers(pool) == [did.number]


def test_owner_is_a_customer_or_global_never_both():
    customer = CustomerFactory()
    with pytest.raises(PoolError, match="Choose the customer"):
        number_pool_create(name="Nobody's", pool_type=PoolType.SEQUENTIAL)
    with pytest.raises(PoolError, match="global pool belongs to no customer"):
        number_pool_create(name="Both", customer=customer, is_global=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        NumberPool.objects.create(name="Both", customer=customer, is_global=True)


def test_names_unique_per_owner():
    first, second = CustomerFactory(), CustomerFactory()
    number_pool_create(name="Sales", customer=first)
    number_pool_create(name="Sales", customer=second)
    number_pool_create(name="Sales", is_global=True)
    with pytest.raises(PoolError, match="customer already has a pool with this name"):
        number_pool_create(name="Sales", customer=first)
    with pytest.raises(PoolError, match="A global pool with this name already exists"):
        number_pool_create(name="Sales", is_global=True)
    with pytest.raises(PoolError, match="not a valid choice"):
        number_pool_create(name="Odd", pool_type="roundrobin", customer=first)


def test_owner_cannot_change_while_the_pool_has_members():
    pool = NumberPoolFactory()
    package = ClientPackageFactory(customer=pool.customer)
    pool_members_add(pool=pool, dids=[AssignedDIDFactory(client_package=package)])
    with pytest.raises(PoolError, match="remove them before changing"):
        number_pool_update(pool=pool, customer=CustomerFactory())
    number_pool_update(pool=pool, name="Renamed", pool_type=PoolType.RANDOM)
    pool.refresh_from_db()
    assert (pool.name, pool.pool_type) == ("Renamed", PoolType.RANDOM)


def make_pool_of(n):
    pool = GlobalNumberPoolFactory()
    dids = [DIDFactory(status=DIDStatus.RESERVED) for _ in range(n)]
    pool_members_add(pool=pool, dids=dids)
    return pool, [d.number for d in dids]


def test_members_are_appended_in_order_and_reordered():
    pool, nums = make_pool_of(4)
    assert numbers(pool) == nums
    members = list(pool.members.order_by("position"))
    pool_members_reorder(pool=pool, member_ids=[m.pk for m in reversed(members)])
    assert numbers(pool) == nums[::-1]
    assert list(pool.members.order_by("position").values_list("position", flat=True)) == [1, 2, 3, 4]


def test_reorder_must_name_every_member_once():
    pool, _ = make_pool_of(3)
    ids = list(pool.members.values_list("pk", flat=True))
    with pytest.raises(PoolError, match="exactly once"):
        pool_members_reorder(pool=pool, member_ids=ids[:2])
    with pytest.raises(PoolError, match="twice"):
        pool_members_reorder(pool=pool, member_ids=[ids[0], ids[0], ids[1]])


def test_move_and_remove_keep_positions_contiguous():
    pool, nums = make_pool_of(4)
    last = pool.members.get(position=4)
    pool_member_move(member=last, to_position=1)
    assert numbers(pool) == [nums[3], nums[0], nums[1], nums[2]]
    with pytest.raises(PoolError, match="outside 1–4"):
        pool_member_move(member=last, to_position=9)
    removed = pool_members_remove(pool=pool, member_ids=[pool.members.get(position=2).pk])
    assert removed == 1
    assert numbers(pool) == [nums[3], nums[1], nums[2]]
    assert list(pool.members.order_by("position").values_list("position", flat=True)) == [1, 2, 3]
