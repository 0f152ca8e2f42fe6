"""Every write of call tracking: pools and their numbers, DNI sessions, tracked calls.

Pools and numbers
    ``tracking_pool_create(*, customer, name, match_period, quantity, phone_number_request, ...)``
        provisions ``quantity`` DIDs (``dids.services.did_provision``) and the pool
        in one transaction: all or nothing. Raises ``TrackingFieldError`` (bad
        input, names the field) or ``ProvisioningError`` (no numbers / package / room).
    ``tracking_pool_update(*, pool, **changes)``
    ``tracking_pool_delete(*, pool, user=None)`` its DIDs go back to stock.
    ``tracking_numbers_add(*, pool, quantity, phone_number_request=None, user=None)``
    ``tracking_number_remove(*, number, user=None)``

Dynamic number insertion
    ``dni_visit(*, pool, visitor_id, referrer, landing_url, ip=None) -> DNIAnswer``

Incoming calls
    ``tracked_call_record(*, called, caller, at=None) -> CallRoute``
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Greatest
from django.utils import timezone

from call_tracking import dni_allocation, rules
from call_tracking.models import (
    DNISession,
    ExhaustionPolicy,
    TrackedCall,
    TrackingNumber,
    TrackingPool,
    TrackingPoolStatus,
)
from call_tracking.selectors import forget_public_keys
from callerid_pools.services import dids_leave_pools
from customers.models import Customer
from dids.models import DID, ClientPackage
from dids.models import DIDStatus as DS
from dids.services import DIDError, Route, did_provision, did_release_many, did_route

if TYPE_CHECKING:
    from customers.models import User

__all__ = [
    "CallRoute",
    "DNIAnswer",
    "ProvisioningError",
    "TrackingError",
    "TrackingFieldError",
    "dni_visit",
    "tracked_call_record",
    "tracking_number_remove",
    "tracking_numbers_add",
    "tracking_pool_create",
    "tracking_pool_delete",
    "tracking_pool_update",
]

# The DID number type a phone-number request's match_type asks for.
MATCH_TYPE_TO_DID_TYPE = {"geographic": "geographic", "tollfree": "tollfree", "national": "national"}
# The fields of a pool that ``tracking_pool_update`` changes, in the order a form shows them.
UPDATABLE = (
    "name",
    "match_period",
    "numbers_to_replace",
    "replace_all_numbers",
    "tracking_sources",
    "termination_number",
    "exhaustion_policy",
    "site_domains",
)


class _VisitFields(TypedDict):
    visitor_id: str
    source: str
    referrer: str
    landing_url: str
    url_params: dict[str, str]
    ip: str | None


class TrackingError(Exception):
    """A refused change, with a message for the person (or software) who asked."""


class TrackingFieldError(TrackingError):
    """Bad input: ``field`` names it (dotted path as in the API body)."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


class ProvisioningError(TrackingError):
    """Numbers cannot be provided: not enough matching, no active package, no room."""


# --- pools and numbers -----------------------------------------------------------


def _provision(*, customer: Customer, quantity: int, request: dict[str, Any], user: User | None = None) -> list[DID]:
    """Assign ``quantity`` matching In Stock DIDs to ``customer`` (inside the caller's transaction)."""
    if not ClientPackage.objects.filter(customer=customer, active=True).exists():
        raise ProvisioningError(f"{customer} has no active client package: no numbers can be assigned.")
    did_type = MATCH_TYPE_TO_DID_TYPE[request["match_type"]]
    country = request["iso_country"]
    locality = request.get("city", "")
    region = request.get("region", "")
    if locality and region:
        # The geocoder writes some localities with their region ("Springfield, IL").

        with_region = f"{locality}, {region}"
        if DID.objects.filter(status=DS.IN_STOCK, iso_country=country, locality__iexact=with_region).exists():
            locality = with_region
    area_code = rules.normalise_area_code(request["area_code"], country) if request.get("area_code") else ""
    try:
        return did_provision(
            customer=customer,
            quantity=quantity,
            iso_country=country,
            number_type=did_type,
            area_code=area_code,
            locality=locality,
            user=user,
        )
    except DIDError as exc:
        what = ", ".join(f"{k} {v}" for k, v in request.items() if k != "number_type" and v)
        raise ProvisioningError(f"{exc} (asked: {quantity} number(s), {what}). Nothing was changed.") from None


def _check_replacement(numbers_to_replace: list[str], replace_all_numbers: bool) -> None:
    if replace_all_numbers and numbers_to_replace:
        raise TrackingFieldError(
            "replacement_configuration.replace_all_numbers",
            "replace_all_numbers cannot be used together with numbers_to_replace: choose one.",
        )


@transaction.atomic
def tracking_pool_create(
    *,
    customer: Customer,
    name: str,
    match_period: int,
    quantity: int,
    phone_number_request: dict,
    termination_number: str,
    numbers_to_replace: list[str] | None = None,
    replace_all_numbers: bool = False,
    tracking_sources: list[dict] | None = None,
    exhaustion_policy: str = ExhaustionPolicy.REUSE_OLDEST,
    site_domains: list[str] | None = None,
    user: User | None = None,
) -> TrackingPool:
    numbers_to_replace = list(numbers_to_replace or [])
    _check_replacement(numbers_to_replace, replace_all_numbers)
    if TrackingPool.objects.filter(customer=customer, name=name, status=TrackingPoolStatus.ACTIVE).exists():
        raise TrackingFieldError("name", f"A number pool named {name!r} already exists in this group.")
    try:
        # A savepoint: a concurrent pool of the same name ends here, nothing provisioned.
        with transaction.atomic():
            pool = TrackingPool.objects.create(
                customer=customer,
                name=name,
                match_period=match_period,
                quantity=0,
                phone_number_request=phone_number_request,
                numbers_to_replace=numbers_to_replace,
                replace_all_numbers=replace_all_numbers,
                tracking_sources=list(tracking_sources or []),
                termination_number=termination_number,
                exhaustion_policy=exhaustion_policy,
                site_domains=list(site_domains or []),
            )
    except IntegrityError:
        raise TrackingFieldError("name", f"A number pool named {name!r} already exists in this group.") from None
    _add_numbers(pool=pool, quantity=quantity, request=phone_number_request, user=user)
    return pool


def _add_numbers(*, pool: TrackingPool, quantity: int, request: dict, user: User | None = None) -> list[TrackingNumber]:
    dids = _provision(customer=pool.customer, quantity=quantity, request=request, user=user)
    # A tracking number is never a caller ID: out of any caller-ID pool it was left in before.
    dids_leave_pools(did_ids=[did.pk for did in dids])
    numbers = TrackingNumber.objects.bulk_create([TrackingNumber(pool=pool, did=did) for did in dids])
    TrackingPool.objects.filter(pk=pool.pk).update(quantity=F("quantity") + len(numbers), updated_at=timezone.now())
    pool.refresh_from_db()
    return numbers


@transaction.atomic
def tracking_pool_update(*, pool: TrackingPool, **changes: Any) -> TrackingPool:
    unknown = set(changes).difference(UPDATABLE)
    if unknown:
        raise TrackingError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    locked = TrackingPool.objects.select_for_update().get(pk=pool.pk)
    if locked.status != TrackingPoolStatus.ACTIVE:
        raise TrackingError(f"Number pool {locked.name} is deleted.")
    for name, value in changes.items():
        setattr(locked, name, value)
    _check_replacement(locked.numbers_to_replace, locked.replace_all_numbers)
    if "name" in changes and (
        TrackingPool.objects.filter(customer=locked.customer, name=locked.name, status=TrackingPoolStatus.ACTIVE)
        .exclude(pk=locked.pk)
        .exists()
    ):
        raise TrackingFieldError("name", f"A number pool named {locked.name!r} already exists in this group.")
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError:
        raise TrackingFieldError("name", f"A number pool named {locked.name!r} already exists in this group.") from None
    _forget_pool_lookups()
    return locked


@transaction.atomic
def tracking_numbers_add(
    *, pool: TrackingPool, quantity: int, phone_number_request: dict | None = None, user: User | None = None
) -> list[TrackingNumber]:
    locked = TrackingPool.objects.select_for_update().select_related("customer").get(pk=pool.pk)
    if locked.status != TrackingPoolStatus.ACTIVE:
        raise TrackingError(f"Number pool {locked.name} is deleted.")
    numbers = _add_numbers(pool=locked, quantity=quantity, request=phone_number_request or locked.phone_number_request)
    pool.refresh_from_db()
    return numbers


def _end_sessions_on(numbers: Iterable[TrackingNumber] | QuerySet[TrackingNumber], now: datetime.datetime) -> None:
    # A removed number serves no visitor any more; its sessions end now.
    DNISession.objects.filter(number__in=numbers, expires_at__gt=now).update(expires_at=Greatest(F("started_at"), now))


@transaction.atomic
def tracking_number_remove(*, number: TrackingNumber, user: User | None = None) -> None:
    locked = TrackingNumber.objects.select_for_update().select_related("did", "pool").get(pk=number.pk)
    if locked.removed_at is not None:
        raise TrackingError(f"{locked.did.number} was already removed from {locked.pool.name}.")
    now = timezone.now()
    _end_sessions_on([locked], now)
    TrackingNumber.objects.filter(pk=locked.pk).update(removed_at=now)
    _release_dids([locked.did_id], user=user)
    TrackingPool.objects.filter(pk=locked.pool_id).update(quantity=F("quantity") - 1, updated_at=now)


def _forget_pool_lookups() -> None:
    # Now (this transaction's later reads) and after commit (what others read meanwhile).
    forget_public_keys()
    transaction.on_commit(forget_public_keys)


def _release_dids(did_ids: list[int], *, user: User | None = None) -> None:
    # Only Assigned DIDs return to stock now; a DID in Hold stays with its
    # client package, whose hold period decides (DID lifecycle).
    assigned = DID.objects.filter(pk__in=did_ids, status=DS.ASSIGNED)
    try:
        did_release_many(dids=assigned, user=user)
    except DIDError as exc:
        raise TrackingError(str(exc)) from None


@transaction.atomic
def tracking_pool_delete(*, pool: TrackingPool, user: User | None = None) -> None:
    """Delete the pool: its numbers go back to stock; its sessions and calls stay for reports."""
    now = timezone.now()
    changed = TrackingPool.objects.filter(pk=pool.pk, status=TrackingPoolStatus.ACTIVE).update(
        status=TrackingPoolStatus.DELETED, deleted_at=now, quantity=0, updated_at=now
    )
    if changed != 1:
        raise TrackingError(f"Number pool {pool.name} is already deleted.")
    numbers = list(TrackingNumber.objects.select_for_update().filter(pool=pool, removed_at__isnull=True))
    _end_sessions_on(numbers, now)
    TrackingNumber.objects.filter(pk__in=[n.pk for n in numbers]).update(removed_at=now)
    _release_dids([n.did_id for n in numbers], user=user)
    _forget_pool_lookups()
    pool.refresh_from_db()


# --- dynamic number insertion ------------------------------------------------------


NO_SOURCE = "no tracking source of this pool matches the visit"
ALL_IN_USE = "every number of the pool is in use"


@dataclass(frozen=True)
class DNIAnswer:
    """The visitor's tracking number (E.164) and the end of its hold, or why nothing is replaced.

    ``number`` and ``session`` (model instances) are built on first use from
    the allocation's plain row: building three model instances for each page
    view cost more CPU than its statement.
    """

    tracking_number: str = ""
    expires_at: datetime.datetime | None = None
    reason: str = ""
    build: Callable[[], tuple[TrackingNumber, DNISession]] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def nothing(cls, reason: str) -> DNIAnswer:
        return cls(reason=reason)

    @property
    def replace(self) -> bool:
        return bool(self.tracking_number)

    @functools.cached_property
    def _built(self) -> tuple[TrackingNumber | None, DNISession | None]:
        return self.build() if self.build else (None, None)

    @property
    def number(self) -> TrackingNumber | None:
        return self._built[0]

    @property
    def session(self) -> DNISession | None:
        return self._built[1]


def _answer(
    pool: TrackingPool, number_id: int, e164: str, expires_at: datetime.datetime, **session_fields: Any
) -> DNIAnswer:
    """The answer from the allocation's plain row; its model instances built only if asked for."""

    def build() -> tuple[TrackingNumber, DNISession]:
        number = TrackingNumber(pk=number_id, pool=pool, did=DID(number=e164))
        return number, DNISession(pool=pool, number=number, expires_at=expires_at, **session_fields)

    return DNIAnswer(e164, expires_at, build=build)


def dni_visit(
    *,
    pool: TrackingPool,
    visitor_id: str,
    referrer: str = "",
    landing_url: str = "",
    ip: str | None = None,
) -> DNIAnswer:
    """A page view: the visitor's number (kept, or newly allocated), or why nothing is replaced."""
    period = datetime.timedelta(minutes=pool.match_period)
    kept = dni_allocation.keep(pool_id=pool.pk, visitor_id=visitor_id, period=period, now=timezone.now())
    if kept is not None:
        return _answer(
            pool,
            kept.number_id,
            kept.e164,
            kept.expires_at,
            pk=kept.session_id,
            visitor_id=visitor_id,
            page_views=kept.page_views,
        )
    visit = rules.read_visit(referrer, landing_url, pool.site_domains)
    if rules.match_source(pool.tracking_sources, visit) is None:
        return DNIAnswer.nothing(NO_SOURCE)
    now = timezone.now()
    fields: _VisitFields = {
        "visitor_id": visitor_id,
        "source": visit.source,
        "referrer": referrer[:2000],
        "landing_url": landing_url[:2000],
        "url_params": visit.first_params(),
        "ip": ip,
    }
    created = dni_allocation.allocate(
        pool_id=pool.pk,
        reuse=pool.exhaustion_policy == ExhaustionPolicy.REUSE_OLDEST,
        now=now,
        expires=now + period,
        **fields,
    )
    if created is None:
        return DNIAnswer.nothing(ALL_IN_USE)
    session = {"pk": created.session_id, "started_at": now, "last_seen_at": now, "ambiguous": created.ambiguous}
    return _answer(pool, created.number_id, created.e164, now + period, **session, **fields)


# --- incoming calls -----------------------------------------------------------------


@dataclass(frozen=True)
class CallRoute:
    route: str  # "forward", "unreachable" or "unknown"
    termination_number: str = ""
    call: TrackedCall | None = None


@transaction.atomic
def tracked_call_record(*, called: str, caller: str = "", at: datetime.datetime | None = None) -> CallRoute:
    """Attribute a call to the session(s) that held the number at ``at``, and say where it goes."""
    at = at or timezone.now()
    route = did_route(called)
    if route.kind == Route.UNREACHABLE:
        return CallRoute("unreachable")
    if route.kind != Route.CUSTOMER or route.did is None:
        return CallRoute("unknown")
    number = (
        TrackingNumber.objects.select_related("pool")
        .filter(did=route.did, removed_at__isnull=True, pool__status=TrackingPoolStatus.ACTIVE)
        .first()
    )
    if number is None:
        return CallRoute("unknown")
    holders = list(
        DNISession.objects.filter(number=number, started_at__lte=at, expires_at__gt=at).order_by("-last_seen_at", "-pk")
    )
    credited = holders[0] if holders else None
    call = TrackedCall.objects.create(
        pool=number.pool,
        number=number,
        called_number=route.did.number,
        caller=caller[:32],
        called_at=at,
        session=credited,
        ambiguous=len(holders) > 1 or any(s.ambiguous for s in holders),
        source=credited.source if credited else "",
        referrer=credited.referrer if credited else "",
        landing_url=credited.landing_url if credited else "",
        url_params=credited.url_params if credited else {},
        termination_number=number.pool.termination_number,
    )
    if holders:
        call.sessions.set(holders)
    return CallRoute("forward", number.pool.termination_number, call)
