"""Per-token rate limit of the customers' REST API (``API_RATE``): over it, 429 with ``Retry-After``.

DRF's fixed-rate throttle keyed by the API token (a dashboard session by its
user); the telephone platform and anonymous requests (refused anyway) are not
counted here. The rate is read from the settings at each request, so it can be
changed without touching DRF's ``THROTTLE_RATES``.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from customers.authentication import ApiClient
from telephony.api_helpers import acting_user


class ApiTokenRateThrottle(SimpleRateThrottle):
    scope = "api_token"

    def __init__(self):
        # DRF reads the rate once at construction; a throttle is built per request.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_rate(self):
        return settings.API_RATE or None

    def get_cache_key(self, request, view):
        user = request.user
        if isinstance(user, ApiClient):
            ident = f"token-{user.token.pk}"
        elif (person := acting_user(request)) is not None:
            ident = f"user-{person.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}
