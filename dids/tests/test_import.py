import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from dids import imports
from dids.models import DID, DIDImport, DIDImportIssue
from dids.tests.factories import DIDFactory, OperatorFactory
from telephony.imports import tasks

pytestmark = pytest.mark.django_db


def _csv(rows) -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile("dids.csv", buffer.getvalue().encode(), content_type="text/csv")


def _xlsx(rows) -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("dids.xlsx", buffer.getvalue())


def _run(upload, columns, **markup) -> DIDImport:
    did_import = imports.did_import_upload(upload=upload, filename=upload.name)
    markup.setdefault("has_header", True)
    markup.setdefault("default_operator", None)
    imports.did_import_mark_up(did_import=did_import, columns=columns, enqueue=False, **markup)
    return imports.did_import_run(import_id=did_import.pk)


def test_csv_import_with_every_column_reports_created_existing_incorrect_and_repeated(admin_user):
    OperatorFactory(name="Acme")
    DIDFactory(number="+441174090102")
    upload = _csv(
        [
            ["number", "operator", "status", "tag", "notes"],
            ["+44 117 409 0100", "Acme", "In Stock", "gold", "first"],
            ["0117 409 0101", "acme", "reserved", "", ""],
            ["+441174090102", "Acme", "", "", ""],
            ["not a number", "Acme", "", "", ""],
            ["+441174090103", "Nobody", "", "", ""],
            ["+441174090104", "Acme", "assigned", "", ""],
            ["+441174090100", "Acme", "", "", ""],
        ]
    )
    result = _run(upload, {"number": 0, "operator": 1, "status": 2, "tag": 3, "notes": 4}, default_region="GB")
    assert result.status == "done", result.failure_reason
    assert (result.created_count, result.existing_count, result.incorrect_count, result.duplicate_count) == (2, 1, 3, 1)
    first = DID.objects.get(number="+441174090100")
    assert (first.operator.name, first.status, first.tag, first.notes, first.locality) == (
        "Acme",
        "in_stock",
        "gold",
        "first",
        "Bristol",
    )
    assert DID.objects.get(number="+441174090101").status == "reserved"
    reasons = dict(result.issues.filter(kind="incorrect").values_list("row_number", "reason"))
    assert "not a phone number" in reasons[5]
    assert "operator 'Nobody' does not exist" in reasons[6]
    assert "In Stock, Reserved or Archive" in reasons[7]
    assert list(result.issues.filter(kind="duplicate").values_list("row_number", flat=True)) == [8]
    # Audit: one import row per created DID.
    assert DID.history.filter(history_change_reason__startswith="import #").count() == 2


def test_xlsx_import_with_defaults_for_missing_columns():
    operator = OperatorFactory(name="Default Telco")
    upload = _xlsx([[441174090200], [441174090201], ["+447700900123"]])
    result = _run(
        upload,
        {"number": 0},
        has_header=False,
        default_operator=operator,
        default_status="archive",
        default_tag="bulk",
    )
    assert result.created_count == 3
    assert set(DID.objects.values_list("status", "tag", "operator_id")) == {("archive", "bulk", operator.pk)}
    assert DID.objects.get(number="+447700900123").unverified


def test_markup_needs_a_number_column_and_an_operator():
    did_import = imports.did_import_upload(upload=_csv([["+441174090100"]]), filename="x.csv")
    with pytest.raises(imports.DIDImportError, match="operator"):
        imports.did_import_mark_up(
            did_import=did_import, columns={"number": 0}, has_header=False, default_operator=None, enqueue=False
        )
    with pytest.raises(imports.DIDImportError, match="numbers"):
        imports.did_import_mark_up(
            did_import=did_import, columns={"number": None}, has_header=False, default_operator=None, enqueue=False
        )


def test_a_file_that_is_not_a_table_is_refused_at_upload():
    with pytest.raises(imports.DIDImportError):
        imports.did_import_upload(upload=SimpleUploadedFile("x.xlsx", b"%PDF-1.4 nonsense"), filename="x.xlsx")


def test_running_twice_imports_once():
    operator = OperatorFactory()
    did_import = imports.did_import_upload(upload=_csv([["+441174090100"]]), filename="x.csv")
    imports.did_import_mark_up(
        did_import=did_import, columns={"number": 0}, has_header=False, default_operator=operator, enqueue=False
    )
    imports.did_import_run(import_id=did_import.pk)
    assert imports.did_import_run(import_id=did_import.pk) is None
    assert DID.objects.count() == 1


def test_export_then_import_round_trip(client, admin_user):
    client.force_login(admin_user)
    OperatorFactory(name="Round Trip")
    DIDFactory(number="+441174090100", operator__name="Round Trip", tag="a", notes="=1+1")
    DIDFactory(number="+442079460000", operator__name="Round Trip", status="reserved", tag="b")
    exported = b"".join(client.get(reverse("admin:dids_did_export", args=["csv"])).streaming_content)
    before = sorted(DID.objects.values_list("number", "operator__name", "status", "tag", "notes"))
    DID.history.all().delete()
    DID.objects.all().delete()
    result = _run(
        SimpleUploadedFile("export.csv", exported),
        {"number": 0, "operator": 1, "status": 2, "tag": 4, "notes": 5},
    )
    assert result.created_count == 2, list(result.issues.values_list("reason", flat=True))
    after = sorted(DID.objects.values_list("number", "operator__name", "status", "tag", "notes"))
    # The escaped formula keeps its protective apostrophe; everything else is identical.
    assert [row[:4] for row in after] == [row[:4] for row in before]
    assert after[0][4] == "'=1+1"


def test_admin_upload_markup_and_result(client, admin_user, monkeypatch):
    monkeypatch.setattr(tasks.run_import_job, "delay_on_commit", lambda job_id: tasks.run_import_job(job_id))
    client.force_login(admin_user)
    operator = OperatorFactory(name="Admin Telco")
    DIDFactory(number="+441174090101")
    response = client.post(
        reverse("admin:dids_did_import"),
        {"file": _csv([["number", "tag"], ["+441174090100", "x"], ["+441174090101", ""], ["junk", ""]])},
    )
    did_import = DIDImport.objects.get()
    assert response["Location"] == reverse("admin:dids_did_import_markup", args=[did_import.pk])
    page = client.get(response["Location"])
    assert page.context["form"]["phone_column"].initial == 0  # guessed from the header
    assert page.context["form"]["column_tag"].initial == "1"
    response = client.post(
        response["Location"],
        {
            "has_header": "on",
            "phone_column": "0",
            "column_tag": "1",
            "default_operator": operator.pk,
            "default_status": "in_stock",
            "default_region": "GB",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "1</strong> created" in page
    assert "1</strong> already existing" in page
    assert "1</strong> incorrect" in page
    assert DIDImportIssue.objects.filter(kind="incorrect", raw="junk").exists()
    assert DID.objects.get(number="+441174090100").tag == "x"
    assert client.get(reverse("admin:dids_did_changelist")).content.decode().count("did-import") == 1
