from campaigns.tests.factories import AppFactory
from customers.tests.tenancy_walker import MARKER, alice_object


@alice_object("app_id")
def alice_app(alice) -> int:
    return AppFactory(customer=alice, name=f"{MARKER} app").pk
