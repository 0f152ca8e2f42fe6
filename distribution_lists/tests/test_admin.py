import pytest
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from distribution_lists.models import DistributionList
from distribution_lists.tests.factories import ENGINE_DATA, ContactFactory, IncorrectRowFactory
from telephony.imports import tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_admin_uploads_for_a_customer(admin_client, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.run_import_job, "delay", lambda job_id: queued.append(job_id))
    customer = CustomerFactory(name="Acme")
    url = reverse("admin:distribution_lists_distributionlist_add")
    assert "Upload a distribution list for a customer" in admin_client.get(url).content.decode()
    with (
        (ENGINE_DATA / "libreoffice_numbers.xls").open("rb") as handle,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = admin_client.post(
            url,
            {
                "customer": customer.pk,
                "name": "Via admin",
                "file": handle,
                "header": "on",
                "phone_column": "1",
                "region": "GB",
            },
        )
    distribution_list = DistributionList.objects.get(customer=customer, name="Via admin")
    assert response.status_code == 302
    assert distribution_list.status == DistributionList.Status.PROCESSING
    assert distribution_list.column_names == ["phone", "name", "city"]
    assert queued == [distribution_list.job_id]


def test_admin_upload_errors_are_shown(admin_client):
    customer = CustomerFactory()
    with (ENGINE_DATA / "report.pdf.xls").open("rb") as handle:
        response = admin_client.post(
            reverse("admin:distribution_lists_distributionlist_add"),
            {"customer": customer.pk, "name": "Bad", "file": handle, "phone_column": "1", "region": "GB"},
        )
    assert "report.pdf.xls is a PDF document" in response.content.decode()
    assert not DistributionList.objects.exists()


def test_admin_pages_for_lists_contacts_and_rows(admin_client, django_assert_max_num_queries):
    contact = ContactFactory()
    IncorrectRowFactory.create_batch(3, distribution_list=contact.distribution_list)
    ContactFactory.create_batch(5, distribution_list__customer=contact.distribution_list.customer)
    for name in ["distributionlist", "contact", "incorrectrow"]:
        with django_assert_max_num_queries(12):
            response = admin_client.get(reverse(f"admin:distribution_lists_{name}_changelist"))
        assert response.status_code == 200
    detail = admin_client.get(
        reverse("admin:distribution_lists_distributionlist_change", args=[contact.distribution_list_id])
    )
    assert detail.status_code == 200


def test_admin_delete_action_goes_through_the_service(admin_client):
    contact = ContactFactory()
    admin_client.post(
        reverse("admin:distribution_lists_distributionlist_changelist"),
        {"action": "delete_lists", "_selected_action": [contact.distribution_list_id]},
    )
    assert not DistributionList.objects.exists()
