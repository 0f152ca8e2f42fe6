"""Add from file: correct and incorrect numbers with their reasons, and fixing one."""

import io

import pytest
import time_machine

from callerid_pools.models import IncorrectReason, NumberPool, NumberPoolIncorrectNumber, PoolUpload
from callerid_pools.services import PoolError, pool_members_add
from callerid_pools.tests.factories import GlobalNumberPoolFactory, NumberPoolFactory
from callerid_pools.upload import pool_import_file, pool_incorrect_number_fix, pool_upload_save, pool_upload_start
from customers.tests.factories import CustomerFactory
from dids.models import DIDStatus
from dids.tests.factories import AssignedDIDFactory, ClientPackageFactory, DIDFactory
from telephony.imports import ImportFileError, Markup, open_table
from telephony.imports.models import ImportJob

pytestmark = pytest.mark.django_db


def table(text: str):
    return open_table(io.BytesIO(text.encode()), filename="numbers.csv")


def members(pool):
    return list(pool.members.order_by("position").values_list("did__number", flat=True))


def incorrect(pool):
    return {row.raw: row.reason for row in pool.incorrect_numbers.all()}


@pytest.fixture
def setup():
    pool = NumberPoolFactory(customer=CustomerFactory(name="Acme"))
    package = ClientPackageFactory(customer=pool.customer)
    own = [AssignedDIDFactory(client_package=package, number=f"+4411740900{i:02d}") for i in range(4)]
    foreign = AssignedDIDFactory(number="+441174090099")
    stock = DIDFactory(number="+441174090098")
    return pool, own, foreign, stock


def test_upload_sorts_rows_into_correct_and_incorrect(setup):
    pool, own, _foreign, _stock = setup
    pool_members_add(pool=pool, dids=[own[3]])
    csv = (
        "number,label\n"
        "0117 409 0000,national with default country\n"
        "+441174090001,international\n"
        "hello,a word\n"
        "+44 117 1,too short for GB\n"
        "+442079460123,valid but not a DID\n"
        "+441174090099,another customer's\n"
        "+441174090098,in stock\n"
        "00441174090000,duplicate of row 2\n"
        "+441174090003,already in the pool\n"
    )
    report = pool_import_file(pool=pool, table=table(csv), markup=Markup(phone_column=0, default_region="GB"))
    assert (report.rows, report.added, report.incorrect) == (9, 2, 7)
    assert members(pool) == [own[3].number, own[0].number, own[1].number]
    assert incorrect(pool) == {
        "hello": IncorrectReason.NOT_A_NUMBER,
        "+44 117 1": IncorrectReason.INVALID_FOR_COUNTRY,
        "+442079460123": IncorrectReason.NOT_A_DID,
        "+441174090099": IncorrectReason.NOT_CUSTOMERS,
        "+441174090098": IncorrectReason.NOT_CUSTOMERS,
        "00441174090000": IncorrectReason.DUPLICATE,
        "+441174090003": IncorrectReason.DUPLICATE,
    }
    messages = {row.raw: row.message for row in pool.incorrect_numbers.all()}
    assert "not a DID of Acme" in messages["+441174090099"]
    assert "row 2" in messages["00441174090000"]
    assert "already in this pool" in messages["+441174090003"]
    assert [r.row_number for r in pool.incorrect_numbers.order_by("row_number")] == [4, 5, 6, 7, 8, 9, 10]


def test_global_pool_upload_wants_platform_dids():
    pool = GlobalNumberPoolFactory()
    reserved = DIDFactory(status=DIDStatus.RESERVED)
    stock = DIDFactory()
    report = pool_import_file(
        pool=pool,
        table=table(f"{reserved.number}\n{stock.number}\n"),
        markup=Markup(phone_column=0, default_region="GB", has_header=False),
    )
    assert report.added == 1
    assert members(pool) == [reserved.number]
    assert incorrect(pool) == {stock.number: IncorrectReason.NOT_PLATFORMS}


def test_unverified_did_known_to_the_inventory_is_accepted():
    # phonenumbers does not know +44 117 000 0000-style numbers, the inventory may.
    pool = GlobalNumberPoolFactory()
    odd = DIDFactory(status=DIDStatus.RESERVED, number="+4411700000", unverified=True)
    pool_import_file(pool=pool, table=table("+4411700000\n"), markup=Markup(0, "GB", has_header=False))
    assert members(pool) == [odd.number]


def test_fixing_an_incorrect_number_moves_it_to_the_pool(setup):
    pool, own, _foreign, _stock = setup
    pool_import_file(pool=pool, table=table("number\nhello\n"), markup=Markup(0, "GB"))
    row = NumberPoolIncorrectNumber.objects.get(pool=pool)
    # Still wrong: stays incorrect with the new reason.
    result = pool_incorrect_number_fix(incorrect=row, raw="+442079460123")
    assert result.member is None
    assert result.incorrect.reason == IncorrectReason.NOT_A_DID
    assert incorrect(pool) == {"+442079460123": IncorrectReason.NOT_A_DID}
    # Fixed with the national form and the upload's default country.
    result = pool_incorrect_number_fix(incorrect=row, raw="0117 409 0002")
    assert result.member.did == own[2]
    assert members(pool) == [own[2].number]
    assert not pool.incorrect_numbers.exists()
    with pytest.raises(PoolError, match="already fixed"):
        pool_incorrect_number_fix(incorrect=row, raw="0117 409 0001")


def test_a_fix_to_a_number_already_in_the_pool_is_a_duplicate(setup):
    pool, own, _foreign, _stock = setup
    pool_members_add(pool=pool, dids=[own[0]])
    pool_import_file(pool=pool, table=table("number\nabc\n"), markup=Markup(0, "GB"))
    row = pool.incorrect_numbers.get()
    result = pool_incorrect_number_fix(incorrect=row, raw=own[0].number)
    assert result.incorrect.reason == IncorrectReason.DUPLICATE
    with pytest.raises(PoolError, match="Type the corrected number"):
        pool_incorrect_number_fix(incorrect=row, raw="  ")


def test_a_file_without_data_rows_changes_nothing(setup):
    pool, *_ = setup
    with pytest.raises(ImportFileError, match="no data rows"):
        pool_import_file(pool=pool, table=table("number\n"), markup=Markup(0, "GB"))
    assert not pool.members.exists() and not pool.incorrect_numbers.exists()


def test_too_many_rows_are_refused_and_nothing_is_written(setup):
    pool, own, *_ = setup
    text = "\n".join([own[0].number] + [f"+4411740{i:05d}" for i in range(30)])
    with pytest.raises(ImportFileError, match="limit"):
        pool_import_file(pool=pool, table=table(text), markup=Markup(0, "GB", has_header=False), max_rows=10)
    assert not pool.members.exists() and not pool.incorrect_numbers.exists()


def test_the_upload_is_an_import_job_that_makes_the_pool_when_saved(setup, django_capture_on_commit_callbacks):

    pool, own, _foreign, _stock = setup
    csv = b"number\n01174090000\n+441174090001\n"
    started = pool_upload_start(
        name=pool.name,  # taken: saving fails with the reason, and can be retried
        pool_type="sequential",
        customer=pool.customer,
        is_global=False,
        upload=io.BytesIO(csv),
        filename="n.csv",
    )
    assert started.job.kind == ImportJob.Kind.CALLERID_POOL and started.job.status == ImportJob.Status.DRAFT
    assert NumberPool.objects.count() == 1  # no pool before the markup is saved
    markup = Markup(phone_column=0, default_region="GB")
    with pytest.raises(PoolError):
        pool_upload_save(pool_upload=started, markup=markup)
    started.job.refresh_from_db()
    assert started.job.status == ImportJob.Status.FAILED and NumberPool.objects.count() == 1
    PoolUpload.objects.filter(pk=started.pk).update(name="Fresh name")
    started.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        report = pool_upload_save(pool_upload=started, markup=markup)
    started.refresh_from_db()
    assert (report.added, report.incorrect) == (2, 0)
    assert members(started.pool) == [own[0].number, own[1].number]
    assert started.job.status == ImportJob.Status.DONE and not started.job.source_file


def test_abandoned_uploads_are_forgotten_after_a_day(setup):

    pool, *_ = setup

    def start(name):
        return pool_upload_start(
            name=name,
            pool_type="sequential",
            customer=pool.customer,
            is_global=False,
            upload=io.BytesIO(b"number\n01174090000\n"),
            filename="n.csv",
        )

    with time_machine.travel("2026-01-05 10:00:00Z", tick=False):
        start("Old")
    with time_machine.travel("2026-01-06 11:00:00Z", tick=False):
        start("New")
    assert list(ImportJob.objects.values_list("pool_upload__name", flat=True)) == ["New"]
