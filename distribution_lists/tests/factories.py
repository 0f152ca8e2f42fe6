"""Factories, and a helper that imports a file through the real services."""

from __future__ import annotations

from pathlib import Path

import factory

from customers.tests.factories import CustomerFactory
from distribution_lists import services
from distribution_lists.models import Contact, DistributionList, IncorrectRow
from telephony.imports.models import ImportJob
from telephony.imports.tests.factories import ImportJobFactory

# The job's status for each status of its list.
_JOB_STATUS = {
    DistributionList.Status.DRAFT: ImportJob.Status.DRAFT,
    DistributionList.Status.PROCESSING: ImportJob.Status.PROCESSING,
    DistributionList.Status.READY: ImportJob.Status.DONE,
    DistributionList.Status.FAILED: ImportJob.Status.FAILED,
}
DATA = Path(__file__).resolve().parent / "data"
ENGINE_DATA = Path(__file__).resolve().parents[2] / "telephony" / "imports" / "tests" / "data"


class DistributionListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DistributionList

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"List {n}")
    status = DistributionList.Status.READY
    job = factory.SubFactory(
        ImportJobFactory,
        customer=factory.SelfAttribute("..customer"),
        status=factory.LazyAttribute(lambda job: _JOB_STATUS[job.factory_parent.status]),
    )
    column_names = ["phone", "name"]
    default_region = "GB"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    distribution_list = factory.SubFactory(DistributionListFactory)
    phone = factory.Sequence(lambda n: f"+4474001{n:05d}")
    time_zone = "Europe/London"
    variables = factory.LazyAttribute(lambda o: {"name": f"Person {o.phone[-4:]}"})
    row_number = factory.Sequence(lambda n: n + 2)


class IncorrectRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncorrectRow

    distribution_list = factory.SubFactory(DistributionListFactory)
    row_number = factory.Sequence(lambda n: n + 2)
    raw_phone = "not a number"
    cells = factory.LazyAttribute(lambda o: [o.raw_phone, "Someone"])
    reason = "'not a number' is not a phone number (it contains letters)"


def import_file(
    customer,
    path: Path,
    *,
    name: str | None = None,
    phone_column: int = 0,
    column_names: list[str] | None = None,
    default_region: str = "GB",
    has_header: bool = True,
) -> DistributionList:
    """Upload, mark up and import ``path`` synchronously, as the worker would."""
    with path.open("rb") as upload:
        distribution_list = services.distribution_list_upload(
            customer=customer, name=name or path.name, upload=upload, filename=path.name
        )
    services.distribution_list_mark_up(
        distribution_list=distribution_list,
        has_header=has_header,
        phone_column=phone_column,
        column_names=column_names if column_names is not None else ["phone", "name", "city"],
        default_region=default_region,
        enqueue=False,
    )
    services.distribution_list_import(list_id=distribution_list.pk)
    distribution_list.refresh_from_db()
    return distribution_list
