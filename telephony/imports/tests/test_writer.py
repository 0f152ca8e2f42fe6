import pytest
from django.db import connection
from django.utils import timezone

from customers.models import Customer
from telephony.imports import BulkWriter


def rows(start, count):
    now = timezone.now()
    return [(f"Bulk {n}", f"bulk-{n}", "UTC", True, now) for n in range(start, start + count)]


FIELDS = ["name", "slug", "time_zone", "is_active", "created_at"]


@pytest.mark.django_db(transaction=False)
def test_staged_rows_appear_only_when_published():
    with BulkWriter(Customer, FIELDS, batch_size=7) as writer:
        writer.add_many(rows(0, 10))
        writer.add_many(rows(10, 15))
        assert writer.staged == 25
        assert not Customer.objects.filter(slug__startswith="bulk-").exists()
        assert writer.publish() == 25
    assert Customer.objects.filter(slug__startswith="bulk-").count() == 25
    assert Customer.objects.get(slug="bulk-24").name == "Bulk 24"


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
def test_conflicts_can_be_ignored():
    Customer.objects.create(name="Existing", slug="bulk-3")
    with BulkWriter(Customer, FIELDS, ignore_conflicts=True) as writer:
        writer.add_many(rows(0, 5))
        inserted = writer.publish()
    assert Customer.objects.filter(slug__startswith="bulk-").count() == 5
    assert Customer.objects.get(slug="bulk-3").name == "Existing"
    if connection.vendor == "postgresql":
        assert inserted == 4


@pytest.mark.integration
@pytest.mark.django_db
def test_postgres_path_uses_copy_into_a_staging_table():
    with BulkWriter(Customer, FIELDS) as writer:
        writer.add_many(rows(0, 3))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {writer._stage_table}")
            assert cursor.fetchone()[0] == 3
        writer.publish()
    assert Customer.objects.filter(slug__startswith="bulk-").count() == 3
