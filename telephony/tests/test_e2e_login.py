import pytest

from customers.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.e2e


def test_customer_logs_in_and_sees_the_menu(page, login):
    user = UserFactory(customer__name="Acme Telecom")
    login(user.email, TEST_PASSWORD)
    menu = page.locator("nav.sidebar")
    for item in ["Campaigns", "Distribution lists", "Numbers", "Number pools", "Apps", "Call tracking", "API tokens"]:
        assert menu.get_by_text(item, exact=True).is_visible()
    assert page.locator(".account").inner_text() == "Acme Telecom"
    page.get_by_role("link", name="API tokens").click()
    page.get_by_role("button", name="Issue a token").click()
    assert page.locator("#issued-token input").input_value().startswith("dt_")


def test_administrator_logs_in_to_the_admin(page, live_server):
    admin = UserFactory(customer=None, is_staff=True, is_superuser=True)
    page.goto("/admin/login/")
    page.fill("#id_username", admin.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    assert page.locator("#site-name").inner_text() == "Dialtone back-office"
    assert page.get_by_role("link", name="Customers", exact=True).first.is_visible()
