"""Lists and DID imports of before ImportJob are carried over onto jobs, and back.

Rolls the schema back to before ``imports`` existed, writes rows with the
historical models of that schema, migrates forward and reads them through
today's models (docs/decisions/one-import-job.md).
"""

from __future__ import annotations

import datetime as dt

import pytest

from dids.models import DIDImport
from distribution_lists.models import DistributionList
from telephony.imports.models import ImportJob
from telephony.tests.migrating import leaves, migrate

BEFORE = [
    ("distribution_lists", "0004_ux18_duplicate_rows_import_phase"),
    ("dids", "0006_fewer_write_only_indexes"),
    ("callerid_pools", "0001_pools_split_initial"),
    ("imports", None),
]
WHEN = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)


def _populate(apps) -> dict[str, int]:
    Customer = apps.get_model("customers", "Customer")
    DistributionList = apps.get_model("distribution_lists", "DistributionList")
    Operator = apps.get_model("dids", "Operator")
    DIDImport = apps.get_model("dids", "DIDImport")

    customer = Customer.objects.create(name="Old lists Ltd", slug="old-lists")
    ready = DistributionList.objects.create(
        customer=customer,
        name="Ready",
        status="ready",
        source_file="distribution_lists/2026/12/ready.csv",
        original_filename="ready.csv",
        file_kind="csv",
        has_header=False,
        phone_column=1,
        column_names=["name", "phone"],
        default_region="FR",
        rows_total=10,
        rows_read=10,
        correct_count=8,
        incorrect_count=1,
        duplicate_count=1,
        finished_at=WHEN,
    )
    DistributionList.objects.filter(pk=ready.pk).update(created_at=WHEN)
    busy = DistributionList.objects.create(
        customer=customer,
        name="Busy",
        status="processing",
        source_file="distribution_lists/2026/12/busy.xlsx",
        original_filename="busy.xlsx",
        file_kind="xlsx",
        import_phase="saving",
        rows_total=1000,
        rows_read=1000,
        rows_to_save=1000,
        rows_saved=250,
        import_started_at=WHEN,
        progress_updated_at=WHEN,
    )
    failed = DistributionList.objects.create(
        customer=customer, name="Failed", status="failed", failure_reason="The file has no rows."
    )
    operator = Operator.objects.create(name="Old operator")
    did_import = DIDImport.objects.create(
        status="done",
        source_file="did_imports/2026/12/dids.csv",
        original_filename="dids.csv",
        file_kind="csv",
        number_column=2,
        operator_column=0,
        tag_column=3,
        default_operator=operator,
        default_status="reserved",
        default_tag="old",
        default_region="DE",
        rows_total=5,
        rows_read=5,
        created_count=3,
        existing_count=1,
        incorrect_count=1,
        finished_at=WHEN,
    )
    return {"ready": ready.pk, "busy": busy.pk, "failed": failed.pk, "did_import": did_import.pk}


def _carried_over(ids: dict[str, int]) -> None:
    ready = DistributionList.objects.select_related("job").get(pk=ids["ready"])
    job = ready.job
    assert job is not None and job.customer is not None
    assert (ready.status, job.status, job.kind) == ("ready", "done", "distribution_list")
    assert (job.source_file.name, ready.original_filename, ready.file_kind) == (
        "distribution_lists/2026/12/ready.csv",
        "ready.csv",
        "csv",
    )
    assert job.markup == {
        "has_header": False,
        "phone_column": 1,
        "default_region": "FR",
        "column_names": ["name", "phone"],
        "extra": {},
    }
    assert (ready.variables, ready.rows_total, ready.correct_count, ready.progress_percent) == (["name"], 10, 8, 100)
    assert (job.created_at, ready.finished_at, job.customer.slug) == (WHEN, WHEN, "old-lists")

    busy = DistributionList.objects.get(pk=ids["busy"])
    assert (busy.status, busy.import_phase, busy.rows_saved, busy.progress_percent) == ("processing", "saving", 250, 25)
    assert busy.job is not None and busy.job.started_at == WHEN
    failed = DistributionList.objects.get(pk=ids["failed"])
    assert failed.job is not None
    assert (failed.job.status, failed.failure_reason) == ("failed", "The file has no rows.")

    did_import = DIDImport.objects.select_related("job").get(pk=ids["did_import"])
    assert (did_import.status, did_import.original_filename, did_import.created_count) == ("done", "dids.csv", 3)
    assert did_import.job.markup["phone_column"] == 2
    assert did_import.job.markup["extra"] == {"operator": 0, "tag": 3}
    assert did_import.job.markup["default_region"] == "DE"
    assert (did_import.default_status, did_import.default_tag, did_import.incorrect_count) == ("reserved", "old", 1)
    assert ImportJob.objects.count() == 4


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
        old = state.apps.get_model("distribution_lists", "DistributionList").objects.get(pk=ids["busy"])
        assert (old.original_filename, old.import_phase, old.rows_saved) == ("busy.xlsx", "saving", 250)
        old_import = state.apps.get_model("dids", "DIDImport").objects.get(pk=ids["did_import"])
        assert (old_import.number_column, old_import.tag_column, old_import.status) == (2, 3, "done")
    finally:
        migrate(leaves())


@pytest.mark.django_db(transaction=True)
def test_lists_and_did_imports_of_before_import_jobs_are_carried_over():
    _roundtrip()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_lists_and_did_imports_of_before_import_jobs_are_carried_over_on_postgresql():
    _roundtrip()
