"""Screenshots of issue 18's pages (markup, DIDs tab, confirmations, duplicates, import phases).

Not collected by default (the name does not start with ``test_``); run it by
path to refresh docs/screenshots/:

    .venv/bin/pytest telephony/tests/screenshots_issue18.py
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from customers.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def shot(page):
    page.set_viewport_size({"width": 1280, "height": 820})

    def take(name: str, **kwargs):
        OUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUT / name), **kwargs)

    return take


def customer_login(page, login):
    user = UserFactory(customer__name="Acme Ltd")
    login(user.email, TEST_PASSWORD)
    return user


def admin_login(page):
    admin = UserFactory(customer=None, is_staff=True, is_superuser=True)
    page.goto("/admin/login/")
    page.fill("#id_username", admin.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")


def test_markup_and_duplicates_and_phases(page, login, shot, tmp_path):
    from distribution_lists import services
    from distribution_lists.models import DistributionList
    from distribution_lists.tests.factories import DistributionListFactory
    from telephony.imports.models import ImportJob

    user = customer_login(page, login)
    path = tmp_path / "spring-customers.csv"
    names = ["Olivia Brown", "Jack Wilson", "Amelia Taylor", "Harry Davies", "Isla Evans", "George Thomas"]
    rows = ["order_id,name,phone,delivery_date"]
    for n in range(40):
        phone = f"07400 1{n:05d}" if n not in (7, 19, 33) else f"+44 7400 1{n - 5:05d}"
        rows.append(f"A-{1000 + n},{names[n % len(names)]},{phone},2026-12-{10 + n % 18:02d}")
    path.write_text("\n".join(rows) + "\n")
    page.goto("/distribution-lists/")
    page.fill("#id_name", "Spring customers")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="Upload and mark up").click()
    expect(page.locator("#preview th.phone-column")).to_have_attribute("data-column", "2")
    shot("markup.png", full_page=True)

    page.select_option("#id_default_region", "GB")
    distribution_list = DistributionList.objects.get(name="Spring customers")
    page.get_by_role("button", name="Save and import").click()
    services.distribution_list_import(list_id=distribution_list.pk)
    page.goto(f"/distribution-lists/{distribution_list.pk}/?tab=duplicates")
    expect(page.locator("#duplicate-rows tbody tr")).to_have_count(3)
    shot("duplicates-tab.png", full_page=True)

    importing = DistributionListFactory(
        customer=user.customer,
        name="Autumn leads",
        job__original_filename="autumn-leads.xlsx",
        job__file_kind="xlsx",
        status=DistributionList.Status.PROCESSING,
        job__phase=ImportJob.Phase.SAVING,
        job__rows_read=1_000_000,
        job__rows_total=1_000_000,
        job__rows_to_save=1_000_000,
        job__rows_saved=450_000,
    )
    page.goto(f"/distribution-lists/{importing.pk}/")
    shot("import-phases.png")


def test_launch_confirmation(page, login, shot):
    from campaigns.tests.factories import make_campaign

    user = customer_login(page, login)
    campaign = make_campaign(user.customer, name="Spring sale", lines=10)
    campaign.distribution_list.name = "Spring customers"
    campaign.distribution_list.correct_count = 1240
    campaign.distribution_list.save()
    page.goto(f"/campaigns/{campaign.pk}/")
    page.get_by_role("button", name="Launch").click()
    expect(page.locator("#confirm-dialog")).to_be_visible()
    shot("launch-confirm.png")


def test_admin_dids_tab_and_deactivation(page, shot):
    from dids.tests.factories import AssignedDIDFactory, ClientPackageFactory, DIDFactory, OperatorFactory

    operator = OperatorFactory(name="Bristol Telecom")
    cp = ClientPackageFactory(
        customer__name="Acme Ltd", package__name="Gold", package__did_limit=20, package__allowed_tags=["gold"]
    )
    for n in range(4):
        AssignedDIDFactory(client_package=cp, number=f"+4411740930{n:02d}", tag="gold", operator=operator)
    for n in range(62):
        DIDFactory(number=f"+4411740920{n:02d}", tag="gold", operator=operator)
    DIDFactory.create_batch(8, tag="silver", operator=operator)
    # The admin's app list folded away: the picker is what the picture is about.
    page.add_init_script("localStorage.setItem('django.admin.navSidebarIsOpen', 'false')")
    admin_login(page)
    page.goto(f"/admin/customers/customer/{cp.customer.pk}/change/")
    page.click("#customer-dids-tab")
    for n in range(3):
        page.check(f"text=+4411740920{n:02d}")
    shot("dids-tab.png", full_page=True)

    page.goto(f"/admin/customers/customer/{cp.customer.pk}/change/")
    page.get_by_role("link", name="Deactivate (DIDs to Hold)…").click()
    shot("deactivate-confirm.png")


def test_did_history(page, shot):
    from dids import services
    from dids.tests.factories import ClientPackageFactory, DIDFactory

    cp = ClientPackageFactory(customer__name="Acme Ltd", customer__time_zone="Asia/Tokyo", package__name="Gold")
    did = services.did_assign(did=DIDFactory(number="+441174092000"), client_package=cp)
    services.client_package_deactivate(client_package=cp)
    page.add_init_script("localStorage.setItem('django.admin.navSidebarIsOpen', 'false')")
    admin_login(page)
    page.goto(f"/admin/dids/did/{did.pk}/history/")
    shot("did-history.png")
