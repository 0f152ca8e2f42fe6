"""Factories for the DID inventory. DIDs are built directly (tests of other apps
need rows fast); lifecycle tests go through ``dids.services``."""

import factory

from customers.tests.factories import CustomerFactory
from dids.models import DID, ClientPackage, DIDStatus, NumberType, Operator, Package
from telephony.tests.factory import ModelFactory


class OperatorFactory(ModelFactory[Operator]):
    class Meta:
        model = Operator
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Operator {n}")


class PackageFactory(ModelFactory[Package]):
    class Meta:
        model = Package

    name = factory.Sequence(lambda n: f"Package {n}")
    did_limit = 10
    hold_days = 30


class ClientPackageFactory(ModelFactory[ClientPackage]):
    class Meta:
        model = ClientPackage

    customer = factory.SubFactory(CustomerFactory)
    package = factory.SubFactory(PackageFactory)
    active = True


class DIDFactory(ModelFactory[DID]):
    """An In Stock geographic Bristol number; ``AssignedDIDFactory`` for one in use."""

    class Meta:
        model = DID

    number = factory.Sequence(lambda n: f"+44117409{n:04d}")
    raw = factory.SelfAttribute("number")
    operator = factory.SubFactory(OperatorFactory)
    status = DIDStatus.IN_STOCK
    iso_country = "GB"
    number_type = NumberType.GEOGRAPHIC
    area_code = "117"
    locality = "Bristol"


class AssignedDIDFactory(DIDFactory):
    status = DIDStatus.ASSIGNED
    client_package = factory.SubFactory(ClientPackageFactory)
    customer = factory.SelfAttribute("client_package.customer")
