"""Administrators fill the platform list (or a customer's) from a file, with the usual report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from customers.tests.factories import CustomerFactory
from dnc.models import DncEntry, DncSource, DncUpload, UploadStatus
from telephony.imports import tasks
from telephony.imports.models import ImportJob

pytestmark = pytest.mark.django_db

URL = "/admin/dnc/dncentry/upload/"


def test_an_upload_without_a_customer_fills_the_platform_list_and_reports(admin_client, admin_user):
    assert URL in admin_client.get("/admin/dnc/dncentry/").content.decode()  # "Upload a file" on the list
    upload = SimpleUploadedFile("platform.csv", b"+447911123001\nprefix:+44870\nrubbish\n+447911123001\n")
    page = admin_client.post(URL, {"customer": "", "file": upload}).content.decode()
    assert "the platform list: added 2, already listed 1, incorrect 1." in page and "rubbish" in page
    entries = DncEntry.objects.filter(customer__isnull=True)
    assert set(entries.values_list("number", "is_prefix", "source")) == {
        ("+447911123001", False, DncSource.UPLOAD),
        ("+44870", True, DncSource.UPLOAD),
    }
    assert set(entries.values_list("added_by", flat=True)) == {admin_user.pk}


def test_an_upload_for_a_customer_fills_only_its_list_and_a_large_one_goes_to_a_worker(admin_client, settings):
    acme = CustomerFactory()
    upload = SimpleUploadedFile("acme.csv", b"+447911123002\n")
    page = admin_client.post(URL, {"customer": acme.pk, "file": upload}).content.decode()
    assert "the customer list: added 1" in page
    assert list(DncEntry.objects.values_list("customer", "number")) == [(acme.pk, "+447911123002")]

    settings.DNC_UPLOAD_INLINE_ROWS = 1
    big = SimpleUploadedFile("big.csv", b"+447911123003\n+447911123004\n")
    with pytest.MonkeyPatch.context() as patch:
        queued = []
        patch.setattr(tasks.run_import_job, "delay_on_commit", queued.append)
        page = admin_client.post(URL, {"customer": "", "file": big}).content.decode()
    assert "importing in the background" in page
    record = DncUpload.objects.get(job__original_filename="big.csv")
    assert record.customer is None and queued == [record.job_id]
    tasks.run_import_job(record.job_id)
    record = DncUpload.objects.select_related("job").get(pk=record.pk)
    assert record.status == UploadStatus.READY and record.report["added"] == 2
    assert DncEntry.objects.filter(customer__isnull=True).count() == 2
    listing = admin_client.get("/admin/dnc/dncupload/").content.decode()
    assert "big.csv" in listing and "acme.csv" in listing and "Imported" in listing


def test_an_unreadable_file_is_named_not_a_500(admin_client):
    page = admin_client.post(URL, {"file": SimpleUploadedFile("empty.csv", b"")}).content.decode()
    assert "empty" in page.lower() and not DncEntry.objects.exists()


def test_deleting_an_upload_forgets_its_job_and_keeps_the_numbers_it_added(admin_client):
    admin_client.post(URL, {"customer": "", "file": SimpleUploadedFile("gone.csv", b"+447911123005\n")})
    upload = DncUpload.objects.get()
    response = admin_client.post(
        "/admin/dnc/dncupload/", {"action": "delete_selected", "_selected_action": [upload.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not DncUpload.objects.exists() and not ImportJob.objects.exists()
    assert DncEntry.objects.filter(customer__isnull=True, number="+447911123005").exists()


def test_the_uploads_list_has_short_headings_and_filters_by_the_statuses_an_upload_has(admin_client):
    acme = CustomerFactory(name="Acme")
    admin_client.post(URL, {"customer": acme.pk, "file": SimpleUploadedFile("acme.csv", b"+447911123002\n")})
    response = admin_client.get("/admin/dnc/dncupload/")
    headings = [column["text"] for column in response.context["result_headers"]]
    assert headings[1:] == ["File", "List", "Status", "Rows", "Added", "By", "Uploaded"]
    [status_filter] = [spec for spec in response.context["cl"].filter_specs if spec.title == "status"]
    choices = [choice["display"] for choice in status_filter.choices(response.context["cl"])]
    assert choices == ["All", "Importing", "Imported", "Failed"]
    assert "acme.csv" in admin_client.get("/admin/dnc/dncupload/", {"status": "ready"}).content.decode()
    assert "acme.csv" not in admin_client.get("/admin/dnc/dncupload/", {"status": "failed"}).content.decode()


def test_an_uploads_page_is_read_only_with_its_incorrect_rows_as_a_table(admin_client):
    rows = b"number\n+447911123001\nrubbish\n"
    admin_client.post(URL, {"customer": "", "file": SimpleUploadedFile("dnc5.csv", rows)})
    upload = DncUpload.objects.get()
    page = admin_client.get(f"/admin/dnc/dncupload/{upload.pk}/change/").content.decode()
    assert 'name="_save"' not in page and "(done)" not in page
    assert "+00:00" not in page  # the upload's time formatted, not raw
    assert "<td>3</td><td>rubbish</td><td>&#x27;rubbish&#x27; is not a phone number (it contains letters)</td>" in page
    assert "&quot;reason&quot;" not in page and '"reason"' not in page
    assert admin_client.post(f"/admin/dnc/dncupload/{upload.pk}/change/", {}).status_code == 403
    assert DncUpload.objects.filter(pk=upload.pk).exists()
