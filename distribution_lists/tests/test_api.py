import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from customers import services as customer_services
from customers.tests.factories import CustomerFactory
from distribution_lists import services
from distribution_lists.models import DistributionList

CSV = b"name;phone;balance\nAlice;07400 123456;10\nBob;+44 20 7946 0018;5\nJunk;call me;1\n"


@pytest.fixture
def api(customer):
    client = APIClient()
    token = customer_services.api_token_issue(customer=customer, name="t").raw
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def upload(api, **fields):
    body = {"name": "From the CRM", "file": SimpleUploadedFile("crm.csv", CSV, content_type="text/csv"), **fields}
    return api.post("/api/distribution-lists/", body, format="multipart")


def test_upload_with_markup_then_read_state_and_counts(api, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(api, phone_column=1, column_names="name,phone,balance", default_region="gb")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "processing" and body["phone_column"] == 1 and body["default_region"] == "GB"
    assert body["column_names"] == ["name", "phone", "balance"] and body["variables"] == ["name", "balance"]
    assert len(callbacks) == 1  # the import is queued after commit
    services.distribution_list_import(list_id=body["id"])
    body = api.get(f"/api/distribution-lists/{body['id']}/").json()
    assert (body["status"], body["correct_count"], body["incorrect_count"]) == ("ready", 2, 1)
    assert [item["id"] for item in api.get("/api/distribution-lists/").json()["results"]] == [body["id"]]
    assert DistributionList.objects.get(pk=body["id"]).customer == customer


def test_markup_is_guessed_when_left_out(api):
    response = upload(api)
    assert response.status_code == 201, response.json()
    assert response.json()["phone_column"] == 1 and response.json()["column_names"] == ["name", "phone", "balance"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": ""}, "name", "This field may not be blank."),
        ({"default_region": "XX"}, "default_region", "Invalid: “XX” is not a country code"),
        ({"phone_column": 7}, "phone_column", "Out of range: the file has 3 columns (0 to 2)."),
        ({"phone_column": -1}, "phone_column", "greater than or equal to 0"),
        ({"file": SimpleUploadedFile("x.csv", b"", content_type="text/csv")}, "file", ""),
    ],
)
def test_bad_uploads_are_400_with_the_field_and_leave_nothing(api, fields, field, message):
    response = upload(api, **fields)
    assert response.status_code == 400
    assert field in response.json() and message in response.json()[field][0]
    assert not DistributionList.objects.exists()


def test_a_name_taken_is_400(api, customer):
    assert upload(api).status_code == 201
    response = upload(api)
    assert response.status_code == 400 and "already have a list" in response.json()["name"][0]


def test_another_customers_list_is_404(api):
    other = CustomerFactory()
    alien = services.distribution_list_upload(
        customer=other, name="Theirs", upload=io.BytesIO(CSV), filename="theirs.csv"
    )
    assert api.get(f"/api/distribution-lists/{alien.pk}/").status_code == 404
    assert api.get("/api/distribution-lists/").json()["results"] == []
