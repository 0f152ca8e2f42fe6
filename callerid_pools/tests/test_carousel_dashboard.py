"""The customer's Number pools page: own and global pools, read-only, with members' state."""

import pytest
from django.urls import reverse

from callerid_pools.services import pool_members_add
from callerid_pools.tests.factories import GlobalNumberPoolFactory, NumberPoolFactory
from customers.tests.factories import CustomerFactory
from dids.models import DIDStatus
from dids.services import client_package_deactivate
from dids.tests.factories import AssignedDIDFactory, ClientPackageFactory, DIDFactory

pytestmark = pytest.mark.django_db


def own_pool(customer, name, n=2, held=0):
    pool = NumberPoolFactory(customer=customer, name=name)
    package = ClientPackageFactory(customer=customer)
    dids = [AssignedDIDFactory(client_package=package) for _ in range(n)]
    held_package = ClientPackageFactory(customer=customer)
    held_dids = [AssignedDIDFactory(client_package=held_package) for _ in range(held)]
    pool_members_add(pool=pool, dids=dids + held_dids)
    if held:
        client_package_deactivate(client_package=held_package)
    return pool, dids, held_dids


def test_list_shows_own_and_global_pools_not_others(customer_client, customer, django_assert_max_num_queries):
    own_pool(customer, "Ours", n=2, held=1)
    for i in range(3):
        own_pool(customer, f"More {i}")
    glob = GlobalNumberPoolFactory(name="Shared")
    pool_members_add(pool=glob, dids=[DIDFactory(status=DIDStatus.RESERVED)])
    own_pool(CustomerFactory(), "Theirs")
    with django_assert_max_num_queries(6):
        response = customer_client.get(reverse("dashboard:number_pools"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ours" in html and "Shared" in html and "More 2" in html
    assert "Theirs" not in html
    ours = response.context["pools"][[p.name for p in response.context["pools"]].index("Ours")]
    assert (ours.member_count, ours.usable_count) == (3, 2)


def test_pool_page_shows_members_and_their_state(customer_client, customer, django_assert_max_num_queries):
    pool, dids, held = own_pool(customer, "Ours", n=3, held=1)
    with django_assert_max_num_queries(8):  # 6, and 2 for the compliance facts (policy, local share)
        response = customer_client.get(reverse("dashboard:number_pool", kwargs={"pool_id": pool.pk}))
    html = response.content.decode()
    for did in dids + held:
        assert did.number in html
    assert "skipped: on hold" in html
    assert response.context["usable"] == 3


def test_global_pool_page_is_readable_another_customers_is_not(customer_client):
    glob = GlobalNumberPoolFactory(name="Shared")
    pool_members_add(pool=glob, dids=[DIDFactory(status=DIDStatus.RESERVED)])
    assert customer_client.get(reverse("dashboard:number_pool", kwargs={"pool_id": glob.pk})).status_code == 200
    theirs, *_ = own_pool(CustomerFactory(), "Theirs")
    assert customer_client.get(reverse("dashboard:number_pool", kwargs={"pool_id": theirs.pk})).status_code == 404


def test_menu_item_lights_up(customer_client):
    response = customer_client.get(reverse("dashboard:number_pools"))
    assert 'href="/number-pools/"' in response.content.decode()
