"""The one bearer-token authentication of the APIs, and its OpenAPI description.

Each kind of caller (a customer's software, the telephone platform) is a
subclass that says which token it accepts: ``principal_for(raw_token)``
returns DRF's ``(user, auth)`` pair, or ``None`` for a token it refuses.
Reading the ``Authorization`` header, its errors and the ``WWW-Authenticate``
challenge are the same for all of them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

MALFORMED = "Malformed Authorization header: expected 'Bearer <token>'."


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>``; a header of another scheme is left to other authentications."""

    keywords: ClassVar[tuple[str, ...]] = ("bearer",)
    realm: ClassVar[str]
    refused_message: ClassVar[str]
    # The security scheme in the OpenAPI schema.
    schema_name: ClassVar[str]
    schema_description: ClassVar[str]

    def principal_for(self, raw_token: str) -> tuple[Any, Any] | None:
        raise NotImplementedError

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(MALFORMED)
        principal = self.principal_for(header[1])
        if principal is None:
            raise exceptions.AuthenticationFailed(self.refused_message)
        return principal

    def authenticate_header(self, request: Request) -> str:
        return f'Bearer realm="{self.realm}"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describes every ``BearerTokenAuthentication`` in the OpenAPI schema, by its own name."""

    target_class = "telephony.api_auth.BearerTokenAuthentication"
    match_subclasses = True

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.target.schema_name

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": self.target.schema_description}
