"""Customers' use of DIDs: client packages, assignment, release, hold and its end."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from customers.models import Customer
from dids.models import AFTER_HOLD_STATUSES, CUSTOMER_STATUSES, DID, ClientPackage, Package
from dids.services.lifecycle import (
    DIDBulkError,
    DIDError,
    S,
    Via,
    _label,
    did_transition,
    did_transition_many,
    transition_refusal,
)

if TYPE_CHECKING:
    from customers.models import User

# A DID back from its customer (released, or its hold over) keeps nothing of it.
FREED: dict[str, Any] = {"customer": None, "client_package": None, "assigned_at": None}


@transaction.atomic
def client_package_create(
    *,
    customer: Customer,
    package: Package,
    active: bool = True,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> ClientPackage:
    return client_package_save(
        client_package=ClientPackage(
            customer=customer, package=package, active=active, starts_on=starts_on, ends_on=ends_on
        )
    )


def client_package_dates_refusal(starts_on: datetime.date | None, ends_on: datetime.date | None) -> str | None:
    """Why these dates cannot be a client package's, or None."""
    if starts_on and ends_on and ends_on < starts_on:
        return "A client package cannot end before it starts."
    return None


@transaction.atomic
def client_package_save(*, client_package: ClientPackage) -> ClientPackage:
    """Save a new or changed client package (its package and dates); ``active`` changes only by (de)activation."""
    refusal = client_package_dates_refusal(client_package.starts_on, client_package.ends_on)
    if refusal:
        raise DIDError(refusal)
    client_package.save()
    return client_package


def client_package_used(client_package: ClientPackage) -> int:
    """Slots taken: Assigned and Hold DIDs (held ones come back on reactivation)."""
    return DID.objects.filter(client_package=client_package, status__in=CUSTOMER_STATUSES).count()


def client_package_room(client_package: ClientPackage) -> int:
    return max(0, client_package.package.did_limit - client_package_used(client_package))


@transaction.atomic
def did_assign_many(
    *, dids: QuerySet[DID] | Iterable[DID], client_package: ClientPackage, user: User | None = None
) -> list[DID]:
    """Assign every DID to the client package's customer, or none (``DIDError``)."""
    ids = list(dids.values_list("pk", flat=True)) if isinstance(dids, QuerySet) else [d.pk for d in dids]
    ids = sorted(set(ids))
    if not ids:
        raise DIDError("No DIDs selected.")
    # The lock serialises every assignment under this client package: the room
    # counted below cannot be taken by another transaction before we commit.
    cp = ClientPackage.objects.select_for_update().select_related("package", "customer").get(pk=client_package.pk)
    if not cp.active:
        raise DIDError(f"Client package {cp} is not active: DIDs cannot be assigned under it.")
    if not cp.customer.is_active:
        raise DIDError(f"Customer {cp.customer} is not active.")
    today = timezone.localdate()
    if (cp.starts_on and cp.starts_on > today) or (cp.ends_on and cp.ends_on < today):
        raise DIDError(f"Client package {cp} is outside its dates ({cp.starts_on} – {cp.ends_on}).")
    candidates = list(DID.objects.filter(pk__in=ids).order_by("pk"))
    refusals = [r for d in candidates if (r := transition_refusal(d, S.ASSIGNED, via=Via.ASSIGN))]
    refusals += [
        f"DID {d.number} has tag {d.tag or '(none)'!r}, which package {cp.package.name} does not allow "
        f"(allowed: {', '.join(cp.package.allowed_tags)})."
        for d in candidates
        if not cp.package.allows_tag(d.tag)
    ]
    if len(candidates) != len(ids):
        refusals.append(f"{len(ids) - len(candidates)} of the selected DIDs no longer exist.")
    if refusals:
        raise DIDBulkError(refusals)
    room = cp.package.did_limit - client_package_used(cp)
    if len(ids) > room:
        raise DIDError(
            f"Package {cp.package.name} of {cp.customer} has room for {max(room, 0)} more DID(s) "
            f"(limit {cp.package.did_limit}); {len(ids)} asked. Nothing assigned."
        )
    now = timezone.now()
    # Compare-and-set: a DID assigned by someone else since we read it is not taken twice.
    changed = did_transition_many(
        ids=ids,
        to_status=S.ASSIGNED,
        via=Via.ASSIGN,
        now=now,
        user=user,
        reason=f"assigned to {cp.customer} ({cp.package.name})",
        customer=cp.customer,
        client_package=cp,
        assigned_at=now,
    )
    if changed != len(ids):
        raise DIDError("Some of these DIDs were taken by someone else meanwhile; nothing assigned.")
    return list(DID.objects.filter(pk__in=ids).order_by("number"))


def did_assign(*, did: DID, client_package: ClientPackage, user: User | None = None) -> DID:
    return did_assign_many(dids=[did], client_package=client_package, user=user)[0]


@transaction.atomic
def did_provision(
    *,
    customer: Customer,
    quantity: int,
    iso_country: str,
    number_type: str,
    area_code: str = "",
    locality: str = "",
    tag: str | None = None,
    user: User | None = None,
) -> list[DID]:
    """Take ``quantity`` matching In Stock DIDs and assign them to ``customer``."""
    if quantity < 1:
        raise DIDError("Quantity must be at least 1.")
    packages = list(
        ClientPackage.objects.filter(customer=customer, active=True).select_related("package").order_by("pk")
    )
    chosen = None
    for cp in packages:
        if client_package_room(cp) >= quantity:
            chosen = cp
            break
    if chosen is None:
        raise DIDError(f"No active client package of {customer} has room for {quantity} more DID(s).")
    qs = DID.objects.filter(status=S.IN_STOCK, iso_country=iso_country.upper(), number_type=number_type)
    if area_code:
        qs = qs.filter(area_code=area_code)
    if locality:
        # The city part matches too: "New York" finds the geocoder's "New York, NY".
        qs = qs.filter(Q(locality__iexact=locality) | Q(locality__istartswith=f"{locality}, "))
    if tag is not None:
        qs = qs.filter(tag=tag)
    elif chosen.package.allowed_tags:
        qs = qs.filter(tag__in=chosen.package.allowed_tags)
    # skip_locked: concurrent provisioning requests take different numbers.
    picked = list(qs.select_for_update(skip_locked=True).order_by("number").values_list("pk", flat=True)[:quantity])
    if len(picked) < quantity:
        raise DIDError(f"Only {len(picked)} matching In Stock number(s) available; {quantity} asked.")
    return did_assign_many(dids=[DID(pk=pk) for pk in picked], client_package=chosen, user=user)


def did_release(*, did: DID, user: User | None = None) -> DID:
    return did_transition(
        did=did,
        to_status=S.IN_STOCK,
        via=Via.RELEASE,
        user=user,
        reason=f"released from {did.customer}",
        **FREED,
    )


@transaction.atomic
def did_release_many(*, dids: QuerySet[DID], user: User | None = None) -> int:
    locked = list(DID.objects.select_for_update().filter(pk__in=dids.values("pk")).order_by("pk"))
    refusals = [r for d in locked if (r := transition_refusal(d, S.IN_STOCK, via=Via.RELEASE))]
    if refusals:
        raise DIDBulkError(refusals)
    # The rows are locked and checked above: every one moves.
    return did_transition_many(
        ids=[d.pk for d in locked],
        to_status=S.IN_STOCK,
        via=Via.RELEASE,
        now=timezone.now(),
        user=user,
        reason="released",
        **FREED,
    )


def _client_package_switch(client_package: ClientPackage, *, active: bool) -> tuple[ClientPackage, datetime.datetime]:
    """Lock the client package and set ``active`` (refused when it already is so); returns it and the time."""
    cp = ClientPackage.objects.select_for_update().select_related("package").get(pk=client_package.pk)
    if cp.active == active:
        raise DIDError(f"Client package {cp} is already {'active' if active else 'inactive'}.")
    now = timezone.now()
    ClientPackage.objects.filter(pk=cp.pk).update(active=active, deactivated_at=None if active else now, updated_at=now)
    return cp, now


@transaction.atomic
def client_package_deactivate(*, client_package: ClientPackage, user: User | None = None) -> int:
    """Deactivate; its Assigned DIDs go to Hold for the package's hold period. Returns how many."""
    cp, now = _client_package_switch(client_package, active=False)
    ids = DID.objects.filter(client_package=cp).values_list("pk", flat=True)
    hold = {"hold_started_at": now, "hold_ends_at": now + datetime.timedelta(days=cp.package.hold_days)}
    reason = f"hold: {cp.package.name} deactivated"
    held = did_transition_many(ids=ids, to_status=S.HOLD, via=Via.HOLD, now=now, user=user, reason=reason, **hold)
    client_package.refresh_from_db()
    return held


@transaction.atomic
def client_package_activate(*, client_package: ClientPackage, user: User | None = None) -> int:
    """Activate; its DIDs still within their hold period return to Assigned. Returns how many."""
    cp, now = _client_package_switch(client_package, active=True)
    # Only the DIDs still within their hold period: the others wait for its end (did_expire_holds).
    ids = DID.objects.filter(client_package=cp, hold_ends_at__gt=now).values_list("pk", flat=True)
    unheld = {"hold_started_at": None, "hold_ends_at": None}
    reason = f"reactivated: {cp.package.name}"
    back = did_transition_many(
        ids=ids, to_status=S.ASSIGNED, via=Via.REACTIVATE, now=now, user=user, reason=reason, **unheld
    )
    client_package.refresh_from_db()
    return back


def did_expire_holds(*, now: datetime.datetime | None = None, batch_size: int = 5000) -> int:
    """Hold DIDs whose period ended go to their after-hold status, freed. Idempotent."""
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            batch = list(
                DID.objects.select_for_update(skip_locked=True)
                .filter(status=S.HOLD, hold_ends_at__lte=now)
                .order_by("pk")
                .values_list("pk", "after_hold_status")[:batch_size]
            )
            if not batch:
                return total
            for after in AFTER_HOLD_STATUSES:
                ids = [pk for pk, a in batch if a == after]
                if not ids:
                    continue
                did_transition_many(
                    ids=ids,
                    to_status=after,
                    via=Via.HOLD_EXPIRY,
                    now=now,
                    reason=f"hold ended: {_label(after)}",
                    **FREED,
                    hold_started_at=None,
                    hold_ends_at=None,
                )
            total += len(batch)
