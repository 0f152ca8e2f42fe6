"""Where an incoming call to a DID goes."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from customers.models import Customer
from dids.models import DID
from dids.models import DIDStatus as S
from dids.numbers import NumberError, parse_number


class Route(enum.StrEnum):
    CUSTOMER = "route to customer"
    UNREACHABLE = "unreachable"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class DIDRoute:
    kind: Route
    did: DID | None = None
    customer: Customer | None = None


def did_route(number: str) -> DIDRoute:
    """Where an incoming call to ``number`` goes: its customer, unreachable (Hold), or unknown."""
    try:
        e164 = parse_number(number).number
    except NumberError:
        return DIDRoute(Route.UNKNOWN)
    did = DID.objects.select_related("customer").filter(number=e164).first()
    if did is None:
        return DIDRoute(Route.UNKNOWN)
    if did.status == S.ASSIGNED:
        return DIDRoute(Route.CUSTOMER, did=did, customer=did.customer)
    if did.status == S.HOLD:
        return DIDRoute(Route.UNREACHABLE, did=did, customer=did.customer)
    return DIDRoute(Route.UNKNOWN, did=did)
