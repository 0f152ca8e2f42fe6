import csv
import datetime as dt
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.base import ContentFile
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from dids import services
from dids.models import DID, ClientPackage, DIDImport, DIDStatus, Operator, Package
from dids.tests.factories import (
    AssignedDIDFactory,
    ClientPackageFactory,
    DIDFactory,
    OperatorFactory,
    PackageFactory,
)
from telephony.imports.models import ImportJob
from telephony.tests.spreadsheets import assert_no_formula, response_bytes, semicolon_cells, xlsx_sheet

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:dids_did_changelist")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _numbers(response) -> list[str]:
    return [did.number for did in response.context["cl"].result_list]


def test_changelist_query_count_does_not_grow_with_rows(admin_client, django_assert_max_num_queries):
    for _ in range(5):
        AssignedDIDFactory()
    admin_client.get(CHANGELIST)  # warm caches (content types, session)
    with django_assert_max_num_queries(12) as few:
        admin_client.get(CHANGELIST)
    for _ in range(40):
        AssignedDIDFactory(tag="t")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client.get(CHANGELIST + "?status__exact=assigned&tag=t&q=4409")
    assert response.status_code == 200


def test_digits_search_finds_the_digits_anywhere(admin_client):
    DIDFactory(number="+441174090123")
    DIDFactory(number="+442079460000", area_code="20")
    assert _numbers(admin_client.get(CHANGELIST, {"q": "0901"})) == ["+441174090123"]
    assert _numbers(admin_client.get(CHANGELIST, {"q": "+44 20"})) == ["+442079460000"]


def test_filters_and_sorting(admin_client):
    DIDFactory(number="+441174090001", tag="gold")
    DIDFactory(number="+441174090002", tag="silver", status=DIDStatus.RESERVED)
    DIDFactory(number="+448001234567", iso_country="GB", number_type="tollfree")
    assert _numbers(admin_client.get(CHANGELIST, {"tag": "gold"})) == ["+441174090001"]
    assert _numbers(admin_client.get(CHANGELIST, {"status__exact": "reserved"})) == ["+441174090002"]
    assert _numbers(admin_client.get(CHANGELIST, {"number_type__exact": "tollfree"})) == ["+448001234567"]
    assert _numbers(admin_client.get(CHANGELIST, {"o": "-1"}))[0] == "+448001234567"
    page = admin_client.get(CHANGELIST).content.decode()
    assert "gold" in page and "silver" in page  # tag filter choices


def test_add_range_reports_existing_numbers(admin_client):
    operator = OperatorFactory()
    DIDFactory(number="+441174090102", operator=operator)
    response = admin_client.post(
        reverse("admin:dids_did_add"),
        {
            "numbers": "+441174090100-+441174090104",
            "operator": operator.pk,
            "status": "reserved",
            "after_hold_status": "archive",
            "tag": "new",
        },
    )
    assert response.status_code == 200
    assert response.context["result"].existing == ["+441174090102"]
    assert "4 DID(s) created" in response.content.decode()
    assert DID.objects.filter(tag="new", status="reserved", after_hold_status="archive").count() == 4


def test_add_with_a_bad_range_shows_the_error_and_creates_nothing(admin_client):
    response = admin_client.post(
        reverse("admin:dids_did_add"),
        {"numbers": "222-111", "operator": OperatorFactory().pk, "status": "in_stock", "after_hold_status": "in_stock"},
    )
    assert "start is greater than the end" in response.content.decode()
    assert DID.objects.count() == 0


def _action(client, action, dids, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [d.pk for d in dids], **extra}
    return client.post(CHANGELIST, data)


def test_bulk_edit_applies_to_all(admin_client):
    dids = [DIDFactory() for _ in range(3)]
    operator = OperatorFactory(name="Other")
    response = _action(admin_client, "bulk_edit", dids)
    assert "Apply to 3 DID(s)" in response.content.decode()
    response = _action(admin_client, "bulk_edit", dids, apply="1", status="reserved", operator=operator.pk, tag="x")
    assert response.status_code == 302
    assert DID.objects.filter(status="reserved", operator=operator, tag="x").count() == 3


def test_bulk_edit_with_one_refusal_changes_nothing_and_lists_it(admin_client):
    stock = DIDFactory()
    assigned = AssignedDIDFactory()
    response = _action(admin_client, "bulk_edit", [stock, assigned], apply="1", status="archive", tag="gone")
    page = response.content.decode()
    assert f"DID {assigned.number} is Assigned" in page
    assert "nothing was changed" in page
    stock.refresh_from_db()
    assert (stock.status, stock.tag) == ("in_stock", "")


def test_single_edit_refuses_a_forbidden_status(admin_client):
    did = DIDFactory(status=DIDStatus.ARCHIVE)
    url = reverse("admin:dids_did_change", args=[did.pk])
    response = admin_client.post(
        url,
        {"operator": did.operator.pk, "status": "reserved", "after_hold_status": "in_stock", "tag": "", "notes": ""},
    )
    assert "Archive: it cannot become Reserved" in response.content.decode()
    response = admin_client.post(
        url,
        {"operator": did.operator.pk, "status": "in_stock", "after_hold_status": "in_stock", "tag": "ok", "notes": ""},
    )
    assert response.status_code == 302
    did.refresh_from_db()
    assert (did.status, did.tag) == ("in_stock", "ok")


def test_delete_refused_for_assigned_and_hold(admin_client):
    assigned = AssignedDIDFactory()
    response = admin_client.post(reverse("admin:dids_did_delete", args=[assigned.pk]), {"post": "yes"}, follow=True)
    assert "cannot be deleted" in response.content.decode()
    response = _action(admin_client, "delete_selected_dids", [assigned, DIDFactory()], post="yes")
    assert DID.objects.count() == 2
    stock = DIDFactory()
    _action(admin_client, "delete_selected_dids", [stock], post="yes")
    assert not DID.objects.filter(pk=stock.pk).exists()


def test_release_action(admin_client):
    did = AssignedDIDFactory()
    _action(admin_client, "release", [did])
    did.refresh_from_db()
    assert did.status == DIDStatus.IN_STOCK


HOLD_ENDS = dt.datetime(2026, 7, 1, 12, 0, 5, tzinfo=dt.UTC)


def _export_dids():
    AssignedDIDFactory(
        number="+441174090001",
        tag="x;=1+1",
        notes='=HYPERLINK("http://evil")',
        unverified=True,
        status=DIDStatus.HOLD,
        hold_started_at=HOLD_ENDS - dt.timedelta(days=30),
        hold_ends_at=HOLD_ENDS,
    )
    DIDFactory(number="+441174090002", tag="other")


def test_export_csv_of_the_filtered_list_writes_numbers_as_they_are(admin_client):
    _export_dids()
    response = admin_client.get(reverse("admin:dids_did_export", args=["csv"]) + "?unverified__exact=1")
    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(response_bytes(response).decode("utf-8-sig"))))
    assert [row["number"] for row in rows] == ["+441174090001"]  # a plain number is no formula
    assert rows[0]["notes"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["tag"] == "x;=1+1"
    assert rows[0]["unverified"] == "1" and rows[0]["hold_ends_at"] == "2026-07-01 12:00:05"


def test_export_csv_cannot_be_split_by_a_semicolon_spreadsheet(admin_client):
    _export_dids()
    response = admin_client.get(reverse("admin:dids_did_export", args=["csv"]))
    cells = semicolon_cells(response)
    assert {len(row) for row in cells} == {1}  # every ; is inside quotes: no line is cut
    assert not any(cell.startswith(("=", "@")) for row in cells for cell in row)


def test_export_xlsx_keeps_numbers_text_dates_and_flags(admin_client):
    _export_dids()
    response = admin_client.get(reverse("admin:dids_did_export", args=["xlsx"]))
    sheet = xlsx_sheet(response)
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert header[0] == "number" and first["number"] == "+441174090001"
    assert first["notes"] == '=HYPERLINK("http://evil")' and first["tag"] == "x;=1+1"
    assert first["unverified"] is True and dict(zip(header, rows[2], strict=True))["unverified"] is False
    assert first["hold_ends_at"] == dt.datetime(2026, 7, 1, 12, 0, 5)  # a date cell, in the viewer's zone
    assert first["status"] == "Hold"
    assert_no_formula(sheet)


def test_customer_dids_tab_assigns_stock_under_a_package_and_shows_room(admin_client):
    cp = ClientPackageFactory(package__did_limit=2)
    a, b, c = DIDFactory(), DIDFactory(), DIDFactory(status=DIDStatus.RESERVED)
    url = reverse("admin:dids_did_customer", args=[cp.customer.pk])
    page = admin_client.get(url).content.decode()
    assert a.number in page and c.number not in page  # only In Stock offered
    assert "room for 2" in page
    admin_client.post(url, {"client_package": cp.pk, "dids": [a.pk, b.pk]})
    assert DID.objects.filter(customer=cp.customer, status="assigned").count() == 2
    response = admin_client.post(url, {"client_package": cp.pk, "dids": [c.pk]}, follow=True)
    assert "room for 0 more" in response.content.decode()


def test_customer_page_has_client_packages_inline_with_deactivate(admin_client):
    cp = ClientPackageFactory()
    did = AssignedDIDFactory(client_package=cp, customer=cp.customer)
    page = admin_client.get(reverse("admin:customers_customer_change", args=[cp.customer.pk])).content.decode()
    deactivate = reverse("admin:dids_clientpackage_deactivate", args=[cp.pk])
    assert deactivate in page
    assert reverse("admin:dids_did_customer", args=[cp.customer.pk]) in page
    # Deactivating asks first, saying how many numbers go on hold; nothing changes until confirmed.
    for response in (admin_client.get(deactivate), admin_client.post(deactivate)):
        assert "1 number will go on hold" in response.content.decode() and did.number in response.content.decode()
    did.refresh_from_db()
    assert did.status == DIDStatus.ASSIGNED
    admin_client.post(deactivate, {"confirm": "yes"})
    did.refresh_from_db()
    assert did.status == DIDStatus.HOLD
    assert admin_client.get(reverse("admin:dids_clientpackage_activate", args=[cp.pk])).status_code == 405
    admin_client.post(reverse("admin:dids_clientpackage_activate", args=[cp.pk]))
    did.refresh_from_db()
    assert did.status == DIDStatus.ASSIGNED
    assert ClientPackage.objects.get(pk=cp.pk).active


def test_package_admin_takes_comma_separated_tags(admin_client):
    admin_client.post(
        reverse("admin:dids_package_add"),
        {"name": "Gold", "did_limit": 5, "allowed_tags": "local, gold", "hold_days": 7, "notes": ""},
    )

    assert Package.objects.get(name="Gold").allowed_tags == ["gold", "local"]
    PackageFactory()


def test_operator_phone_must_be_a_phone_number(admin_client):
    url = reverse("admin:dids_operator_add")
    response = admin_client.post(url, {"name": "Carrier", "phone": "not a phone"})
    assert "&#x27;not a phone&#x27; is not a phone number" in response.content.decode()
    admin_client.post(url, {"name": "Carrier", "phone": "+44 117 496 0000"})

    assert Operator.objects.get(name="Carrier").phone == "+44 117 496 0000"


def test_deactivate_action_asks_first_with_the_count(admin_client):
    cp = ClientPackageFactory()
    AssignedDIDFactory(client_package=cp, customer=cp.customer)
    AssignedDIDFactory(client_package=cp, customer=cp.customer)
    changelist = reverse("admin:dids_clientpackage_changelist")
    data = {"action": "deactivate_selected", ACTION_CHECKBOX_NAME: [cp.pk]}
    response = admin_client.post(changelist, data)
    assert "2 numbers will go on hold" in response.content.decode()
    assert DID.objects.filter(status=DIDStatus.HOLD).count() == 0
    admin_client.post(changelist, {**data, "confirm": "yes"})
    assert DID.objects.filter(status=DIDStatus.HOLD).count() == 2


def test_did_history_is_read_only_and_in_words(admin_client):
    cp = ClientPackageFactory(customer__time_zone="Asia/Tokyo")

    did = services.did_assign(did=DIDFactory(), client_package=cp)
    services.client_package_deactivate(client_package=cp)
    page = admin_client.get(reverse("admin:dids_did_history", args=[did.pk])).content.decode()
    assert "Assigned" in page and "Hold" in page and "in_stock" not in page and "pk=None" not in page
    assert "Times in Asia/Tokyo" in page
    # No raw None for the platform's own changes or a missing reason; times to the minute.
    assert ">None<" not in page.replace(" ", "").replace("\n", "") and "system" in page
    assert "a.m." not in page and "p.m." not in page
    version = did.history.order_by("history_id").first()
    form_url = reverse("admin:dids_did_simple_history", args=[did.pk, version.history_id])
    form_page = admin_client.get(form_url).content.decode()
    assert "Revert" not in form_page
    assert admin_client.post(form_url, {"status": "in_stock"}).status_code == 405
    did.refresh_from_db()
    assert did.status == DIDStatus.HOLD


def test_delete_button_only_on_dids_that_can_be_deleted(admin_client):
    assigned, stock = AssignedDIDFactory(), DIDFactory()
    delete = 'class="deletelink"'
    assert delete not in admin_client.get(reverse("admin:dids_did_change", args=[assigned.pk])).content.decode()
    assert delete in admin_client.get(reverse("admin:dids_did_change", args=[stock.pk])).content.decode()


def test_a_running_did_import_says_when_it_is_saving_rather_than_sitting_at_a_full_bar(admin_client):
    job = ImportJob(
        kind=ImportJob.Kind.DIDS,
        status=ImportJob.Status.PROCESSING,
        phase=ImportJob.Phase.CHECKING,
        original_filename="dids.csv",
        rows_read=40,
        rows_total=100,
    )
    job.source_file.save("dids.csv", ContentFile(b"number\n"), save=True)
    did_import = DIDImport.objects.create(job=job)
    url = reverse("admin:dids_did_import_result", args=[did_import.pk])
    page = admin_client.get(url).content.decode()
    assert "Checking numbers: 40 of 100 rows read (40%)" in page
    ImportJob.objects.filter(pk=job.pk).update(rows_read=100)
    page = admin_client.get(url).content.decode()
    assert "Every row checked; saving 100 rows" in page
    assert '<progress max="100" value="100">' not in page


def test_client_package_admin_saves_through_the_service_and_its_dates_rule(admin_client):
    customer = CustomerFactory()
    package = PackageFactory()
    url = reverse("admin:dids_clientpackage_add")
    wrong = {"customer": customer.pk, "package": package.pk, "starts_on": "2026-05-02", "ends_on": "2026-05-01"}
    response = admin_client.post(url, wrong)
    assert response.status_code == 200 and "cannot end before it starts" in response.content.decode()
    assert not ClientPackage.objects.exists()
    response = admin_client.post(url, {**wrong, "ends_on": "2026-06-01"})
    assert response.status_code == 302
    assert ClientPackage.objects.get().ends_on.isoformat() == "2026-06-01"
