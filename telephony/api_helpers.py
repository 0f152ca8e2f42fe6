"""Small helpers shared by the apps' REST APIs."""

from customers.models import User


def acting_user(request) -> User | None:
    """The logged-in user behind a request, or None for an API token (the customer's software)."""
    user = getattr(request, "user", None)
    return user if isinstance(user, User) else None
