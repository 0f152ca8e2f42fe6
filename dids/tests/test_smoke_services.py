import pytest

from dids.models import DIDStatus
from dids.services import DIDError, Route, client_package_room, did_assign_many, did_route
from dids.tests.factories import AssignedDIDFactory, ClientPackageFactory, DIDFactory

pytestmark = pytest.mark.django_db


def test_factories_and_routing():
    did = AssignedDIDFactory()
    assert did_route(did.number).kind == Route.CUSTOMER
    assert did_route(DIDFactory().number).kind == Route.UNKNOWN


def test_assign_respects_room():
    cp = ClientPackageFactory(package__did_limit=1)
    a, b = DIDFactory(), DIDFactory()
    with pytest.raises(DIDError):
        did_assign_many(dids=[a, b], client_package=cp)
    a.refresh_from_db()
    assert a.status == DIDStatus.IN_STOCK
    did_assign_many(dids=[a], client_package=cp)
    assert client_package_room(cp) == 0
