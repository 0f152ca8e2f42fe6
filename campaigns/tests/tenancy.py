from campaigns.tests.factories import AppFactory
from customers.tests.tenancy_walker import MARKER, alice_object


@alice_object("app_id")
def alice_app(alice) -> int:
    return AppFactory(customer=alice, name=f"{MARKER} app").pk


@alice_object("campaign_id")
def alice_campaign(alice) -> int:
    from campaigns.tests.factories import make_campaign

    return make_campaign(alice, name=f"{MARKER} campaign").pk


@alice_object("action")
def an_action(alice) -> str:
    return "pause"
