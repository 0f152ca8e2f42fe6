"""Hostile spreadsheets through the whole list flow (issue 17, items 1 and 2)."""

import io

import pytest

from distribution_lists import services
from distribution_lists.models import Contact, DistributionList, IncorrectRow
from telephony.imports.tests.test_hostile_sheets import cell, far_corner_rows, sheet, xlsx_with_sheet

pytestmark = pytest.mark.django_db
Status = DistributionList.Status


def upload_and_mark_up(customer, data: bytes, filename: str) -> DistributionList:
    distribution_list = services.distribution_list_upload(
        customer=customer, name=filename, upload=io.BytesIO(data), filename=filename
    )
    services.distribution_list_mark_up(
        distribution_list=distribution_list,
        has_header=True,
        phone_column=0,
        column_names=["phone"],
        default_region="GB",
        enqueue=False,
    )
    return distribution_list


def test_the_far_corner_sheet_is_stored_then_fails_the_list_with_the_reason(customer, settings):
    # The upload only streams the first rows; the worker's child reader dies, this process does not.
    settings.IMPORT_SPREADSHEET_MEMORY_MB = 512
    data = xlsx_with_sheet(sheet(f'<row r="2">{cell("A2", "+447400123456")}</row>' + far_corner_rows()))
    distribution_list = upload_and_mark_up(customer, data, "corner.xlsx")
    assert services.distribution_list_import(list_id=distribution_list.pk) is None
    distribution_list.refresh_from_db()
    assert distribution_list.status == Status.FAILED
    assert "needs more than 512 MB of memory" in distribution_list.failure_reason
    assert not Contact.objects.filter(distribution_list=distribution_list).exists()
    assert not IncorrectRow.objects.filter(distribution_list=distribution_list).exists()


def test_a_zip_bomb_is_refused_at_upload_and_nothing_is_created(customer):
    data = xlsx_with_sheet(sheet(f'<row r="1">{cell("A1", "phone")}</row>' + " " * (30 * 1024 * 1024)))
    with pytest.raises(services.DistributionListError, match="zip bomb"):
        services.distribution_list_upload(customer=customer, name="Bomb", upload=io.BytesIO(data), filename="b.xlsx")
    assert not DistributionList.objects.filter(customer=customer).exists()


def test_a_spreadsheet_over_the_row_limit_fails_the_list_with_nothing_written(customer, settings):
    rows = "".join(f'<row r="{n}">{cell(f"A{n}", f"07400 1{n:05d}")}</row>' for n in range(1, 40))
    distribution_list = upload_and_mark_up(customer, xlsx_with_sheet(sheet(rows)), "long.xlsx")
    settings.DISTRIBUTION_LIST_MAX_ROWS = 10
    settings.DISTRIBUTION_LIST_CHUNK_ROWS = 4
    assert services.distribution_list_import(list_id=distribution_list.pk) is None
    distribution_list.refresh_from_db()
    assert distribution_list.status == Status.FAILED
    assert "more than 10 rows" in distribution_list.failure_reason
    assert not Contact.objects.filter(distribution_list=distribution_list).exists()
