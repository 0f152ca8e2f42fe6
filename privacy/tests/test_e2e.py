"""In the browser: the customer's personal-data page — export one number's data, then erase it and put it on DNC."""

import json
from pathlib import Path

import pytest

from campaigns.dialer import dialer_tick
from campaigns.models import CallAttempt, Campaign
from campaigns.tests.dialer.helpers import dialer_campaign, play_calls
from customers.tests.factories import TEST_PASSWORD, UserFactory
from distribution_lists.models import Contact
from dnc.models import DncEntry, DncSource
from privacy.services import number_hash

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("simulator")]

NUMBER = "+447911100000"  # the first contact of ready_list


def test_export_then_erase_one_number_in_the_browser(page, login, customer, screenshot):
    campaign = dialer_campaign(customer, contacts=3)
    dialer_tick()
    play_calls(campaign)
    before = Campaign.objects.filter(pk=campaign.pk).values_list("stat_called", "stat_answered").get()
    user = UserFactory(customer=customer)
    login(user.email, TEST_PASSWORD)
    page.get_by_role("link", name="Personal data").click()

    page.fill("#id_number", "+44 7911 100000")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export").click()
    document = json.loads(Path(download.value.path()).read_text())
    assert document["number"] == NUMBER
    assert {c["phone"] for c in document["contacts"]} == {NUMBER}
    assert [a["outcome"] for a in document["call_attempts"]] == ["answered"]

    page.fill("#id_number", "12")
    page.get_by_role("button", name="Export").click()
    assert "no country code" in page.locator("#personal-data").inner_text()

    page.fill("#id_number", NUMBER)
    page.check("#id_add_to_dnc")
    page.get_by_role("button", name="Erase").click()
    assert page.locator("#confirm-title").inner_text() == "Erase this number?"
    page.click("#confirm-ok")
    hashed = number_hash(NUMBER)
    assert hashed in page.locator(".message").inner_text()
    assert page.locator("#erasures tbody tr").first.inner_text().split("\t")[1:] == [hashed, user.email, "yes"]
    screenshot(page, "personal-data")

    assert not Contact.objects.filter(phone=NUMBER).exists()
    assert CallAttempt.objects.filter(campaign=campaign, b_number=hashed).count() == 1
    assert not CallAttempt.objects.filter(b_number=NUMBER).exists()
    assert DncEntry.objects.get(customer=customer, number=NUMBER).source == DncSource.ERASURE
    assert Campaign.objects.filter(pk=campaign.pk).values_list("stat_called", "stat_answered").get() == before
