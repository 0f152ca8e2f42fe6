"""The admin in a 1366 × 768 window, as the QA pass used it: tables fit beside the filter panel, recordings play,
and no page asks for something that is not there (the /favicon.ico every page asked for)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaigns import services
from campaigns.models import CallJob
from campaigns.tests.factories import make_campaign
from campaigns.tests.report_data import add_contacts
from campaigns.tests.test_apps import sound
from customers.tests.factories import TEST_PASSWORD, CustomerFactory, UserFactory
from dids.tests.factories import ClientPackageFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Where each column of the results table ends, and where the filter panel begins.
LAYOUT = """() => {
  const box = document.querySelector('#changelist-form .results');
  const filter = document.querySelector('#changelist-filter');
  const last = [...document.querySelectorAll('#result_list thead th')].pop();
  const buttons = [...document.querySelectorAll('#result_list td .button')];
  return {
    tableWidth: document.querySelector('#result_list').scrollWidth,
    boxWidth: box.clientWidth,
    lastColumnRight: last.getBoundingClientRect().right,
    filterLeft: filter ? filter.getBoundingClientRect().left : null,
    buttonsRight: Math.max(0, ...buttons.map(b => b.getBoundingClientRect().right)),
  };
}"""


@pytest.fixture
def admin_page(page):
    page.set_viewport_size({"width": 1366, "height": 768})
    failed: list[tuple[int, str]] = []
    page.on("response", lambda response: response.status >= 400 and failed.append((response.status, response.url)))
    admin = UserFactory(customer=None, is_staff=True, is_superuser=True)
    page.goto("/admin/login/")
    page.fill("#id_username", admin.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state("networkidle")
    page.failed = failed
    return page


def fits_beside_the_filters(page) -> dict:
    layout = page.evaluate(LAYOUT)
    assert layout["tableWidth"] <= layout["boxWidth"], layout
    assert layout["lastColumnRight"] <= layout["filterLeft"], layout
    assert layout["buttonsRight"] <= layout["filterLeft"], layout
    return layout


def test_client_packages_and_call_jobs_fit_a_1366_px_window(admin_page, screenshot):
    page = admin_page
    customer = CustomerFactory(name="Northern Logistics and Warehousing Ltd")
    ClientPackageFactory(customer=customer, package__name="Campaign trial", active=False)
    ClientPackageFactory(customer=customer, package__name="Starter", active=True)
    campaign = make_campaign(customer, name="Delivery reminders (demo)", status="launched")
    past = timezone.now() - dt.timedelta(hours=2)
    for n, zone in enumerate(["Europe/London", "America/Adak,America/Anchorage", "Australia/Sydney"]):
        CallJob.objects.create(campaign=campaign, phone=f"+4411740900{n:02d}", time_zone=zone, next_attempt_at=past)

    page.goto("/admin/dids/clientpackage/")
    fits_beside_the_filters(page)
    assert page.get_by_role("link", name="Deactivate (DIDs to Hold)…").first.is_visible()
    assert page.get_by_role("button", name="Activate (held DIDs back)").is_visible()
    screenshot(page, "admin_client_packages_1366")

    page.goto("/admin/campaigns/calljob/")
    fits_beside_the_filters(page)
    assert page.locator("#result_list thead").get_by_text("Next attempt").is_visible()
    assert page.locator("#result_list thead").get_by_text("Time zone").is_visible()
    assert page.locator("#result_list .due-now").count() == 3
    screenshot(page, "admin_call_jobs_1366")

    page.goto("/admin/campaigns/campaign/")
    fits_beside_the_filters(page)
    screenshot(page, "admin_campaigns_1366")

    add_contacts(campaign, [["busy", "answered"], ["no_answer"], ["failed"]])
    page.goto("/admin/campaigns/callattempt/?q=%2B44")
    fits_beside_the_filters(page)
    assert page.locator("#result_list thead").get_by_text("Cause").is_visible()
    screenshot(page, "admin_call_attempts_1366")
    assert page.failed == []


def test_an_uploaded_recording_plays_on_its_admin_page(admin_page, screenshot, settings, tmp_path):
    page = admin_page
    settings.MEDIA_ROOT = tmp_path / "media"
    customer = CustomerFactory(name="Demo Ltd")
    audio = services.audio_file_create(
        name="Hello greeting", uploaded=SimpleUploadedFile("x.wav", sound("wav", tmp_path)), customer=customer
    )
    page.goto(f"/admin/campaigns/audiofile/{audio.pk}/change/")
    for which in ("original", "phone"):
        player = page.locator(f"audio[data-recording={which}]")
        assert player.is_visible()
        # The browser fetched the recording through the admin and read how long it is (half a second).
        page.wait_for_function(
            "which => document.querySelector(`audio[data-recording=${which}]`).readyState >= 1", arg=which
        )
        assert 0.4 < player.evaluate("audio => audio.duration") < 0.6
    screenshot(page, "admin_audio_file_1366")

    with page.expect_response(lambda response: "/recording/original/" in response.url) as answer:
        page.get_by_role("link", name="audio/customer-").click()
    assert answer.value.status == 200 and answer.value.headers["content-type"] == "audio/wav"
    assert page.failed == []


def test_the_admins_pages_ask_for_nothing_that_is_missing(admin_page):
    page = admin_page
    for path in ["/admin/", "/admin/campaigns/campaign/", "/admin/campaigns/callattempt/?q=%2B44"]:
        assert page.goto(path).status == 200
        page.wait_for_load_state("networkidle")
    assert page.evaluate("fetch('/favicon.ico').then(r => [r.status, r.headers.get('content-type')])") == [
        200,
        "image/x-icon",
    ]
    assert page.failed == []
