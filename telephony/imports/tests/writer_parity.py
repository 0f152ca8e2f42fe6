"""The bulk import writer's behaviour, the same on every database.

The tests live here once; ``test_writer_parity_sqlite`` runs them on the
embedded SQLite (unit tests) and ``test_writer_parity_postgresql`` on
PostgreSQL (integration marker), so the ``COPY`` path and the ``bulk_create``
path are held to the same behaviour.
"""

import pytest
from django.db import connection, transaction
from django.utils import timezone

from customers.models import Customer
from dids.models import DID
from dids.tests.factories import DIDFactory
from distribution_lists.models import Contact, DistributionList
from telephony.imports import BulkWriter
from telephony.imports.models import ImportJob
from telephony.imports.writer import SavingProgress, copy_history_rows, existing_keys

FIELDS = ["name", "slug", "time_zone", "is_active", "created_at"]
CONTACT_FIELDS = ["distribution_list", "phone", "time_zone", "variables", "row_number"]


def rows(start, count):
    now = timezone.now()
    return [(f"Bulk {n}", f"bulk-{n}", "UTC", True, now) for n in range(start, start + count)]


def a_list(name="L"):
    customer = Customer.objects.create(name=f"Owner of {name}", slug=f"owner-{name.lower()}")
    return DistributionList.objects.create(customer=customer, name=name, status="processing")


@pytest.mark.django_db
def test_staged_rows_appear_only_when_published():
    with BulkWriter(Customer, FIELDS, batch_size=7) as writer:
        writer.add_many(rows(0, 10))
        writer.add_many(rows(10, 15))
        writer.add_many([])
        assert writer.staged == 25
        assert not Customer.objects.filter(slug__startswith="bulk-").exists()
        assert writer.publish() == 25
        assert writer.staged == 0
    assert Customer.objects.filter(slug__startswith="bulk-").count() == 25
    assert Customer.objects.get(slug="bulk-24").name == "Bulk 24"


@pytest.mark.django_db
def test_publishing_nothing_inserts_nothing():
    with BulkWriter(Customer, FIELDS) as writer:
        assert writer.publish() == 0


@pytest.mark.django_db
def test_leaving_the_block_discards_what_was_not_published():
    with pytest.raises(RuntimeError), BulkWriter(Customer, FIELDS) as writer:
        writer.add_many(rows(0, 5))
        raise RuntimeError("the import failed")
    assert writer.staged == 0
    assert not Customer.objects.filter(slug__startswith="bulk-").exists()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'import_stage_%'")
            assert cursor.fetchone()[0] == 0


@pytest.mark.django_db
def test_a_rolled_back_publish_leaves_no_rows():
    with BulkWriter(Customer, FIELDS) as writer:
        writer.add_many(rows(0, 5))
        with transaction.atomic():
            writer.publish()
            transaction.set_rollback(True)
    assert not Customer.objects.filter(slug__startswith="bulk-").exists()


@pytest.mark.django_db
def test_conflicts_can_be_ignored():
    Customer.objects.create(name="Existing", slug="bulk-3")
    with BulkWriter(Customer, FIELDS, ignore_conflicts=True) as writer:
        writer.add_many(rows(0, 5))
        writer.publish()
    assert Customer.objects.filter(slug__startswith="bulk-").count() == 5
    assert Customer.objects.get(slug="bulk-3").name == "Existing"


@pytest.mark.django_db
def test_json_and_foreign_keys_round_trip():
    distribution_list = a_list()
    variables = {"name": "Zoë “Z” O'Neil", "city": "Ærøskøbing", "empty": "", "tab": "a\tb", "newline": "a\nb"}
    with BulkWriter(Contact, CONTACT_FIELDS) as writer:
        writer.add_many([(distribution_list.pk, "+447400123456", "Europe/London", variables, 2)])
        writer.publish()
    contact = Contact.objects.get()
    assert (contact.distribution_list_id, contact.phone, contact.variables, contact.row_number) == (
        distribution_list.pk,
        "+447400123456",
        variables,
        2,
    )


@pytest.mark.django_db
def test_progress_rises_to_the_number_published():
    reported = []
    with BulkWriter(Customer, FIELDS, batch_size=10) as writer:
        writer.add_many(rows(0, 35))
        assert writer.publish(reported.append, progress_rows=10) == 35
    assert reported and reported == sorted(reported)
    assert reported[-1] == 35


@pytest.mark.django_db(transaction=True)
def test_saving_progress_is_committed_beside_the_open_transaction_or_not_at_all():
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.DISTRIBUTION_LIST, status=ImportJob.Status.PROCESSING, rows_to_save=100
    )
    with SavingProgress(ImportJob, job.pk, while_status=ImportJob.Status.PROCESSING) as saving, transaction.atomic():
        saving.report(40)
        saving.report(400)  # never more than the rows to save
        seen = ImportJob.objects.get(pk=job.pk).rows_saved
    # PostgreSQL shows the count while the transaction is open (another
    # connection wrote it); SQLite has one writer, so no count there.
    assert seen == (100 if connection.vendor == "postgresql" else 0)


@pytest.mark.django_db
def test_existing_keys_are_the_ones_already_in_the_table():
    DIDFactory(number="+441174090100")
    DIDFactory(number="+441174090101")
    wanted = ["+441174090100", "+441174090102"] + [f"+4411740911{n:02d}" for n in range(600)]
    assert existing_keys(DID, "number", wanted) == {"+441174090100"}
    assert existing_keys(DID, "number", []) == set()


@pytest.mark.django_db
def test_history_rows_are_copied_for_the_published_rows_only():
    first, second = DIDFactory(number="+441174090100"), DIDFactory(number="+441174090101")
    DID.history.all().delete()
    when = timezone.now()
    copy_history_rows(DID, "number", [first.number, "+449999"], user_id=None, reason="import #1", date=when)
    history = list(DID.history.values_list("number", "history_type", "history_change_reason", "history_date"))
    assert history == [(first.number, "+", "import #1", when)]
    assert not DID.history.filter(number=second.number).exists()
