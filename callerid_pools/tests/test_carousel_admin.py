"""The pool admin: list and filters, add, members (search, add several, remove, reorder), add from file."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from callerid_pools.models import IncorrectReason, NumberPool, PoolType
from callerid_pools.services import pool_members_add
from callerid_pools.tests.factories import GlobalNumberPoolFactory, NumberPoolFactory
from customers.tests.factories import CustomerFactory
from dids.models import DIDStatus
from dids.tests.factories import AssignedDIDFactory, ClientPackageFactory, DIDFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def numbers(pool):
    return list(pool.members.order_by("position").values_list("did__number", flat=True))


def test_list_filters_and_search(admin_client, django_assert_max_num_queries):
    acme = CustomerFactory(name="Acme")
    NumberPoolFactory(name="Acme sales", customer=acme, pool_type=PoolType.RANDOM)
    NumberPoolFactory(name="Other sales")
    GlobalNumberPoolFactory(name="Platform")
    url = reverse("admin:callerid_pools_numberpool_changelist")
    with django_assert_max_num_queries(12):
        html = admin_client.get(url).content.decode()
    assert "Add from file" in html
    assert all(name in html for name in ("Acme sales", "Other sales", "Platform"))

    def names(query):
        return {p.name for p in admin_client.get(url + query).context["cl"].result_list}

    assert names("?is_global__exact=1") == {"Platform"}
    assert names(f"?customer__id__exact={acme.pk}") == {"Acme sales"}
    assert names("?pool_type__exact=random") == {"Acme sales"}
    assert names("?q=sales") == {"Acme sales", "Other sales"}


def test_add_pool_and_owner_rules(admin_client):
    acme = CustomerFactory()
    url = reverse("admin:callerid_pools_numberpool_add")
    response = admin_client.post(
        url, {"name": "Both", "pool_type": "sequential", "customer": acme.pk, "is_global": "on"}
    )
    assert response.status_code == 200
    assert "A global pool belongs to no customer" in response.content.decode()
    response = admin_client.post(url, {"name": "Acme pool", "pool_type": "sequential", "customer": acme.pk})
    assert response.status_code == 302
    assert NumberPool.objects.get(name="Acme pool").customer == acme
    response = admin_client.post(url, {"name": "Acme pool", "pool_type": "random", "customer": acme.pk})
    assert response.status_code == 200
    assert "already has a pool with this name" in response.content.decode()


def test_pool_page_search_add_several_remove_and_reorder(admin_client, django_assert_max_num_queries):
    pool = NumberPoolFactory()
    package = ClientPackageFactory(customer=pool.customer)
    dids = [AssignedDIDFactory(client_package=package, locality="Bristol") for _ in range(3)]
    outsider = AssignedDIDFactory(locality="Bristol")
    eligible = reverse("admin:callerid_pools_numberpool_eligible", args=[pool.pk])
    found = admin_client.get(eligible, {"q": "Bristol"}).json()["results"]
    assert {r["number"] for r in found} == {d.number for d in dids}  # not the outsider
    assert outsider.number not in str(found)
    digits = dids[1].number[-4:]
    assert [r["number"] for r in admin_client.get(eligible, {"q": digits}).json()["results"]] == [dids[1].number]

    add = reverse("admin:callerid_pools_numberpool_members_add", args=[pool.pk])
    admin_client.post(add, {"did": [dids[2].pk, dids[0].pk, dids[1].pk]})
    assert numbers(pool) == [dids[2].number, dids[0].number, dids[1].number]
    # Added ones are no longer offered.
    assert admin_client.get(eligible).json()["results"] == []
    refused = admin_client.post(add, {"did": [outsider.pk]}, follow=True)
    assert "is not a DID of" in refused.content.decode()

    page = reverse("admin:callerid_pools_numberpool_change", args=[pool.pk])
    with django_assert_max_num_queries(14):
        html = admin_client.get(page).content.decode()
    assert 'Correct numbers (<span id="correct-count">3</span>)' in html

    last = pool.members.get(position=3)
    admin_client.post(
        reverse("admin:callerid_pools_numberpool_member_move", args=[pool.pk, last.pk]), {"to_position": "1"}
    )
    assert numbers(pool) == [dids[1].number, dids[2].number, dids[0].number]
    bad = admin_client.post(
        reverse("admin:callerid_pools_numberpool_member_move", args=[pool.pk, last.pk]),
        {"to_position": "x"},
        follow=True,
    )
    assert "is not a position" in bad.content.decode()

    remove = reverse("admin:callerid_pools_numberpool_members_remove", args=[pool.pk])
    admin_client.post(remove, {"member": [pool.members.get(position=2).pk]})
    assert numbers(pool) == [dids[1].number, dids[0].number]


def test_add_from_file_markup_tabs_and_fix(admin_client):
    acme = CustomerFactory(name="Acme")
    package = ClientPackageFactory(customer=acme)
    own = [AssignedDIDFactory(client_package=package, number=f"+4411740900{i:02d}") for i in range(3)]
    csv = b"phone,who\n01174090000,a\n+441174090001,b\nwrong,c\n+441174090001,d\n"
    step1 = admin_client.post(
        reverse("admin:callerid_pools_numberpool_upload"),
        {"name": "From file", "pool_type": "sequential", "customer": acme.pk, "file": SimpleUploadedFile("n.csv", csv)},
    )
    assert step1.status_code == 302
    markup_url = step1["Location"]
    page = admin_client.get(markup_url)
    assert page.context["form"].initial["has_header"] is True
    assert "01174090000" in page.content.decode()
    saved = admin_client.post(markup_url, {"has_header": "on", "phone_column": "0", "default_region": "GB"})
    pool = NumberPool.objects.get(name="From file")
    assert saved.status_code == 302 and "tab=incorrect" in saved["Location"]
    assert numbers(pool) == [own[0].number, own[1].number]
    reasons = dict(pool.incorrect_numbers.values_list("raw", "reason"))
    assert reasons == {"wrong": IncorrectReason.NOT_A_NUMBER, "+441174090001": IncorrectReason.DUPLICATE}
    html = admin_client.get(saved["Location"]).content.decode()
    assert re.search(r'Incorrect numbers \(<span id="incorrect-count">2</span>\)', html)

    wrong = pool.incorrect_numbers.get(raw="wrong")
    fix = reverse("admin:callerid_pools_numberpool_incorrect_fix", args=[pool.pk, wrong.pk])
    still = admin_client.post(fix, {"raw": "nope"}, headers={"x-requested-with": "fetch"}).json()
    assert still == {"ok": False, "raw": "nope", "reason": "Not a number", "message": still["message"]}
    fixed = admin_client.post(fix, {"raw": "0117 409 0002"}, headers={"x-requested-with": "fetch"}).json()
    assert fixed["ok"] and fixed["member"]["number"] == own[2].number and fixed["member"]["position"] == 3
    assert numbers(pool) == [o.number for o in own]
    assert not pool.incorrect_numbers.filter(pk=wrong.pk).exists()
    # The upload is spent: its markup page sends the user back to step 1.
    again = admin_client.get(markup_url, follow=True)
    assert "expired or was already saved" in again.content.decode()


def test_upload_step_one_refuses_bad_files_and_owners(admin_client):
    url = reverse("admin:callerid_pools_numberpool_upload")
    pdf = SimpleUploadedFile("n.xls", b"%PDF-1.4 not a sheet")
    response = admin_client.post(url, {"name": "X", "pool_type": "sequential", "is_global": "on", "file": pdf})
    assert response.status_code == 200
    assert "not a CSV, text or spreadsheet file" in response.content.decode()
    odd = SimpleUploadedFile("n.pdf", b"+441174090000\n")
    response = admin_client.post(url, {"name": "X", "pool_type": "sequential", "is_global": "on", "file": odd})
    assert "n.pdf is a .pdf file; upload a CSV, TXT, TSV, XLS, XLSX or ODS file." in response.content.decode()
    response = admin_client.post(
        url, {"name": "X", "pool_type": "sequential", "file": SimpleUploadedFile("n.csv", b"+441174090000\n")}
    )
    assert "Choose the customer this pool belongs to" in response.content.decode()
    assert not NumberPool.objects.exists()


def test_global_pool_page_offers_reserved_platform_dids(admin_client):
    pool = GlobalNumberPoolFactory()
    reserved = DIDFactory(status=DIDStatus.RESERVED)
    DIDFactory()
    found = admin_client.get(reverse("admin:callerid_pools_numberpool_eligible", args=[pool.pk])).json()["results"]
    assert [r["number"] for r in found] == [reserved.number]
    pool_members_add(pool=pool, dids=[reserved])
    response = admin_client.post(
        reverse("admin:callerid_pools_numberpool_change", args=[pool.pk]),
        {"name": pool.name, "pool_type": "sequential", "customer": CustomerFactory().pk},
    )
    assert "remove them before changing" in response.content.decode()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/pools/numberpool/7/change/?x=1", "/admin/callerid_pools/numberpool/7/change/?x=1"),
        ("/admin/pools/numberpool/", "/admin/callerid_pools/numberpool/"),
        ("/admin/pools/trackingpool/3/change/", "/admin/call_tracking/trackingpool/3/change/"),
        ("/admin/pools/dnisession/", "/admin/call_tracking/dnisession/"),
    ],
)
def test_the_admin_addresses_of_before_the_split_redirect_to_the_new_apps(client, old, new):
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (301, new)
