import pytest

from customers.tests.factories import TEST_PASSWORD, UserFactory
from dids.models import DID, DIDStatus
from dids.tests.factories import ClientPackageFactory, DIDFactory, OperatorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_adds_a_range_and_assigns_dids_to_a_customer(page):
    admin = UserFactory(customer=None, is_staff=True, is_superuser=True)
    OperatorFactory(name="Bristol Telecom")
    cp = ClientPackageFactory(customer__name="Acme Ltd", package__name="Starter", package__did_limit=3)
    page.goto("/admin/login/")
    page.fill("#id_username", admin.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")

    page.goto("/admin/dids/did/")
    page.locator(".object-tools a.addlink").click()
    page.fill("#id_numbers", "+441174090100-+441174090109")
    page.select_option("#id_operator", label="Bristol Telecom")
    page.click("input[name=_save]")
    assert "10 created" in page.locator("#add-result").inner_text().replace("\n", " ")
    # The same range again: each number reported as existing.
    page.fill("#id_numbers", "+441174090108-+441174090111")
    page.select_option("#id_operator", label="Bristol Telecom")
    page.click("input[name=_save]")
    assert page.locator("#existing-numbers li").all_inner_texts() == ["+441174090108", "+441174090109"]

    page.goto(f"/admin/customers/customer/{cp.customer.pk}/change/")
    assert page.locator("#client_packages-group").get_by_text("0 / 3").is_visible()
    page.click("#customer-dids-tab")
    page.fill("#id_q", "40901")
    page.click("#stock-search input[type=submit]")
    page.check("text=+441174090100")
    page.check("text=+441174090101")
    assert "room for 3" in page.content()
    page.click("#assign-form input[type=submit]")
    assert "2 DID(s) assigned to Acme Ltd" in page.locator(".messagelist").inner_text()
    assert page.locator("#customer-dids").get_by_text("+441174090100").is_visible()
    assert page.locator("#client-packages td.room").inner_text() == "1"
    assert list(
        DID.objects.filter(customer=cp.customer, status=DIDStatus.ASSIGNED)
        .order_by("number")
        .values_list("number", flat=True)
    ) == ["+441174090100", "+441174090101"]


def admin_login(page):
    admin = UserFactory(customer=None, is_staff=True, is_superuser=True)
    page.goto("/admin/login/")
    page.fill("#id_username", admin.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")


def test_dids_tab_picker_offers_only_what_the_package_allows_with_search_filters_pages_and_select_all(page):
    from playwright.sync_api import expect

    cp = ClientPackageFactory(
        customer__name="Acme Ltd", package__name="Gold", package__did_limit=12, package__allowed_tags=["gold"]
    )
    gold = [DIDFactory(number=f"+4411740920{n:02d}", tag="gold") for n in range(55)]
    DIDFactory.create_batch(5, tag="silver")
    DIDFactory(number="+12025550100", iso_country="US", area_code="202", locality="Washington", tag="gold")
    admin_login(page)
    page.goto(f"/admin/customers/customer/{cp.customer.pk}/change/")
    page.click("#customer-dids-tab")

    rows = page.locator("#stock tbody tr")
    # Only the gold DIDs, 50 a page: 56 match, the silver ones are not offered.
    expect(page.locator("#did-picker .help")).to_contain_text("Only the tags Gold allows are offered: gold.")
    expect(page.locator("#did-picker .help")).to_contain_text("56 In Stock DIDs match.")
    expect(rows).to_have_count(50)
    expect(page.locator("#stock")).not_to_contain_text("silver")
    expect(page.locator("#stock-pages")).to_contain_text("Page 1 of 2")
    expect(page.locator("#assign-room")).to_have_text("0 selected · room for 12 more in Gold")
    expect(page.locator("#assign-button")).to_be_disabled()

    # Select-all takes the page; 50 do not fit in a room of 12, and the button says so.
    page.check("#pick-all")
    expect(page.locator("#picked-count")).to_have_text("50")
    expect(page.locator("#assign-button")).to_be_disabled()
    expect(page.locator("#assign-button")).to_have_attribute("title", "Only 12 more fit in this package.")
    page.uncheck("#pick-all")
    expect(page.locator("#picked-count")).to_have_text("0")

    # The second page, then a filter by country, then a search by digits (the filters are kept across pages).
    page.locator("#stock-pages a", has_text="Next").click()
    expect(page.locator("#stock-pages")).to_contain_text("Page 2 of 2")
    expect(rows).to_have_count(6)
    page.fill("#id_iso_country", "US")
    page.click("#stock-search input[type=submit]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("+12025550100")
    page.fill("#id_iso_country", "")
    page.fill("#id_q", "409201")
    page.click("#stock-search input[type=submit]")
    expect(rows).to_have_count(10)
    expect(page.locator("#stock-pages")).to_contain_text("Page 1 of 1")

    # Ten fit: select all, one box off, the count follows and Assign takes them.
    page.check("#pick-all")
    page.uncheck(f"#pick-{gold[19].pk}")
    expect(page.locator("#picked-count")).to_have_text("9")
    expect(page.locator("#pick-all")).to_have_js_property("indeterminate", True)
    expect(page.locator("#assign-button")).to_be_enabled()
    page.click("#assign-button")
    expect(page.locator(".messagelist")).to_contain_text("9 DID(s) assigned to Acme Ltd")
    expect(page.locator("#client-packages td.room")).to_have_text("3")
    expect(page.locator("#assign-room")).to_have_text("0 selected · room for 3 more in Gold")
    assert DID.objects.filter(customer=cp.customer, status=DIDStatus.ASSIGNED).count() == 9


def test_deactivating_a_package_asks_first_saying_how_many_numbers_go_on_hold(page):
    from playwright.sync_api import expect

    from dids.tests.factories import AssignedDIDFactory

    cp = ClientPackageFactory(customer__name="Acme Ltd", package__name="Starter", package__hold_days=30)
    dids = [AssignedDIDFactory(client_package=cp, number=f"+4411740930{n:02d}") for n in range(3)]
    admin_login(page)
    page.goto(f"/admin/customers/customer/{cp.customer.pk}/change/")
    page.get_by_role("link", name="Deactivate (DIDs to Hold)…").click()

    expect(page.locator("#deactivate-effect")).to_contain_text("3 numbers will go on hold")
    expect(page.locator("#content-main li")).to_contain_text("Starter of Acme Ltd: 3 numbers on hold for 30 days")
    # Changing one's mind changes nothing.
    page.get_by_role("link", name="No, keep it active").click()
    expect(page).to_have_url(f"/admin/customers/customer/{cp.customer.pk}/change/")
    cp.refresh_from_db()
    assert cp.active

    page.get_by_role("link", name="Deactivate (DIDs to Hold)…").click()
    page.get_by_role("button", name="Yes, deactivate and put 3 numbers on hold").click()
    expect(page.locator(".messagelist")).to_contain_text("Starter of Acme Ltd deactivated; 3 DID(s) in Hold")
    cp.refresh_from_db()
    assert not cp.active
    assert {d.status for d in DID.objects.filter(pk__in=[d.pk for d in dids])} == {DIDStatus.HOLD}


def test_bulk_deactivation_asks_first_too(page):
    from playwright.sync_api import expect

    from dids.tests.factories import AssignedDIDFactory

    first = ClientPackageFactory(customer__name="Acme Ltd", package__name="Starter")
    second = ClientPackageFactory(customer__name="Bolt plc", package__name="Pro")
    AssignedDIDFactory(client_package=first)
    AssignedDIDFactory.create_batch(2, client_package=second)
    admin_login(page)
    page.goto("/admin/dids/clientpackage/")
    page.check(f"input[name=_selected_action][value='{first.pk}']")
    page.check(f"input[name=_selected_action][value='{second.pk}']")
    page.select_option("select[name=action]", "deactivate_selected")
    page.click("button[name=index]")
    expect(page.locator("#deactivate-effect")).to_contain_text("3 numbers will go on hold")
    page.get_by_role("button", name="Yes, deactivate and put 3 numbers on hold").click()
    expect(page.locator(".messagelist")).to_contain_text("Pro of Bolt plc deactivated; 2 DID(s) in Hold")
    assert DID.objects.filter(status=DIDStatus.HOLD).count() == 3
