"""``dids.search`` behaves the same on SQLite and PostgreSQL.

Collected again under the integration mark by ``test_search_parity_postgresql.py``.
Beyond the cap PostgreSQL answers with an estimate where SQLite counts: the
behaviour both keep is "exact up to the cap, more than the cap beyond it".
"""

import pytest
from django.db import connection

from dids import search, selectors
from dids.models import DID, DIDStatus
from dids.tests.factories import DIDFactory

pytestmark = [pytest.mark.django_db]


def stock(count: int, **fields) -> list[DID]:
    return [DIDFactory(**fields) for _ in range(count)]


def analyze() -> None:
    """Fresh statistics, as autovacuum keeps them for a real inventory (nothing to do on SQLite)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {DID._meta.db_table}")


def test_a_count_up_to_the_cap_is_exact():
    stock(4, tag="gold")
    stock(2, tag="sales")
    assert search.estimated_count(DID.objects.all(), exact_up_to=6) == 6
    assert search.estimated_count(DID.objects.filter(tag="gold"), exact_up_to=4) == 4
    assert search.estimated_count(DID.objects.filter(tag="none"), exact_up_to=4) == 0


def test_beyond_the_cap_the_count_is_more_than_the_cap_for_the_table_and_for_a_filter():
    stock(12, tag="gold")
    stock(3, tag="sales")
    analyze()
    assert search.estimated_count(DID.objects.all(), exact_up_to=5) > 5
    assert search.estimated_count(DID.objects.filter(tag="gold"), exact_up_to=5) > 5
    # A filter whose rows are within the cap stays exact, whatever the table holds.
    assert search.estimated_count(DID.objects.filter(tag="sales"), exact_up_to=5) == 3


def test_beyond_the_cap_with_fresh_statistics_the_estimate_is_near_the_rows():
    stock(40, tag="gold", status=DIDStatus.IN_STOCK)
    analyze()
    assert 20 <= search.estimated_count(DID.objects.all(), exact_up_to=10) <= 80
    assert 11 <= search.estimated_count(DID.objects.filter(tag="gold"), exact_up_to=10) <= 80


def test_the_selector_applies_the_configured_cap(settings):
    settings.DIDS_EXACT_COUNT_UP_TO = 100
    stock(3)
    assert selectors.estimated_count(DID.objects.all()) == 3


def test_distinct_values_are_the_non_empty_values_in_order():
    for tag in ["sales", "", "gold", "sales", "local", ""]:
        DIDFactory(tag=tag)
    assert search.distinct_values("tag") == ["gold", "local", "sales"]


def test_distinct_countries():
    for number, country in [
        ("+441171234567", "GB"),
        ("+12125550100", "US"),
        ("+493012345678", "DE"),
        ("+441179876543", "GB"),
    ]:
        DIDFactory(number=number, iso_country=country)
    assert search.distinct_values("iso_country") == ["DE", "GB", "US"]


def test_distinct_values_of_an_empty_inventory_are_none():
    assert search.distinct_values("tag") == []


def test_only_text_columns_leading_an_index_are_scanned():
    with pytest.raises(ValueError, match="leads an index"):
        search.distinct_values("notes")
    with pytest.raises(ValueError, match="leads an index"):
        search.distinct_values("tag; DROP TABLE dids_did")
    with pytest.raises(ValueError, match="not offered as a filter"):
        selectors.distinct_values("status")
