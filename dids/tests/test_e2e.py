import pytest

from customers.tests.factories import TEST_PASSWORD, UserFactory
from dids.models import DID, DIDStatus
from dids.tests.factories import ClientPackageFactory, OperatorFactory

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
