from customers.tests.tenancy_walker import MARKER, alice_object
from dids.tests.factories import AssignedDIDFactory


@alice_object("did_id")
def alice_did(alice) -> int:
    # The tag is shown on the Numbers page, so Bob seeing it would be caught.
    return AssignedDIDFactory(client_package__customer=alice, tag=MARKER, notes=MARKER).pk
