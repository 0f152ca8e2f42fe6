"""DNC files imported by a real Celery worker process into PostgreSQL (COPY), and one killed half-way.

Waiting for the worker polls the database until a condition holds (with a deadline).
"""

import signal
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from distribution_lists.tests.test_integration import wait_until, worker  # noqa: F401 (fixture)
from dnc.models import DncEntry, DncSource, DncUpload
from dnc.services import dnc_add
from dnc.upload import dnc_upload
from telephony.imports.jobs import INTERRUPTED, import_job_reap_stalled

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _upload(customer, path):
    with path.open("rb") as source:
        return dnc_upload(customer=customer, upload=source, filename=path.name)


def _job_status(upload: DncUpload) -> str:
    return DncUpload.objects.select_related("job").get(pk=upload.pk).job.status


def test_a_worker_imports_a_large_file_next_to_the_entries_already_listed(worker, tmp_path):  # noqa: F811
    customer = CustomerFactory()
    dnc_add(customer=customer, number="+447911000007", source=DncSource.API)
    dnc_add(customer=None, number="+447911000008", source=DncSource.ADMIN)  # the platform's: not this list's
    path = tmp_path / "opt-outs.csv"
    numbers = [f"+447911{n:06d}" for n in range(30_000)]  # more than DNC_UPLOAD_INLINE_ROWS
    path.write_text("phone\n" + "\n".join(numbers) + "\nprefix:+44870\n+447911000001\n")
    upload = _upload(customer, path)
    assert upload.status == "processing"
    wait_until(lambda: _job_status(upload) != "processing", what="the worker to finish the upload")
    upload = DncUpload.objects.select_related("job").get(pk=upload.pk)
    assert upload.status == "ready", upload.failure_reason
    assert upload.report["added"] == 30_000  # every number but the one listed, and the prefix
    # The header row ("phone": no digit) is skipped, not counted as incorrect.
    assert (upload.report["already_listed"], upload.report["incorrect"]) == (2, 0)
    assert upload.report["incorrect_rows"] == []
    listed = DncEntry.objects.filter(customer=customer)
    assert listed.count() == 30_001 and listed.filter(source=DncSource.UPLOAD).count() == 30_000
    assert listed.get(number="+44870").is_prefix
    assert upload.job.source_file.name == ""


def test_a_worker_killed_half_way_leaves_no_entry_and_the_reaper_fails_the_upload(worker, tmp_path):  # noqa: F811
    customer = CustomerFactory()
    path = tmp_path / "big.csv"
    path.write_text("".join(f"+447911{n:06d}\n" for n in range(300_000)))
    upload = _upload(customer, path)
    stored = upload.job.source_file.name
    wait_until(
        lambda: DncUpload.objects.select_related("job").get(pk=upload.pk).job.rows_read > 0,
        what="the first chunk's progress",
    )
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=20)
    assert _job_status(upload) == "processing"
    # Nothing was published: the entries sat in the dead connection's staging table.
    assert not DncEntry.objects.filter(customer=customer).exists()

    stalled_after = timedelta(seconds=settings.IMPORT_STALLED_AFTER_SECONDS + 1)
    with time_machine.travel(timezone.now() + stalled_after, tick=False):
        assert import_job_reap_stalled() == 1
    upload = DncUpload.objects.select_related("job").get(pk=upload.pk)
    assert (upload.status, upload.failure_reason) == ("failed", INTERRUPTED)
    assert not default_storage.exists(stored)
