"""Every write to customers, users and API tokens."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from customers.models import ApiToken, Customer, User

TOKEN_PREFIX = "dt_"
# last_used_at is a hint for people, not an audit trail: refresh it at most
# once a minute so that a busy client does not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class CustomerError(Exception):
    """A refused change, with a message for the person who asked."""


@transaction.atomic
def customer_create(*, slug: str, name: str, time_zone: str = "UTC") -> Customer:
    if Customer.objects.filter(slug=slug).exists():
        raise CustomerError(f"A customer with slug {slug!r} already exists.")
    customer = Customer(slug=slug, name=name, time_zone=time_zone)
    try:
        customer.full_clean()
    except ValidationError as exc:
        raise CustomerError(_first_message(exc)) from exc
    customer.save()
    return customer


@transaction.atomic
def customer_user_create(*, customer: Customer, email: str, password: str, **fields: Any) -> User:
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise CustomerError(f"A user with email {email!r} already exists.")
    user = User(email=email, customer=customer, **fields)
    user.set_password(password)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise CustomerError(_first_message(exc)) from exc
    user.save()
    return user


def _digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown to the person once, never stored


@transaction.atomic
def api_token_issue(*, customer: Customer, name: str = "", created_by: User | None = None) -> IssuedToken:
    name = name.strip() or f"Token {timezone.now():%Y-%m-%d %H:%M:%S}"
    if ApiToken.objects.filter(customer=customer, name=name, revoked_at__isnull=True).exists():
        raise CustomerError(f"An active token named {name!r} already exists.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        customer=customer, name=name, prefix=raw[:10], digest=_digest(raw), created_by=created_by
    )
    return IssuedToken(token=token, raw=raw)


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def api_token_authenticate(*, raw_token: str) -> ApiToken | None:
    """The active token of an active customer matching ``raw_token``, its use recorded."""
    token = (
        ApiToken.objects.select_related("customer")
        .filter(digest=_digest(raw_token), revoked_at__isnull=True, customer__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def _first_message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        field, messages = next(iter(exc.message_dict.items()))
        return f"{field}: {messages[0]}"
    return exc.messages[0]


def user_login_unlock(*, user: User) -> int:
    """Lift a login lockout (django-axes) of ``user`` from every address; returns the lockouts lifted."""
    from axes.utils import reset  # not at import: axes reads its settings when first imported

    lifted: int = reset(username=user.email.lower())
    return lifted
