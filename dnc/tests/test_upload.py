"""Do-not-call files on the one import-job lifecycle: limits, hostile files, progress, failure, cleanup, reaping."""

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from customers import services as customer_services
from dnc import upload as dnc_upload_module
from dnc.models import DncEntry, DncUpload
from dnc.services import DncError
from dnc.upload import dnc_upload
from telephony.imports import jobs as import_jobs_module
from telephony.imports import tasks
from telephony.imports.jobs import INTERRUPTED, import_job_claim, import_job_reap_stalled
from telephony.imports.models import ImportJob
from telephony.imports.tests.test_hostile_sheets import far_corner_rows, sheet, xlsx_with_sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(customer):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {customer_services.api_token_issue(customer=customer, name='t').raw}"
    )
    return client


@pytest.fixture
def queued(monkeypatch):
    """Jobs handed to the worker (run them with ``tasks.run_import_job``)."""
    jobs: list[int] = []
    monkeypatch.setattr(tasks.run_import_job, "delay_on_commit", jobs.append)
    return jobs


def _post(api, name: str, data: bytes):
    upload = io.BytesIO(data)
    upload.name = name
    return api.post("/api/dnc/upload/", {"file": upload}, format="multipart")


def _nothing_written() -> bool:
    return not DncEntry.objects.exists() and not ImportJob.objects.exists() and not DncUpload.objects.exists()


def test_a_file_too_big_is_refused_naming_its_size_and_the_limit(api, settings):
    settings.DNC_UPLOAD_MAX_FILE_BYTES = 1024 * 1024
    response = _post(api, "huge.csv", b"+447911123001\n" * 80_000)
    assert response.status_code == 400
    assert response.json()["file"] == ["huge.csv is 1.1 MB; files up to 1 MB are accepted."]
    assert _nothing_written()


def test_a_file_of_too_many_rows_is_refused_naming_the_limit(api, settings):
    settings.DNC_UPLOAD_MAX_ROWS = 2
    response = _post(api, "long.csv", b"+447911123001\n+447911123002\n+447911123003\n+447911123004\n")
    assert response.status_code == 400
    assert response.json()["file"] == ["long.csv has 4 rows; files of up to 2 rows are accepted."]
    assert _nothing_written()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "numbers.xlsx",
            b"%PDF-1.4 not numbers",
            "numbers.xlsx is a PDF document, not a CSV, text or spreadsheet file.",
        ),
        ("numbers.xlsx", b"PK\x03\x04 broken", "numbers.xlsx looks like a ZIP archive but is damaged."),
        ("empty.csv", b" \n\n", "empty.csv is empty."),
    ],
)
def test_a_file_that_is_not_a_table_is_refused_with_what_it_is(api, name, data, message):
    response = _post(api, name, data)
    assert response.status_code == 400 and response.json()["file"] == [message]
    assert _nothing_written()


def _stored(prefix: str) -> set[str]:
    folder = timezone.now().strftime("imports/%Y/%m")
    if not default_storage.exists(folder):
        return set()
    return {name for name in default_storage.listdir(folder)[1] if name.startswith(prefix)}


def test_a_file_without_a_single_row_fails_with_its_reason_and_keeps_no_file(api, django_capture_on_commit_callbacks):
    before = _stored("blank")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(api, "blank.csv", b",,\n , \n")
    assert response.status_code == 400 and response.json()["file"] == ["The file has no rows."]
    upload = DncUpload.objects.select_related("job").get()
    assert (upload.status, upload.failure_reason, upload.job.source_file.name) == (
        "failed",
        "The file has no rows.",
        "",
    )
    assert not DncEntry.objects.exists() and _stored("blank") == before


def test_a_spreadsheet_is_read_like_a_csv(api, customer):
    book = openpyxl.Workbook()
    for value in ["+447911123001", "+44870*", "not a number", "+447911123001"]:
        book.active.append([value])
    data = io.BytesIO()
    book.save(data)
    response = _post(api, "numbers.xlsx", data.getvalue())
    assert response.status_code == 201, response.content
    report = response.json()["report"]
    assert (report["added"], report["already_listed"], report["incorrect"]) == (2, 1, 1)
    assert report["incorrect_rows"][0]["row"] == 3 and "not a number" in report["incorrect_rows"][0]["reason"]
    assert set(DncEntry.objects.filter(customer=customer).values_list("number", "is_prefix")) == {
        ("+447911123001", False),
        ("+44870", True),
    }


def test_a_hostile_spreadsheet_fails_in_the_worker_with_a_message_and_nothing_written(
    api, queued, settings, django_capture_on_commit_callbacks
):
    # No declared height: the upload cannot count its rows, so the worker reads it, in the limited child.
    settings.IMPORT_SPREADSHEET_MEMORY_MB = 512
    created = _post(api, "corner.xlsx", xlsx_with_sheet(sheet(far_corner_rows())))
    assert created.status_code == 201 and created.json()["status"] == "processing"
    job = ImportJob.objects.get(pk=queued[0])
    stored = job.source_file.name
    assert default_storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.run_import_job(job.pk)
    failed = api.get(f"/api/dnc/uploads/{created.json()['id']}/").json()
    assert failed["status"] == "failed" and failed["report"] == {}
    assert "corner.xlsx" in failed["failure_reason"] and "needs more than 512 MB of memory" in failed["failure_reason"]
    assert not DncEntry.objects.exists()
    assert not default_storage.exists(stored)  # a failed DNC upload is uploaded again, never re-run


def test_an_error_half_way_leaves_no_entry_of_the_file(api, customer, queued, settings, monkeypatch):
    settings.DNC_UPLOAD_INLINE_ROWS = 1
    monkeypatch.setattr(dnc_upload_module, "CHUNK_ROWS", 2)
    write_chunk = dnc_upload_module._DncConsumer.write_chunk
    chunks = []

    def fail_on_the_third_chunk(consumer, chunk):
        chunks.append(len(chunk))
        if len(chunks) == 3:
            raise RuntimeError("the database went away")
        write_chunk(consumer, chunk)

    monkeypatch.setattr(dnc_upload_module._DncConsumer, "write_chunk", fail_on_the_third_chunk)
    numbers = b"".join(b"+4479111230%02d\n" % n for n in range(6))
    created = _post(api, "six.csv", numbers).json()
    tasks.run_import_job(queued[0])
    failed = api.get(f"/api/dnc/uploads/{created['id']}/").json()
    assert chunks == [2, 2, 2] and failed["status"] == "failed"
    assert failed["failure_reason"] == "An unexpected error stopped the import; nothing was imported. Please try again."
    assert not DncEntry.objects.filter(customer=customer).exists()


def test_the_run_saves_its_progress_by_phase(api, customer, queued, settings, monkeypatch):
    settings.DNC_UPLOAD_INLINE_ROWS = 1
    monkeypatch.setattr(dnc_upload_module, "CHUNK_ROWS", 2)
    seen = []
    progress = dnc_upload_module.import_job_progress

    def record(job_id, **changes):
        progress(job_id, **changes)
        job = ImportJob.objects.get(pk=job_id)
        seen.append((job.phase, job.rows_read, job.rows_total, job.progress_percent))

    monkeypatch.setattr(dnc_upload_module, "import_job_progress", record)
    monkeypatch.setattr(import_jobs_module, "import_job_progress", record)  # the checking phase's, shared by every kind
    created = _post(api, "five.csv", b"".join(b"+4479111230%02d\n" % n for n in range(5))).json()
    assert DncUpload.objects.get(pk=created["id"]).job.status == "processing"
    tasks.run_import_job(queued[0])
    assert seen == [
        ("checking", 0, 5, 0),
        ("checking", 2, 5, 40),
        ("checking", 4, 5, 80),
        ("checking", 5, 5, 100),
        ("saving", 5, 5, 0),
    ]
    upload = DncUpload.objects.select_related("job").get(pk=created["id"])
    assert (upload.status, upload.progress_percent, upload.added_count, upload.job.correct_count) == (
        "ready",
        100,
        5,
        5,
    )


def test_the_dashboard_shows_a_running_upload_with_its_phase_and_progress(customer_client, queued, settings):
    settings.DNC_UPLOAD_INLINE_ROWS = 1
    upload = SimpleUploadedFile("big.csv", b"+447911123001\n+447911123002\n")
    page = customer_client.post("/do-not-call/", {"file": upload}).content.decode()
    assert "big.csv: 2 rows, importing in the background." in page
    ImportJob.objects.filter(pk=queued[0]).update(phase="checking", rows_read=1)
    assert "big.csv: Importing (checking numbers, 50%)" in customer_client.get("/do-not-call/").content.decode()


def test_a_run_whose_worker_died_is_reaped_with_a_reason_and_its_file_deleted(
    customer, queued, settings, django_capture_on_commit_callbacks
):
    settings.DNC_UPLOAD_INLINE_ROWS = 1
    upload = SimpleUploadedFile("lost.csv", b"+447911123001\n+447911123002\n")
    record = dnc_upload(customer=customer, upload=upload, filename="lost.csv")
    stored = record.job.source_file.name
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        assert import_job_claim(record.job_id) is not None  # the worker took it, then died
    with time_machine.travel(start + dt.timedelta(seconds=settings.IMPORT_STALLED_AFTER_SECONDS - 1), tick=False):
        assert import_job_reap_stalled() == 0
    with (
        time_machine.travel(start + dt.timedelta(seconds=settings.IMPORT_STALLED_AFTER_SECONDS + 1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert import_job_reap_stalled() == 1
    record = DncUpload.objects.select_related("job").get(pk=record.pk)
    assert (record.status, record.failure_reason) == ("failed", INTERRUPTED)
    assert not default_storage.exists(stored) and record.job.source_file.name == ""
    tasks.run_import_job(record.job_id)  # the task delivered late changes nothing
    assert not DncEntry.objects.exists()


def test_a_service_caller_gets_the_reason_of_a_refused_file(customer):
    with pytest.raises(DncError, match=r"^x.csv is empty\.$"):
        dnc_upload(customer=customer, upload=io.BytesIO(b"  \n"), filename="x.csv")
