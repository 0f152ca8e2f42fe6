import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from dids import services
from dids.tests.factories import AssignedDIDFactory, ClientPackageFactory, DIDFactory
from telephony.tests.spreadsheets import assert_no_formula, response_bytes, semicolon_cells, xlsx_sheet

pytestmark = pytest.mark.django_db
NUMBERS = reverse("dashboard:numbers")


@pytest.fixture
def package(customer):
    return ClientPackageFactory(customer=customer, package__did_limit=100)


def _mine(package, **kwargs):
    return AssignedDIDFactory(client_package=package, customer=package.customer, **kwargs)


def test_numbers_lists_only_the_customers_dids_and_marks_hold_unreachable(customer_client, package):
    mine = _mine(package, tag="sales")
    held_package = ClientPackageFactory(customer=package.customer)
    held = _mine(held_package)
    services.client_package_deactivate(client_package=held_package)
    other = AssignedDIDFactory()
    stock = DIDFactory()
    page = customer_client.get(NUMBERS).content.decode()
    assert mine.number in page and held.number in page
    assert other.number not in page and stock.number not in page
    assert "Hold · unreachable" in page


def test_numbers_filters_and_digits_search(customer_client, package):
    a = _mine(package, number="+441174090111", tag="sales")
    b = _mine(package, number="+442079460000", area_code="20", locality="London")
    assert [d.number for d in customer_client.get(NUMBERS, {"q": "0111"}).context["page"]] == [a.number]
    assert [d.number for d in customer_client.get(NUMBERS, {"tag": "SALES"}).context["page"]] == [a.number]
    assert [d.number for d in customer_client.get(NUMBERS, {"status": "assigned"}).context["page"]] == [
        a.number,
        b.number,
    ]
    assert list(customer_client.get(NUMBERS, {"status": "hold"}).context["page"]) == []


def test_numbers_query_count_is_fixed(customer_client, package, django_assert_max_num_queries):
    _mine(package)
    customer_client.get(NUMBERS)
    with django_assert_max_num_queries(8) as captured:
        customer_client.get(NUMBERS)
    for _ in range(30):
        _mine(package)
    with django_assert_max_num_queries(len(captured.captured_queries)):
        customer_client.get(NUMBERS)


def test_export_is_the_customers_filtered_list_only(customer_client, package):
    _mine(package, number="+441174090111", tag="sales", notes="internal")
    _mine(package, number="+441174090112", tag="support")
    AssignedDIDFactory(tag="sales")
    response = customer_client.get(NUMBERS, {"tag": "sales", "export": "csv"})
    rows = list(csv.DictReader(io.StringIO(response_bytes(response).decode("utf-8-sig"))))
    assert [row["number"] for row in rows] == ["+441174090111"]
    assert "notes" not in rows[0] and "operator" not in rows[0]


def _held_number(package):
    """A number of the customer's in Hold until 12:00:05 UTC (08:00:05 in New York), tagged like a formula."""
    package.customer.time_zone = "America/New_York"
    package.customer.save(update_fields=["time_zone"])
    ends = dt.datetime(2026, 7, 1, 12, 0, 5, tzinfo=dt.UTC)
    return _mine(package, number="+441174090111", tag="=1+1", status="hold", hold_started_at=ends, hold_ends_at=ends)


def test_csv_export_in_the_customers_zone_with_numbers_as_they_are(customer_client, package):
    _held_number(package)
    _mine(package, number="+441174090112", tag="x;=1+1")
    response = customer_client.get(NUMBERS, {"export": "csv"})
    assert response.streaming  # read after the middleware has put the zone away
    rows = list(csv.DictReader(io.StringIO(response_bytes(response).decode("utf-8-sig"))))
    assert [(r["number"], r["tag"], r["hold_ends_at"]) for r in rows] == [
        ("+441174090111", "'=1+1", "2026-07-01 08:00:05"),
        ("+441174090112", "x;=1+1", ""),
    ]
    cells = semicolon_cells(customer_client.get(NUMBERS, {"export": "csv"}))
    assert {len(row) for row in cells} == {1} and not any(c.startswith(("=", "@")) for r in cells for c in r)


def test_xlsx_export_has_text_as_text_and_dates_as_dates(customer_client, package):
    _held_number(package)
    sheet = xlsx_sheet(customer_client.get(NUMBERS, {"export": "xlsx"}))
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["number"] == "+441174090111" and record["tag"] == "=1+1"
    assert record["hold_ends_at"] == dt.datetime(2026, 7, 1, 8, 0, 5)
    assert_no_formula(sheet)


def test_number_detail_of_another_customer_is_404(customer_client, package):
    mine = _mine(package)
    other = AssignedDIDFactory()
    assert customer_client.get(reverse("dashboard:number_detail", args=[mine.pk])).status_code == 200
    assert customer_client.get(reverse("dashboard:number_detail", args=[other.pk])).status_code == 404


def test_staff_without_customer_gets_no_numbers_page(client, admin_user):
    client.force_login(admin_user)
    assert client.get(NUMBERS).status_code == 404
