"""Small helpers shared by the apps' REST APIs."""

from rest_framework import serializers

from customers.models import User


def acting_user(request) -> User | None:
    """The logged-in user behind a request, or None for an API token (the customer's software)."""
    user = getattr(request, "user", None)
    return user if isinstance(user, User) else None


class StrictCharField(serializers.CharField):
    """A string field that refuses numbers (DRF's ``CharField`` turns ``0`` into ``"0"``; the schema says string)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
