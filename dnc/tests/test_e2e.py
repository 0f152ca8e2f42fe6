"""In the browser: the do-not-call page — add, a wrong number named, upload with its report, search, remove."""

import pytest
from playwright.sync_api import expect

from customers.tests.factories import TEST_PASSWORD, CustomerFactory, UserFactory
from dnc.models import DncEntry, DncSource
from dnc.services import dnc_add
from dnc.upload import dnc_upload

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_add_upload_search_and_remove_in_the_browser(page, login, customer, screenshot, tmp_path):
    user = UserFactory(customer=customer)
    dnc_add(customer=customer, number="+447911100321", source=DncSource.OPT_OUT, comment="opt-out in campaign Spring")
    dnc_add(customer=None, number="+447911100999", source=DncSource.ADMIN)  # the platform's: not listed here
    login(user.email, TEST_PASSWORD)
    page.get_by_role("link", name="Do not call").click()
    assert page.locator("h1").inner_text() == "Do not call"

    page.fill("#id_number", "+44 7911 123456")
    page.get_by_role("button", name="Add").click()
    assert "+447911123456 will not be called." in page.locator(".message").inner_text()
    page.fill("#id_number", "+4412")
    page.get_by_role("button", name="Add").click()
    assert "'+4412' is too short for GB." in page.locator("#dnc-add").inner_text()

    upload = tmp_path / "numbers.csv"
    upload.write_text("+447911123001\nprefix:+44870\nnot a number\n+447911123456\n")
    page.set_input_files("#id_file", str(upload))
    page.get_by_role("button", name="Upload").click()
    assert page.locator("#dnc-report").inner_text() == "Added 2, already listed 1, incorrect 1."
    assert "not a number" in page.locator("#dnc-upload table").inner_text()
    assert "numbers.csv: Imported" in page.locator("#dnc-uploads").inner_text()
    listed = page.locator("#dnc-entries tbody tr td:first-child").all_inner_texts()
    assert "+44870*" in listed and not any("+447911100999" in text for text in listed)
    screenshot(page, "dnc")

    page.fill("input[name=q]", "870")
    page.get_by_role("button", name="Search").click()
    assert page.locator("#dnc-entries tbody tr").count() == 1
    assert "1 entry" in page.content()

    page.fill("input[name=q]", "")
    page.get_by_role("button", name="Search").click()
    page.locator("#dnc-entries tr", has_text="+447911123456").get_by_role("button", name="Remove").click()
    assert page.locator("#confirm-title").inner_text() == "Remove +447911123456?"
    page.click("#confirm-ok")
    assert "+447911123456 removed" in page.locator(".message").inner_text()
    assert not DncEntry.objects.filter(customer=customer, number="+447911123456").exists()
    assert set(DncEntry.objects.filter(customer=customer).values_list("number", flat=True)) == {
        "+447911100321",
        "+447911123001",
        "+44870",
    }


def test_a_national_number_by_hand_and_uploads_that_add_nothing_new(page, login, customer, screenshot, tmp_path):
    user = UserFactory(customer=customer)
    login(user.email, TEST_PASSWORD)
    page.goto("/do-not-call/")
    # Each form has its own country of national numbers, United Kingdom at first.
    expect(page.locator("#dnc-add select[name=default_region]")).to_have_value("GB")
    expect(page.locator("#dnc-upload select[name=default_region]")).to_have_value("GB")
    page.fill("#id_number", "07400 111224")
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".message")).to_have_text("+447400111224 will not be called.")
    page.fill("#id_number", "hello123")
    page.get_by_role("button", name="Add").click()
    expect(page.locator("#dnc-add")).to_contain_text("'hello123' is not a phone number (it contains letters).")
    screenshot(page, "dnc-add-word")

    upload = tmp_path / "dnc.csv"
    upload.write_text("+447400111223\n07400 111299\nprefix:+44870\n")
    for _ in range(2):
        page.set_input_files("#id_file", str(upload))
        page.get_by_role("button", name="Upload").click()
        expect(page.locator("#dnc-report")).to_be_visible()
    expect(page.locator("#dnc-uploads li").first).to_contain_text(
        "dnc.csv: Imported (0 added, 3 already listed, 0 incorrect)"
    )
    expect(page.locator("#dnc-uploads li").nth(1)).to_contain_text(
        "dnc.csv: Imported (3 added, 0 already listed, 0 incorrect)"
    )
    # A country with no name in the telephone library's data still shows one.
    page.select_option("#dnc-add select[name=default_region]", "XK")
    expect(page.locator("#dnc-add select[name=default_region] option:checked")).to_have_text("Kosovo (XK)")
    screenshot(page, "dnc-uploads-again")


def test_the_admins_uploads_list_fits_the_page(page, screenshot, tmp_path):
    customer = CustomerFactory(name="Demo Ltd")
    user = UserFactory(customer=customer, email="demo@example.com")
    (tmp_path / "dnc5.csv").write_text("number\n+442079460001\nnot-a-number\n")
    with (tmp_path / "dnc5.csv").open("rb") as upload:
        dnc_upload(customer=customer, upload=upload, filename="dnc5.csv", added_by=user)
    admin = UserFactory(customer=None, is_staff=True, is_superuser=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/admin/login/")
    page.fill("#id_username", admin.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.goto("/admin/dnc/dncupload/")
    screenshot(page, "admin-dnc-uploads")
    # Every column shows without scrolling the table sideways, the last one included.
    assert page.evaluate(
        "() => { const r = document.querySelector('#changelist .results'); return r.scrollWidth <= r.clientWidth; }"
    )
