from customers import services
from customers.tests.tenancy_walker import MARKER, alice_object


@alice_object("token_id")
def alice_token(alice) -> int:
    return services.api_token_issue(customer=alice, name=f"{MARKER} token").token.pk
