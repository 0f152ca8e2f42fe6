"""The one upload lifecycle: transitions, upload checks, claim, failure and the stored file."""

import io
import itertools

import pytest

from telephony.imports import ImportReport, Markup, kinds
from telephony.imports.jobs import (
    INTERRUPTED,
    TRANSITIONS,
    ImportJobError,
    UploadLimits,
    import_job_claim,
    import_job_fail,
    import_job_finish,
    import_job_mark_up,
    import_job_transition,
    import_job_upload,
)
from telephony.imports.kinds import ImportKind, kind_of
from telephony.imports.models import ImportJob
from telephony.imports.running import import_job_run
from telephony.imports.tests.factories import ImportJobFactory

pytestmark = pytest.mark.django_db
Status = ImportJob.Status
LIMITS = UploadLimits(max_bytes=1_000, max_rows=5)


def upload(data: bytes = b"phone\n07400123456\n", filename: str = "a.csv", limits=LIMITS) -> ImportJob:
    return import_job_upload(kind=ImportJob.Kind.DIDS, upload=io.BytesIO(data), filename=filename, limits=limits)


@pytest.mark.parametrize(("source", "target"), list(itertools.product(Status.values, Status.values)))
def test_every_move_is_allowed_or_refused_by_the_one_table(source, target):
    job = ImportJobFactory(status=source)
    moved = import_job_transition(job.pk, to=target)
    assert moved == (target in TRANSITIONS[source])
    job.refresh_from_db()
    assert job.status == (target if moved else source)


def test_an_extension_the_kind_does_not_accept_is_refused_whatever_the_file_holds():
    limits = UploadLimits(max_bytes=1_000, max_rows=5, extensions=("csv", "xls", "xlsx"))
    for name in ("notes.pdf", "notes.docx", "list.csv.pdf"):
        with pytest.raises(ImportJobError) as refused:
            upload(b"hello\n07400123456\n", name, limits=limits)
        extension = name.rsplit(".", 1)[1]
        assert str(refused.value) == f"{name} is a .{extension} file; upload a CSV, XLS or XLSX file."
    # An accepted extension, in any case, goes on to be read by its content, which decides the type.
    assert upload(b"phone\n07400123456\n", "A.CSV", limits=limits).file_kind == "csv"
    with pytest.raises(ImportJobError, match="PDF document"):
        upload(b"%PDF-1.4 nonsense", "x.xlsx", limits=limits)
    # No extension at all (an API client's "blob"): read by its content.
    assert upload(b"phone\n07400123456\n", "blob", limits=limits).file_kind == "csv"
    # A kind that names none takes the files the engine reads, and only those.
    assert upload(b"phone\n07400123456\n", "notes.ods.txt").file_kind == "csv"
    with pytest.raises(ImportJobError, match="upload a CSV, TXT, TSV, XLS, XLSX or ODS file"):
        upload(b"phone\n07400123456\n", "notes.pdf")


def test_the_table_of_moves():
    assert {source: sorted(targets) for source, targets in TRANSITIONS.items()} == {
        "draft": ["processing"],
        "processing": ["done", "failed"],
        "failed": ["processing"],
        "done": [],
    }


def test_upload_checks_size_type_and_rows_once():
    with pytest.raises(ImportJobError, match=r"big.csv is 0.0 MB; files up to 0 MB are accepted"):
        upload(b"x" * 1_001, "big.csv")
    with pytest.raises(ImportJobError, match="PDF"):
        upload(b"%PDF-1.4 nonsense", "x.xlsx")
    with pytest.raises(ImportJobError, match="has 7 rows; files of up to 5 rows are accepted"):
        upload(b"".join(b"07400123456\n" for _ in range(7)))
    job = upload()
    assert (job.status, job.file_kind, job.rows_total, job.original_filename) == (Status.DRAFT, "csv", 2, "a.csv")
    assert job.source_file.read() == b"phone\n07400123456\n"


def test_markup_claim_and_a_redelivery_after_a_lost_worker():
    job = upload()
    import_job_mark_up(job=job, markup=Markup(phone_column=0, default_region="gb"))
    assert (job.status, job.markup["default_region"]) == (Status.PROCESSING, "GB")
    with pytest.raises(ImportJobError, match="cannot be marked up again"):
        import_job_mark_up(job=job, markup=Markup(phone_column=0, default_region="GB"))
    claimed = import_job_claim(job.pk)
    assert claimed is not None and claimed.phase == ImportJob.Phase.READING and claimed.started_at
    # The same task delivered again finds the job claimed and still processing: its worker died.
    assert import_job_claim(job.pk) is None
    job.refresh_from_db()
    assert (job.status, job.failure_reason) == (Status.FAILED, INTERRUPTED)


def test_finish_records_the_counts_and_deletes_the_file(django_capture_on_commit_callbacks):
    job = upload()
    storage, name = job.source_file.storage, job.source_file.name
    import_job_mark_up(job=job, markup=Markup(phone_column=0, default_region="GB"))
    with django_capture_on_commit_callbacks(execute=True):
        assert import_job_finish(job_id=job.pk, report=ImportReport(rows=3, correct=1, incorrect=1, duplicates=1))
    job.refresh_from_db()
    assert (job.status, job.rows_total, job.correct_count, job.progress_percent) == (Status.DONE, 3, 1, 100)
    assert job.source_file.name == "" and not storage.exists(name)
    assert not import_job_finish(job_id=job.pk, report=ImportReport(rows=3, correct=1, incorrect=1, duplicates=1))
    assert not import_job_fail(job_id=job.pk, reason="too late")


def test_a_run_hands_the_job_to_its_kind_and_fails_it_with_a_reason(monkeypatch):
    calls = []

    def explode(job):
        calls.append(job.pk)
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(kinds._KINDS, "dids", ImportKind(run=explode, failed=lambda pk, why: calls.append(why)))
    job = upload()
    import_job_mark_up(job=job, markup=Markup(phone_column=0, default_region="GB"))
    finished = import_job_run(job_id=job.pk)
    assert finished.status == Status.FAILED
    assert calls == [job.pk, finished.failure_reason]
    assert import_job_run(job_id=job.pk) is None  # failed jobs are not run again until marked up


def test_kinds_are_registered_by_their_apps():
    assert kind_of(ImportJob.Kind.DISTRIBUTION_LIST).failed is not None
    assert kind_of(ImportJob.Kind.DIDS).run.__module__ == "dids.imports"
    with pytest.raises(LookupError, match="no-such-kind"):
        kind_of("no-such-kind")
