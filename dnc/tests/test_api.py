import io

import pytest
from rest_framework.test import APIClient

from customers import services as customer_services
from customers.tests.factories import CustomerFactory
from dnc.models import DncEntry, DncUpload
from dnc.services import dnc_add
from telephony.imports import tasks


@pytest.fixture
def api(customer):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {customer_services.api_token_issue(customer=customer, name='t').raw}"
    )
    return client


def test_add_list_check_and_remove(api, customer):
    response = api.post("/api/dnc/", {"number": "+44 7911 123456"}, format="json")
    assert response.status_code == 201 and response.json()["number"] == "+447911123456"
    assert api.post("/api/dnc/", {"number": "+447911123456"}, format="json").status_code == 200  # already there
    assert api.post("/api/dnc/", {"number": "+44870", "is_prefix": True}, format="json").status_code == 201
    assert [e["number"] for e in api.get("/api/dnc/?q=870").json()["results"]] == ["+44870"]

    check = api.get("/api/dnc/check/", {"number": "+448701234567"}).json()
    assert check == {"number": "+448701234567", "blocked": True, "list": "customer", "entry": "+44870*"}
    assert api.get("/api/dnc/check/", {"number": "+441174090100"}).json()["blocked"] is False

    entry = DncEntry.objects.get(customer=customer, number="+447911123456")
    assert api.delete(f"/api/dnc/{entry.pk}/").status_code == 204
    assert not DncEntry.objects.filter(pk=entry.pk).exists()


def test_bad_numbers_are_named_and_another_customers_entries_are_unreachable(api, customer):
    response = api.post("/api/dnc/", {"number": "tomorrow"}, format="json")
    assert response.status_code == 400 and "tomorrow" in response.json()["number"][0]
    assert api.get("/api/dnc/check/", {"number": ""}).status_code == 400
    theirs, _ = dnc_add(customer=CustomerFactory(), number="+447911123555", source="api")
    assert api.delete(f"/api/dnc/{theirs.pk}/").status_code == 404
    assert api.get("/api/dnc/check/", {"number": "+447911123555"}).json()["blocked"] is False
    dnc_add(customer=None, number="+447911123555", source="admin")
    assert api.get("/api/dnc/check/", {"number": "+447911123555"}).json()["list"] == "platform"


def test_upload_reports_added_already_and_incorrect_rows(api, customer):
    dnc_add(customer=customer, number="+447911123001", source="api")
    data = "phone\n+447911123001\n+447911123002\n+44 7911 123003\nprefix:+44871\nnot a number\n+447911123002\n"
    upload = io.BytesIO(data.encode())
    upload.name = "dnc.csv"
    response = api.post("/api/dnc/upload/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.content
    report = response.json()["report"]
    assert response.json()["status"] == "ready"
    # The header ("phone" has no digit) is skipped, not counted.
    assert (report["added"], report["already_listed"], report["incorrect"]) == (3, 2, 1)
    assert [row["row"] for row in report["incorrect_rows"]] == [6]
    assert DncEntry.objects.get(customer=customer, number="+44871").is_prefix
    empty = io.BytesIO(b"")
    empty.name = "empty.csv"
    assert "empty" in api.post("/api/dnc/upload/", {"file": empty}, format="multipart").json()["file"][0]


def test_a_large_file_is_imported_by_a_worker(api, customer, settings):
    settings.DNC_UPLOAD_INLINE_ROWS = 2
    upload = io.BytesIO(b"+447911123001\n+447911123002\n+447911123003\n")
    upload.name = "big.csv"
    with pytest.MonkeyPatch.context() as patch:
        queued = []
        patch.setattr(tasks.run_import_job, "delay_on_commit", queued.append)
        created = api.post("/api/dnc/upload/", {"file": upload}, format="multipart").json()
    job = DncUpload.objects.get(pk=created["id"]).job
    assert created["status"] == "processing" and queued == [job.pk]
    assert (created["report"], created["rows"], created["filename"]) == ({}, 3, "big.csv")
    assert not DncEntry.objects.filter(customer=customer).exists()
    tasks.run_import_job(job.pk)
    tasks.run_import_job(job.pk)  # idempotent
    done = api.get(f"/api/dnc/uploads/{created['id']}/").json()
    assert done["status"] == "ready" and done["report"]["added"] == 3
    assert DncEntry.objects.filter(customer=customer).count() == 3


def test_add_reads_a_national_number_in_the_country_given(api, customer):
    response = api.post("/api/dnc/", {"number": "07400 111224", "default_region": "GB"}, format="json")
    assert response.status_code == 201 and response.json()["number"] == "+447400111224"
    # Without a country a national number is refused as before; with one it is read in it.
    response = api.post("/api/dnc/", {"number": "07400 111225"}, format="json")
    assert response.status_code == 400 and "no country code" in response.json()["number"][0]
    response = api.post("/api/dnc/", {"number": "hello123"}, format="json")
    assert response.status_code == 400 and "not a phone number" in response.json()["number"][0]
    response = api.post("/api/dnc/", {"number": "07400 111225", "default_region": "XX"}, format="json")
    assert response.status_code == 400 and "default_region" in response.json()


def test_upload_reads_national_numbers_in_the_country_given(api, customer):
    def post(region=None):
        upload = io.BytesIO(b"(212) 555-0142\n")
        upload.name = "us.csv"
        data = {"file": upload} | ({"default_region": region} if region else {})
        return api.post("/api/dnc/upload/", data, format="multipart")

    # Without a country, national numbers are read as GB (as before): this US number is not valid there.
    assert post().json()["report"]["incorrect"] == 1
    assert post("us").json()["report"]["added"] == 1
    assert DncEntry.objects.filter(customer=customer, number="+12125550142").exists()
    refused = post("XX")
    assert refused.status_code == 400 and "default_region" in refused.json()
