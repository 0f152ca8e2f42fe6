import os

import pytest

from customers.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.e2e

SCREENSHOT = os.environ.get("LOCKOUT_SCREENSHOT", "")


def test_a_locked_out_user_reads_how_long_to_wait_and_whom_to_ask(page, login):
    user = UserFactory(customer__name="Acme Telecom")
    for _ in range(5):
        login(user.email, "not the password")
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == "Too many failed log-ins"
    text = page.locator(".locked-out").inner_text()
    assert user.email in text and "15 minutes" in text and "administrator" in text
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT, full_page=True)
    # The right password now is refused too, with the same page; then the way back is offered.
    login(user.email, TEST_PASSWORD)
    assert page.locator("h1").inner_text() == "Too many failed log-ins"
    page.get_by_role("link", name="Back to the log-in page").click()
    assert page.url.endswith("/login/")
    assert page.locator("#id_username").is_visible()
