import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import CallJob
from campaigns.tests.factories import make_campaign
from distribution_lists import services
from distribution_lists.models import Contact, DistributionList, DuplicateRow, IncorrectRow
from distribution_lists.tests.factories import (
    ENGINE_DATA,
    ContactFactory,
    DistributionListFactory,
    IncorrectRowFactory,
    import_file,
)
from telephony.imports import jobs as import_jobs
from telephony.imports import tasks
from telephony.imports.jobs import INTERRUPTED, import_job_reap_stalled
from telephony.imports.models import ImportJob

pytestmark = pytest.mark.django_db
Status = DistributionList.Status


@pytest.mark.parametrize(
    "name", ["utf8_comma.csv", "utf8_bom_semicolon.csv", "utf16_tab.txt", "libreoffice_numbers.xlsx"]
)
def test_import_records_every_row_as_correct_incorrect_or_duplicate(customer, name):
    distribution_list = import_file(customer, ENGINE_DATA / name)
    assert distribution_list.status == Status.READY
    rows = distribution_list.rows_total
    assert (
        rows == distribution_list.correct_count + distribution_list.incorrect_count + distribution_list.duplicate_count
    )
    assert distribution_list.rows_read == rows
    assert distribution_list.duplicate_count == 1
    assert Contact.objects.filter(distribution_list=distribution_list).count() == distribution_list.correct_count
    assert IncorrectRow.objects.filter(distribution_list=distribution_list).count() == distribution_list.incorrect_count
    assert DuplicateRow.objects.filter(distribution_list=distribution_list).count() == 1


def test_a_duplicate_is_kept_with_the_row_it_repeats(customer):
    distribution_list = import_file(customer, ENGINE_DATA / "utf8_comma.csv")
    duplicate = DuplicateRow.objects.get(distribution_list=distribution_list)
    first = Contact.objects.get(distribution_list=distribution_list, phone=duplicate.phone)
    assert (duplicate.row_number, duplicate.first_row_number, duplicate.phone) == (7, 2, "+447400123456")
    assert first.row_number == duplicate.first_row_number
    assert duplicate.cells[0] == duplicate.raw_phone


def test_the_import_goes_through_its_phases_each_with_its_progress(customer, monkeypatch, settings):
    """Reading, then checking numbers (rows read of rows), then saving (rows saved of rows), then ready."""
    settings.DISTRIBUTION_LIST_CHUNK_ROWS = 3
    seen = []

    def look(_label):
        row = DistributionList.objects.filter(status=Status.PROCESSING).first()
        if row is None:  # the upload reads the file too
            return
        seen.append((_label, row.import_phase, row.rows_read, row.rows_total, row.rows_to_save, row.progress_percent))

    real_open_table, real_run_import = services.open_job_table, import_jobs.run_import

    def open_table(*args, **kwargs):
        look("opening")
        return real_open_table(*args, **kwargs)

    def run_import(table, markup, consumer, *, on_progress, **kwargs):
        def progress(done, total):
            on_progress(done, total)
            look("checked")

        report = real_run_import(table, markup, consumer, on_progress=progress, **kwargs)
        return report

    class Saving(services.SavingProgress):
        def __enter__(self):
            look("saving")
            return super().__enter__()

    monkeypatch.setattr(services, "open_job_table", open_table)
    monkeypatch.setattr(import_jobs, "run_import", run_import)
    monkeypatch.setattr(services, "SavingProgress", Saving)
    distribution_list = import_file(customer, ENGINE_DATA / "utf8_comma.csv")
    assert seen == [
        ("opening", "reading", 0, 10, 0, 0),
        ("checked", "checking", 3, 9, 0, 33),  # the file's last line is blank
        ("checked", "checking", 6, 9, 0, 66),
        ("checked", "checking", 8, 8, 0, 100),
        ("saving", "saving", 8, 8, 8, 0),
    ]
    assert (distribution_list.status, distribution_list.import_phase, distribution_list.rows_saved) == (
        Status.READY,
        "",
        8,
    )


def test_contacts_keep_e164_time_zone_and_variables(customer):
    distribution_list = import_file(customer, ENGINE_DATA / "utf8_comma.csv")
    contact = Contact.objects.get(distribution_list=distribution_list, row_number=2)
    assert (contact.phone, contact.time_zone) == ("+447400123456", "Europe/London")
    assert contact.variables == {"name": "Alice Smith", "city": "London"}
    assert distribution_list.variables == ["name", "city"]
    bad = IncorrectRow.objects.get(distribution_list=distribution_list, row_number=6)
    assert bad.raw_phone == "not a number"
    assert bad.cells == ["not a number", "Eve Black", "York"]
    assert "contains letters" in bad.reason


def test_cyrillic_list_in_russia(customer):
    distribution_list = import_file(
        customer, ENGINE_DATA / "cp1251_semicolon.csv", default_region="RU", column_names=["phone", "name", "city"]
    )
    contact = Contact.objects.get(distribution_list=distribution_list, row_number=2)
    assert (contact.phone, contact.variables["city"]) == ("+79123456789", "Москва")


def test_upload_refuses_bad_files_before_creating_anything(customer):
    for name, message in [
        ("empty.csv", "is empty"),
        ("header_only.csv", r"has a header row \(phone, name, city\) and no contacts below it"),
        ("random_bytes.csv", "binary data"),
        ("report.pdf.xls", "is a PDF document"),
    ]:
        with (ENGINE_DATA / name).open("rb") as upload, pytest.raises(services.DistributionListError, match=message):
            services.distribution_list_upload(customer=customer, name=name, upload=upload, filename=name)
    assert not DistributionList.objects.exists()


def test_upload_limits_come_from_settings(customer, settings):
    settings.DISTRIBUTION_LIST_MAX_FILE_BYTES = 100
    data = io.BytesIO(b"phone\n" + b"07400123456\n" * 20)
    with pytest.raises(services.DistributionListError, match=r"files up to 0 MB are accepted"):
        services.distribution_list_upload(customer=customer, name="Big", upload=data, filename="big.csv")
    settings.DISTRIBUTION_LIST_MAX_FILE_BYTES = 10_000
    settings.DISTRIBUTION_LIST_MAX_ROWS = 5
    with pytest.raises(services.DistributionListError, match=r"has 21 rows; files of up to 5 rows are accepted"):
        services.distribution_list_upload(customer=customer, name="Long", upload=data, filename="long.csv")
    assert not DistributionList.objects.exists()


def test_names_are_unique_per_customer(customer):
    DistributionListFactory(customer=customer, name="Leads")
    with pytest.raises(services.DistributionListNameError, match="already have a list named “Leads”"):
        services.distribution_list_upload(
            customer=customer, name="Leads", upload=io.BytesIO(b"phone\n07400123456\n"), filename="a.csv"
        )
    other = DistributionListFactory(name="Leads")  # another customer may use the name
    assert other.customer != customer


def test_markup_enqueues_the_import_after_commit(customer, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.run_import_job, "delay", lambda *args: queued.append(args))
    distribution_list = services.distribution_list_upload(
        customer=customer, name="Q", upload=io.BytesIO(b"phone\n07400123456\n"), filename="q.csv"
    )
    assert distribution_list.status == Status.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        services.distribution_list_mark_up(
            distribution_list=distribution_list,
            has_header=True,
            phone_column=0,
            column_names=["phone"],
            default_region="GB",
        )
    assert queued == [(distribution_list.job_id,)]
    assert DistributionList.objects.get(pk=distribution_list.pk).status == Status.PROCESSING
    with pytest.raises(services.DistributionListError, match="cannot be marked up again"):
        services.distribution_list_mark_up(
            distribution_list=distribution_list, has_header=True, phone_column=0, column_names=[], default_region="GB"
        )


def test_markup_is_validated(customer):
    distribution_list = DistributionListFactory(customer=customer, status=Status.DRAFT)
    with pytest.raises(services.DistributionListError, match="'ZZ' is not a country code"):
        services.distribution_list_mark_up(
            distribution_list=distribution_list, has_header=True, phone_column=0, column_names=[], default_region="ZZ"
        )
    with pytest.raises(services.DistributionListError, match="used twice"):
        services.distribution_list_mark_up(
            distribution_list=distribution_list,
            has_header=True,
            phone_column=0,
            column_names=["phone", "name", "name"],
            default_region="GB",
        )
    assert DistributionList.objects.get(pk=distribution_list.pk).status == Status.DRAFT


def test_a_file_that_fails_during_the_import_leaves_a_failed_list_without_rows(customer, tmp_path):
    # One row, marked up as a header: nothing is left to import. (A header-only file is refused at upload.)
    path = tmp_path / "one_row.csv"
    path.write_text("07400 123456\n", encoding="utf-8")
    distribution_list = import_file(customer, path)
    assert distribution_list.status == Status.FAILED
    assert distribution_list.failure_reason == "The file has a header but no data rows."
    assert not Contact.objects.filter(distribution_list=distribution_list).exists()


def test_row_limit_during_import_fails_the_list_with_nothing_written(customer, settings, tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("phone\n" + "".join(f"07400 1{n:05d}\n" for n in range(30)))
    with path.open("rb") as upload:
        distribution_list = services.distribution_list_upload(
            customer=customer, name="Long", upload=upload, filename="long.csv"
        )
    services.distribution_list_mark_up(
        distribution_list=distribution_list,
        has_header=True,
        phone_column=0,
        column_names=["phone"],
        default_region="GB",
        enqueue=False,
    )
    settings.DISTRIBUTION_LIST_MAX_ROWS = 10
    settings.DISTRIBUTION_LIST_CHUNK_ROWS = 4  # some chunks were staged before the limit was hit
    assert services.distribution_list_import(list_id=distribution_list.pk) is None
    distribution_list.refresh_from_db()
    assert distribution_list.status == Status.FAILED
    assert "more than 10 rows" in distribution_list.failure_reason
    assert not Contact.objects.filter(distribution_list=distribution_list).exists()


def test_an_unexpected_error_fails_the_list(customer, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(import_jobs, "run_import", explode)
    distribution_list = import_file(customer, ENGINE_DATA / "utf8_comma.csv")
    assert distribution_list.status == Status.FAILED
    assert (
        distribution_list.failure_reason
        == "An unexpected error stopped the import; nothing was imported. Please try again."
    )


def test_import_runs_once_and_a_redelivery_after_a_lost_worker_fails_the_list(customer):
    distribution_list = import_file(customer, ENGINE_DATA / "utf8_comma.csv")
    # A second delivery of the finished task changes nothing.
    assert services.distribution_list_import(list_id=distribution_list.pk) is None
    assert DistributionList.objects.get(pk=distribution_list.pk).status == Status.READY
    assert Contact.objects.filter(distribution_list=distribution_list).count() == 5

    # A list claimed by a worker that died is still "processing"; the
    # redelivered task fails it instead of importing it twice.
    lost = DistributionListFactory(customer=customer, status=Status.PROCESSING, job__started_at=timezone.now())
    assert services.distribution_list_import(list_id=lost.pk) is None
    lost.refresh_from_db()
    assert lost.status == Status.FAILED
    assert lost.failure_reason == INTERRUPTED


def test_reaper_fails_imports_that_stopped_reporting_progress(customer, settings):
    settings.IMPORT_STALLED_AFTER_SECONDS = 300
    with time_machine.travel("2026-01-05 10:00:00Z", tick=False):
        stalled = DistributionListFactory(
            customer=customer,
            status=Status.PROCESSING,
            job__started_at=timezone.now(),
            job__progress_updated_at=timezone.now(),
        )
        busy = DistributionListFactory(customer=customer, status=Status.PROCESSING, job__started_at=timezone.now())
        waiting = DistributionListFactory(customer=customer, status=Status.PROCESSING, job__started_at=None)
    with time_machine.travel("2026-01-05 10:06:00Z", tick=False):
        ImportJob.objects.filter(pk=busy.job_id).update(progress_updated_at=timezone.now() - timedelta(seconds=10))
        assert import_job_reap_stalled() == 1
    statuses = dict(DistributionList.objects.values_list("pk", "status"))
    assert statuses == {stalled.pk: Status.FAILED, busy.pk: Status.PROCESSING, waiting.pk: Status.PROCESSING}


def test_a_list_failed_while_importing_is_not_published(customer, monkeypatch):
    # The reaper (or a delete) got there first: the finished import must not
    # turn the list back into ready with rows.
    real_run_import = import_jobs.run_import

    def run_then_lose(*args, **kwargs):
        report = real_run_import(*args, **kwargs)
        services.distribution_list_fail(list_id=DistributionList.objects.get().pk, reason="reaped")
        return report

    monkeypatch.setattr(import_jobs, "run_import", run_then_lose)
    distribution_list = import_file(customer, ENGINE_DATA / "utf8_comma.csv")
    assert (distribution_list.status, distribution_list.failure_reason) == (Status.FAILED, "reaped")
    assert not Contact.objects.exists()


def test_fixing_an_incorrect_row_moves_it_to_contacts(customer):
    distribution_list = import_file(customer, ENGINE_DATA / "utf8_comma.csv")
    row = IncorrectRow.objects.get(distribution_list=distribution_list, row_number=6)
    contact = services.incorrect_row_fix(row=row, phone="07400 654321")
    assert (contact.phone, contact.row_number, contact.variables) == (
        "+447400654321",
        6,
        {"name": "Eve Black", "city": "York"},
    )
    assert not IncorrectRow.objects.filter(pk=row.pk).exists()
    distribution_list.refresh_from_db()
    assert (distribution_list.correct_count, distribution_list.incorrect_count) == (6, 1)


def test_a_bad_fix_says_why_and_changes_nothing(customer):
    distribution_list = import_file(customer, ENGINE_DATA / "utf8_comma.csv")
    row = IncorrectRow.objects.get(distribution_list=distribution_list, row_number=6)
    with pytest.raises(services.DistributionListError, match="'123' is too short for GB"):
        services.incorrect_row_fix(row=row, phone="123")
    with pytest.raises(services.DistributionListError, match=r"\+447400123456 is already in this list \(row 2\)"):
        services.incorrect_row_fix(row=row, phone="07400 123456")
    assert IncorrectRow.objects.filter(pk=row.pk).exists()
    distribution_list.refresh_from_db()
    assert (distribution_list.correct_count, distribution_list.incorrect_count) == (5, 2)


def test_removing_an_incorrect_row(customer):
    row = IncorrectRowFactory(distribution_list__customer=customer, distribution_list__incorrect_count=1)
    services.incorrect_row_delete(row=row)
    assert not IncorrectRow.objects.exists()
    assert DistributionList.objects.get().incorrect_count == 0


def test_delete_removes_rows_and_file(customer, django_capture_on_commit_callbacks):
    distribution_list = import_file(customer, ENGINE_DATA / "utf8_comma.csv")
    with django_capture_on_commit_callbacks(execute=True):
        services.distribution_list_delete(distribution_list=distribution_list)
    assert not DistributionList.objects.exists()
    assert not ImportJob.objects.exists()
    assert not Contact.objects.exists()
    assert not IncorrectRow.objects.exists()

    # A draft still has its file: deleting the list deletes it.
    with (ENGINE_DATA / "utf8_comma.csv").open("rb") as upload:
        draft = services.distribution_list_upload(customer=customer, name="Draft", upload=upload, filename="a.csv")
    storage, name = draft.job.source_file.storage, draft.job.source_file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.distribution_list_delete(distribution_list=draft)
    assert not storage.exists(name)


def test_a_finished_import_deletes_its_stored_file(customer, django_capture_on_commit_callbacks):
    with (ENGINE_DATA / "utf8_comma.csv").open("rb") as upload:
        distribution_list = services.distribution_list_upload(
            customer=customer, name="Done", upload=upload, filename="a.csv"
        )
    storage, name = distribution_list.job.source_file.storage, distribution_list.job.source_file.name
    services.distribution_list_mark_up(
        distribution_list=distribution_list,
        has_header=True,
        phone_column=0,
        column_names=["phone", "name", "city"],
        default_region="GB",
        enqueue=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.distribution_list_import(list_id=distribution_list.pk)
    distribution_list.refresh_from_db()
    assert distribution_list.status == Status.READY
    assert distribution_list.job.source_file.name == ""
    assert not storage.exists(name)


class _FakeCampaigns:
    """Stands in for the campaigns app's reverse relation ``distribution_list.campaigns``."""

    def __init__(self, campaigns):
        self.campaigns = campaigns

    def filter(self, status__in):
        matching = [c for c in self.campaigns if c.status in status__in]
        return SimpleNamespace(values_list=lambda *a, flat: matching and [c.name for c in matching])


def test_delete_is_refused_while_a_launched_or_paused_campaign_uses_the_list(customer, monkeypatch):
    distribution_list = ContactFactory(distribution_list__customer=customer).distribution_list
    campaigns = [SimpleNamespace(name="Spring sale", status="launched"), SimpleNamespace(name="Old", status="finished")]
    monkeypatch.setattr(DistributionList, "campaigns", _FakeCampaigns(campaigns), raising=False)
    with pytest.raises(services.DistributionListError, match="a launched or paused campaign uses it: “Spring sale”"):
        services.distribution_list_delete(distribution_list=distribution_list)
    assert Contact.objects.filter(distribution_list=distribution_list).exists()
    monkeypatch.setattr(DistributionList, "campaigns", _FakeCampaigns(campaigns[1:]), raising=False)
    services.distribution_list_delete(distribution_list=distribution_list)
    assert not DistributionList.objects.exists()


def test_delete_runs_a_fixed_number_of_queries(customer, django_assert_max_num_queries):
    distribution_list = DistributionListFactory(customer=customer)
    ContactFactory.create_batch(30, distribution_list=distribution_list)
    IncorrectRowFactory.create_batch(5, distribution_list=distribution_list)
    # The list's rows, the list, then its import job (the job's collector: 5 statements), whatever the row count.
    with django_assert_max_num_queries(17):
        services.distribution_list_delete(distribution_list=distribution_list)
    assert not Contact.objects.exists()
    assert not IncorrectRow.objects.exists()


def test_delete_never_loads_the_lists_rows(customer):
    distribution_list = DistributionListFactory(customer=customer)
    ContactFactory.create_batch(3, distribution_list=distribution_list)
    IncorrectRowFactory.create_batch(2, distribution_list=distribution_list)
    with CaptureQueriesContext(connection) as queries:
        services.distribution_list_delete(distribution_list=distribution_list)
    rows_tables = {model._meta.db_table for model in (Contact, IncorrectRow, DuplicateRow)}
    statements = [query["sql"] for query in queries.captured_queries]
    for table in rows_tables:
        touching = [sql for sql in statements if f'"{table}"' in sql]
        assert len(touching) == 1 and touching[0].startswith("DELETE"), touching


def test_deleting_a_list_keeps_a_finished_campaigns_jobs_without_their_contacts(customer):
    campaign = make_campaign(customer, status="finished", name="Done")
    contact = ContactFactory(distribution_list=campaign.distribution_list)
    job = CallJob.objects.create(campaign=campaign, contact=contact, phone=contact.phone, time_zone="Europe/London")
    services.distribution_list_delete(distribution_list=campaign.distribution_list)
    assert not Contact.objects.exists()
    # The job keeps its copied number; the id it kept of its contact finds nothing.
    job = CallJob.objects.select_related("contact").get(pk=job.pk)
    assert (job.phone, job.contact) == (contact.phone, None)
