import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.scenario import scenario_errors
from customers.tests.factories import CustomerFactory
from dnc.models import DncEntry
from dnc.services import dnc_add
from telephony.imports.phones import normalise_phone

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(client, customer_user):
    client.force_login(customer_user)
    return client


def test_add_search_upload_and_remove(page, customer):
    assert page.post("/do-not-call/", {"number": "+447911123456"}).status_code == 302
    response = page.post("/do-not-call/", {"number": "+4412"})
    assert "&#x27;+4412&#x27; is too short for GB." in response.content.decode()
    upload = SimpleUploadedFile("dnc.csv", b"+447911123001\nprefix:+44870\nrubbish\n")
    report = page.post("/do-not-call/", {"file": upload, "default_region": "GB"}).content.decode()
    assert "Added 2, already listed 0, incorrect 1." in report and "rubbish" in report
    listing = page.get("/do-not-call/", {"q": "870"}).content.decode()
    assert "+44870*" in listing and "+447911123456" not in listing
    entry = DncEntry.objects.get(customer=customer, number="+447911123456")
    assert page.post(f"/do-not-call/{entry.pk}/remove/").status_code == 302
    assert not DncEntry.objects.filter(pk=entry.pk).exists()


def test_an_upload_skips_its_header_and_reads_numbers_as_the_list_import_does(page, customer):
    rows = "number\n+442079460001\n07911 123456\n+33 1 23 45 67 89\nnot-a-number\n"
    upload = SimpleUploadedFile("dnc5.csv", rows.encode())
    response = page.post("/do-not-call/", {"file": upload, "default_region": "GB"})
    report = response.context["report"].report
    assert (report["added"], report["incorrect"]) == (3, 1)
    [incorrect] = report["incorrect_rows"]
    # The same reason a distribution list gives for this row.
    assert incorrect == {
        "row": 5,
        "value": "not-a-number",
        "reason": normalise_phone("not-a-number", "GB").reason,
    }
    assert incorrect["reason"] == "'not-a-number' is not a phone number (it contains letters)"
    assert set(DncEntry.objects.filter(customer=customer).values_list("number", flat=True)) == {
        "+442079460001",
        "+447911123456",
        "+33123456789",
    }
    page_text = page.get("/do-not-call/").content.decode()
    assert "is a header and is skipped" in page_text and "<code>prefix:+44870</code>" in page_text


def test_national_numbers_of_an_upload_are_read_in_the_country_chosen(page, customer):
    upload = SimpleUploadedFile("us.csv", b"(202) 555-0143\n")
    report = page.post("/do-not-call/", {"file": upload, "default_region": "US"}).context["report"].report
    assert report["added"] == 1
    assert DncEntry.objects.filter(customer=customer, number="+12025550143").exists()


def test_a_number_added_by_hand_is_read_in_the_country_chosen_as_an_upload_is(page, customer):
    form = page.get("/do-not-call/").context["add_form"]
    # The upload's field: the same choices, the same default.
    upload_field = page.get("/do-not-call/").context["upload_form"].fields["default_region"]
    assert form.fields["default_region"].choices == upload_field.choices
    assert form["default_region"].value() == "GB"
    assert page.post("/do-not-call/", {"number": "07400 111224", "default_region": "GB"}).status_code == 302
    assert page.post("/do-not-call/", {"number": "(202) 555-0143", "default_region": "US"}).status_code == 302
    # An international number is read whatever the country chosen.
    assert page.post("/do-not-call/", {"number": "+33 1 23 45 67 89", "default_region": "US"}).status_code == 302
    assert set(DncEntry.objects.filter(customer=customer).values_list("number", flat=True)) == {
        "+447400111224",
        "+12025550143",
        "+33123456789",
    }
    html = page.get("/do-not-call/").content.decode()
    assert html.count('name="default_region"') == 2


def test_a_word_added_by_hand_is_not_a_phone_number_with_the_upload_s_reason(page, customer):
    response = page.post("/do-not-call/", {"number": "hello123", "default_region": "GB"})
    [error] = response.context["add_form"].errors["number"]
    assert "country code" not in error
    assert error == "'hello123' is not a phone number (it contains letters)."
    upload = SimpleUploadedFile("words.csv", b"+447911123001\nhello123\n")
    report = page.post("/do-not-call/", {"file": upload, "default_region": "GB"}).context["report"].report
    assert report["incorrect_rows"][0]["reason"] + "." == error
    response = page.post("/do-not-call/", {"number": "07400 11", "default_region": "GB"})
    assert response.context["add_form"].errors["number"] == ["'07400 11' is not valid for GB."]


def test_recent_uploads_say_how_many_numbers_were_already_listed(page, customer):
    for _ in range(2):
        upload = SimpleUploadedFile("dnc.csv", b"+447400111223\n+447400111299\nprefix:+44870\nrubbish\n")
        page.post("/do-not-call/", {"file": upload, "default_region": "GB"})
    uploads = re.sub(r"\s+", " ", page.get("/do-not-call/").content.decode())
    assert "dnc.csv: Imported (0 added, 3 already listed, 1 incorrect)" in uploads
    assert "dnc.csv: Imported (3 added, 0 already listed, 1 incorrect)" in uploads


def test_another_customers_and_the_platform_entries_are_not_shown_nor_removable(page, customer):
    theirs, _ = dnc_add(customer=CustomerFactory(), number="+447911123999", source="api")
    dnc_add(customer=None, number="+447911123888", source="admin")
    listing = page.get("/do-not-call/").content.decode()
    assert "+447911123999" not in listing and "+447911123888" not in listing
    assert page.post(f"/do-not-call/{theirs.pk}/remove/").status_code == 404


def test_a_gather_opt_out_digit_is_checked():
    gather = {"id": "menu", "type": "gather", "prompt": "Press", "digits": 1, "timeout": 5, "branches": {"1": "menu"}}
    assert scenario_errors([{**gather, "opt_out": "9", "opt_out_confirmation": "Bye."}]) == []
    assert "one keypad digit" in " ".join(scenario_errors([{**gather, "opt_out": "99"}]))
    assert "both the opt-out and a branch" in " ".join(scenario_errors([{**gather, "opt_out": "1"}]))
