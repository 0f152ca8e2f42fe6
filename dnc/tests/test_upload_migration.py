"""Do-not-call uploads of before ImportJob are carried over onto jobs, and back.

Rolls the schema back to before ``dnc`` 0005 (``imports`` before the ``dnc``
kind), writes uploads with the historical models of that schema, migrates
forward and reads them through today's models and the API's answer.
"""

from __future__ import annotations

import datetime as dt

import pytest

from dnc.api.views import _upload_data
from dnc.models import DncUpload
from telephony.imports.models import ImportJob
from telephony.tests.migrating import leaves, migrate

BEFORE = [("dnc", "0004_polish_verbose_names"), ("imports", "0002_imports_pool_kind")]
WHEN = dt.datetime(2026, 12, 2, 8, 15, tzinfo=dt.UTC)
REPORT = {
    "added": 2,
    "already_listed": 1,
    "incorrect": 1,
    "incorrect_rows": [{"row": 4, "value": "rubbish", "reason": "Number 'rubbish' is not a valid phone number"}],
}


def _populate(apps) -> dict[str, int]:
    Customer = apps.get_model("customers", "Customer")
    User = apps.get_model("customers", "User")
    DncUpload = apps.get_model("dnc", "DncUpload")

    customer = Customer.objects.create(name="Old DNC Ltd", slug="old-dnc")
    user = User.objects.create(email="ops@old-dnc.example", customer=customer)
    ready = DncUpload.objects.create(
        customer=customer,
        original_filename="ready.csv",
        rows_total=4,
        status="ready",
        report=REPORT,
        added_by=user,
    )
    busy = DncUpload.objects.create(
        customer=None, source_file="dnc/2026/12/busy.csv", original_filename="busy.csv", rows_total=90_000
    )
    failed = DncUpload.objects.create(
        customer=customer,
        source_file="dnc/2026/12/bad.xlsx",
        original_filename="bad.xlsx",
        status="failed",
        failure_reason="bad.xlsx looks like a ZIP archive but is damaged.",
    )
    DncUpload.objects.filter(pk=ready.pk).update(created_at=WHEN)
    return {"ready": ready.pk, "busy": busy.pk, "failed": failed.pk, "customer": customer.pk, "user": user.pk}


def _carried_over(ids: dict[str, int]) -> None:
    ready = DncUpload.objects.select_related("job").get(pk=ids["ready"])
    job = ready.job
    assert (job.kind, job.status, job.customer_id, job.created_by_id) == ("dnc", "done", ids["customer"], ids["user"])
    assert (job.created_at, job.rows_total, job.incorrect_count) == (WHEN, 4, 1)
    # The API answers as it did before the move, under the same id.
    assert _upload_data(ready) == {
        "id": ids["ready"],
        "filename": "ready.csv",
        "rows": 4,
        "status": "ready",
        "report": REPORT,
        "failure_reason": "",
    }
    assert ready.list_name == "customer" and ready.progress_percent == 100

    busy = DncUpload.objects.select_related("job").get(pk=ids["busy"])
    assert (busy.status, busy.list_name, busy.report) == ("failed", "platform", {})
    assert "stopped by an upgrade" in busy.failure_reason and "Upload the file again" in busy.failure_reason
    assert busy.job.source_file.name == "dnc/2026/12/busy.csv"

    failed = DncUpload.objects.select_related("job").get(pk=ids["failed"])
    assert (failed.status, failed.failure_reason) == ("failed", "bad.xlsx looks like a ZIP archive but is damaged.")
    assert ImportJob.objects.filter(kind="dnc").count() == 3


def _roundtrip() -> None:
    state = migrate(BEFORE)
    try:
        ids = _populate(state.apps)
    finally:
        migrate(leaves())
    _carried_over(ids)
    # And back: the old columns are filled from the jobs again.
    state = migrate(BEFORE)
    try:
        old = state.apps.get_model("dnc", "DncUpload")
        ready = old.objects.get(pk=ids["ready"])
        assert (ready.status, ready.report, ready.customer_id, ready.created_at) == (
            "ready",
            REPORT,
            ids["customer"],
            WHEN,
        )
        busy = old.objects.get(pk=ids["busy"])
        assert (busy.status, busy.customer_id, busy.source_file.name) == ("failed", None, "dnc/2026/12/busy.csv")
    finally:
        migrate(leaves())


@pytest.mark.django_db(transaction=True)
def test_dnc_uploads_of_before_import_jobs_are_carried_over():
    _roundtrip()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_dnc_uploads_of_before_import_jobs_are_carried_over_on_postgresql():
    _roundtrip()
