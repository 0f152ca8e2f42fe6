"""A real Celery worker process, Redis and PostgreSQL importing uploads.

Waiting for the worker polls the database until a condition holds (with a
deadline): nothing here asserts on elapsed time.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from distribution_lists import services
from distribution_lists.models import Contact, DistributionList, IncorrectRow
from distribution_lists.tests.factories import ENGINE_DATA
from telephony.celery import app
from telephony.imports.jobs import INTERRUPTED, import_job_reap_stalled

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
Status = DistributionList.Status


@pytest.fixture
def worker(tmp_path):
    """Start ``celery worker`` against this test database; yields its Popen."""
    queue = f"lists-test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DISTRIBUTION_LIST_CHUNK_ROWS": "2000",
    }
    # The tasks enqueued by this test go to a queue of its own.

    app.conf.task_default_queue = queue
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "telephony", "worker", "--pool=solo", "-Q", queue, "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
        stdout=open(tmp_path / "worker.log", "w"),  # noqa: SIM115 - closed with the process
        stderr=subprocess.STDOUT,
    )
    yield process
    app.conf.task_default_queue = "celery"
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=20)


def wait_until(condition, *, deadline_seconds=90, what="condition"):
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"gave up waiting for {what}")


def upload_and_mark_up(customer, path, name):
    with path.open("rb") as upload:
        distribution_list = services.distribution_list_upload(
            customer=customer, name=name, upload=upload, filename=path.name
        )
    return services.distribution_list_mark_up(
        distribution_list=distribution_list,
        has_header=True,
        phone_column=0,
        column_names=["phone", "name", "city"],
        default_region="GB",
    )


def test_worker_imports_an_upload(worker):
    customer = CustomerFactory()
    distribution_list = upload_and_mark_up(customer, ENGINE_DATA / "libreoffice_numbers.xlsx", "From Calc")
    assert distribution_list.status == Status.PROCESSING
    wait_until(
        lambda: DistributionList.objects.get(pk=distribution_list.pk).status != Status.PROCESSING,
        what="the worker to finish the import",
    )
    distribution_list.refresh_from_db()
    assert distribution_list.status == Status.READY, distribution_list.failure_reason
    assert (distribution_list.correct_count, distribution_list.incorrect_count, distribution_list.duplicate_count) == (
        4,
        1,
        1,
    )
    phones = list(Contact.objects.filter(distribution_list=distribution_list).values_list("phone", flat=True))
    assert phones == ["+447400123456", "+442079460018", "+447400123458", "+441614960000"]
    assert IncorrectRow.objects.get(distribution_list=distribution_list).raw_phone == "hello"


def test_a_worker_killed_mid_import_leaves_a_failed_list_and_no_rows(worker, tmp_path):
    customer = CustomerFactory()
    path = tmp_path / "big.csv"
    path.write_text("phone,name,city\n" + "".join(f"07400 {n:06d},P{n},Leeds\n" for n in range(200_000)))
    distribution_list = upload_and_mark_up(customer, path, "Big")
    wait_until(
        lambda: DistributionList.objects.select_related("job").get(pk=distribution_list.pk).rows_read > 0,
        what="the first chunk's progress",
    )
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=20)
    distribution_list.refresh_from_db()
    assert distribution_list.status == Status.PROCESSING
    # Nothing was published: the rows sat in the dead connection's staging table.
    assert not Contact.objects.filter(distribution_list=distribution_list).exists()
    assert not IncorrectRow.objects.filter(distribution_list=distribution_list).exists()

    stalled_after = timedelta(seconds=settings.IMPORT_STALLED_AFTER_SECONDS + 1)
    with time_machine.travel(timezone.now() + stalled_after, tick=False):
        assert import_job_reap_stalled() == 1
    distribution_list.refresh_from_db()
    assert distribution_list.status == Status.FAILED
    assert distribution_list.failure_reason == INTERRUPTED
