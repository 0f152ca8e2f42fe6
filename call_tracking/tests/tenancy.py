"""Alice's call-tracking objects for the cross-tenant walker."""

from call_tracking.models import TrackingNumber
from call_tracking.tests.factories import TrackingPoolFactory
from customers.tests.tenancy_walker import MARKER, alice_object


@alice_object("group_id")
def alice_group(alice) -> int:
    # The v3 API's group is the customer account itself.
    return alice.pk


def _alice_pool(alice):
    pool = alice.tracking_pools.filter(name__startswith=MARKER).first()
    return pool or TrackingPoolFactory(customer=alice, name=f"{MARKER} tracking pool", numbers=2)


@alice_object("numberpool_id")
def alice_numberpool(alice) -> int:
    return _alice_pool(alice).pk


@alice_object("tracking_number_id")
def alice_tracking_number(alice) -> int:
    return TrackingNumber.objects.filter(pool=_alice_pool(alice)).first().pk
