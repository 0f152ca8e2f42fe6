"""The one bearer-token authentication, as the customers' API and the telephone platform use it."""

import pytest
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from call_tracking.api.views import PlatformClient, PlatformTokenAuthentication
from customers import services as customer_services
from customers.authentication import ApiClient, ApiTokenAuthentication
from telephony.api_auth import MALFORMED

pytestmark = pytest.mark.django_db


def request_with(header: str | None) -> Request:
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    return Request(APIRequestFactory().get("/", **extra))


@pytest.fixture
def kinds(customer, settings):
    """Each authentication with a token it accepts and the principal it yields."""
    settings.TRACKING_PLATFORM_TOKEN = "platform-secret"
    raw = customer_services.api_token_issue(customer=customer, name="auth tests").raw
    return {
        "customer": (ApiTokenAuthentication(), raw, ApiClient),
        "platform": (PlatformTokenAuthentication(), "platform-secret", PlatformClient),
    }


@pytest.mark.parametrize("kind", ["customer", "platform"])
def test_each_kind_reads_the_header_the_same_way(kinds, kind):
    auth, good, principal = kinds[kind]
    assert auth.authenticate(request_with(None)) is None
    assert auth.authenticate(request_with("Basic dXNlcjpwYXNz")) is None
    user, _ = auth.authenticate(request_with(f"Bearer {good}"))
    assert isinstance(user, principal)
    with pytest.raises(exceptions.AuthenticationFailed, match="expected 'Bearer <token>'") as malformed:
        auth.authenticate(request_with(f"Bearer {good} extra"))
    assert str(malformed.value.detail) == MALFORMED
    with pytest.raises(exceptions.AuthenticationFailed) as refused:
        auth.authenticate(request_with("Bearer not-the-token"))
    assert str(refused.value.detail) == auth.refused_message
    assert auth.authenticate_header(request_with(None)).startswith('Bearer realm="')


def test_customers_tokens_do_not_open_the_platform_endpoint_and_the_reverse(kinds):
    customer_auth, customer_token, _ = kinds["customer"]
    platform_auth, platform_token, _ = kinds["platform"]
    with pytest.raises(exceptions.AuthenticationFailed):
        platform_auth.authenticate(request_with(f"Bearer {customer_token}"))
    with pytest.raises(exceptions.AuthenticationFailed):
        customer_auth.authenticate(request_with(f"Bearer {platform_token}"))


def test_an_unset_platform_token_refuses_every_caller(kinds, settings):
    settings.TRACKING_PLATFORM_TOKEN = ""
    platform_auth, _, _ = kinds["platform"]
    with pytest.raises(exceptions.AuthenticationFailed):
        platform_auth.authenticate(request_with("Bearer "))
    with pytest.raises(exceptions.AuthenticationFailed):
        platform_auth.authenticate(request_with("Bearer x"))
