from typing import Any

from customers import services
from telephony.api_auth import BearerTokenAuthentication


class ApiClient:
    """The principal of a request made with an API token: the customer's software."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False

    def __init__(self, token):
        self.token = token
        self.customer = token.customer

    def __str__(self) -> str:
        return f"API token {self.token.prefix}… of {self.customer}"


class ApiTokenAuthentication(BearerTokenAuthentication):
    """``Authorization: Bearer <token>`` (``Token <token>`` is accepted too) with a customer's API token."""

    keywords = ("bearer", "token")
    realm = "api"
    refused_message = "Invalid or revoked API token."
    schema_name = "ApiToken"
    schema_description = "A customer's API token."

    def principal_for(self, raw_token: str) -> tuple[Any, Any] | None:
        token = services.api_token_authenticate(raw_token=raw_token)
        return None if token is None else (ApiClient(token), token)
