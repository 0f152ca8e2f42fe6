"""Every write to the DID inventory. Public API (other apps build on these names):

Lifecycle (the one transition function)
    ``transition_refusal(did, to_status, *, via) -> str | None``
        Pure check: why ``did`` may not move to ``to_status`` by ``via``
        (one of ``Via``), or None. Messages name the DID, its status and the rule.
    ``did_transition(*, did, to_status, via=Via.EDIT, user=None, reason="", **fields) -> DID``
        The one place a status changes: checks, then compare-and-set on the
        status it was read with. Raises ``DIDTransitionError``.

Creating and editing
    ``did_create_many(*, specs, operator, status="in_stock", after_hold_status="in_stock",
    tag="", notes="", user=None) -> DIDCreateResult`` (``.created``/``.existing`` E.164 lists)
        ``specs`` is text or a list of numbers / ranges (``dids.numbers.parse_specs``).
        Raises ``NumberError`` (bad spec) or ``DIDError``; nothing is written then.
    ``did_update(*, did, user=None, **fields) -> DID`` single edit; a status
        change goes through the transition.
    ``did_bulk_update(*, dids, changes, user=None) -> int`` all-or-nothing:
        raises ``DIDBulkError`` (``.refusals``: list of messages) and changes nothing
        when any selected DID refuses.
    ``did_delete(*, did)`` refused for Assigned and Hold.
    ``operator_get_or_create(*, name) -> (Operator, created)``

Customers' use
    ``client_package_create(*, customer, package, active=True, starts_on=None, ends_on=None)``
    ``client_package_room(client_package) -> int`` free slots now.
    ``did_assign_many(*, dids, client_package, user=None) -> list[DID]``
        In Stock / Reserved → Assigned. The client package row is locked
        (``select_for_update``) while its room and tags are checked, and every
        DID is taken by compare-and-set, so of two concurrent assignments of the
        last slot or of the same DID exactly one wins; the loser gets
        ``DIDError`` and nothing changes.
    ``did_assign(*, did, client_package, user=None) -> DID``
    ``did_provision(*, customer, quantity, iso_country, number_type, area_code="",
    locality="", tag=None, user=None) -> list[DID]`` picks ``quantity`` matching
        In Stock DIDs (skipping rows locked by others) and assigns them under an
        active client package of ``customer`` with room. Raises ``DIDError``
        (not enough numbers / no room), nothing changed. For call tracking.
    ``did_release(*, did, user=None) -> DID`` Assigned → In Stock.
    ``did_release_many(*, dids, user=None) -> int``
    ``client_package_deactivate(*, client_package, user=None) -> int``
        Assigned DIDs → Hold until now + package.hold_days.
    ``client_package_activate(*, client_package, user=None) -> int``
        Hold DIDs whose hold has not ended → Assigned.
    ``did_expire_holds(*, now=None) -> int`` Hold DIDs whose hold ended → their
        after-hold status, freed from the customer (run by the periodic task).

Routing
    ``did_route(number) -> DIDRoute`` with ``.kind`` in ``Route.CUSTOMER``
    ("route to customer"), ``Route.UNREACHABLE`` (Hold), ``Route.UNKNOWN``;
    ``.did`` and ``.customer`` when known.

History: every write leaves a django-simple-history row (``DID.history``) with
the user and a change reason; set-based updates write them with
``bulk_history_create``.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from customers.models import Customer
from dids import bulk
from dids.models import (
    AFTER_HOLD_STATUSES,
    CREATION_STATUSES,
    CUSTOMER_STATUSES,
    DID,
    ClientPackage,
    DIDStatus,
    Operator,
    Package,
)
from dids.numbers import NumberError, parse_number, parse_specs

__all__ = [
    "DIDBulkError",
    "DIDCreateResult",
    "DIDError",
    "DIDRoute",
    "DIDTransitionError",
    "NumberError",
    "Route",
    "Via",
    "client_package_activate",
    "client_package_create",
    "client_package_deactivate",
    "client_package_room",
    "did_assign",
    "did_assign_many",
    "did_bulk_update",
    "did_create_many",
    "did_delete",
    "did_delete_many",
    "did_expire_holds",
    "did_provision",
    "did_release",
    "did_release_many",
    "did_route",
    "did_transition",
    "did_update",
    "operator_get_or_create",
    "transition_refusal",
]

EDITABLE_FIELDS = ("operator", "status", "after_hold_status", "tag", "notes")


class DIDError(Exception):
    """A refused change, with a message for the person who asked."""


class DIDTransitionError(DIDError):
    pass


class DIDBulkError(DIDError):
    def __init__(self, refusals: list[str]):
        self.refusals = refusals
        super().__init__(f"{len(refusals)} DID(s) refused, nothing changed: " + "; ".join(refusals[:5]))


class Via(enum.StrEnum):
    """How a transition is asked for: each is allowed only some moves."""

    EDIT = "edit"  # an administrator's edit or bulk edit
    ASSIGN = "assign"
    RELEASE = "release"
    HOLD = "hold"  # client package deactivated
    REACTIVATE = "reactivate"  # client package activated again
    HOLD_EXPIRY = "hold_expiry"  # the periodic job


S = DIDStatus
# (from, to) → the one way it may be done.
_ALLOWED: dict[tuple[str, str], Via] = {
    (S.IN_STOCK, S.RESERVED): Via.EDIT,
    (S.RESERVED, S.IN_STOCK): Via.EDIT,
    (S.IN_STOCK, S.ARCHIVE): Via.EDIT,
    (S.RESERVED, S.ARCHIVE): Via.EDIT,
    (S.ARCHIVE, S.IN_STOCK): Via.EDIT,
    (S.IN_STOCK, S.ASSIGNED): Via.ASSIGN,
    (S.RESERVED, S.ASSIGNED): Via.ASSIGN,
    (S.ASSIGNED, S.IN_STOCK): Via.RELEASE,
    (S.ASSIGNED, S.HOLD): Via.HOLD,
    (S.HOLD, S.ASSIGNED): Via.REACTIVATE,
    (S.HOLD, S.IN_STOCK): Via.HOLD_EXPIRY,
    (S.HOLD, S.RESERVED): Via.HOLD_EXPIRY,
    (S.HOLD, S.ARCHIVE): Via.HOLD_EXPIRY,
}
_HOW = {
    Via.EDIT: "an administrator's edit",
    Via.ASSIGN: "assigning it to a customer with an active client package that has room",
    Via.RELEASE: "releasing it from its customer",
    Via.HOLD: "deactivating its client package",
    Via.REACTIVATE: "reactivating its client package within the hold period",
    Via.HOLD_EXPIRY: "the end of its hold period (to its after-hold status)",
}


def _label(status: str) -> str:
    return S(status).label


def transition_refusal(did: DID, to_status: str, *, via: Via = Via.EDIT) -> str | None:
    """Why ``did`` may not move to ``to_status`` by ``via``; None when it may."""
    current = did.status
    if to_status not in S.values:
        return f"DID {did.number}: {to_status!r} is not a status."
    if current == to_status:
        return None
    allowed = _ALLOWED.get((current, to_status))
    if allowed is None:
        return f"DID {did.number} is {_label(current)}: it cannot become {_label(to_status)}."
    if allowed != via:
        return (
            f"DID {did.number} is {_label(current)}: it becomes {_label(to_status)} only by {_HOW[allowed]}, "
            f"not by {_HOW[via]}."
        )
    if via == Via.HOLD_EXPIRY and to_status != did.after_hold_status:
        return f"DID {did.number} is {_label(current)}: after its hold it becomes {_label(did.after_hold_status)}."
    return None


def _history(dids: Iterable[DID], *, user=None, reason: str = "") -> None:
    """One history row per DID for set-based updates, which bypass the save() signals."""
    objs = list(dids)
    if objs:
        DID.history.bulk_history_create(objs, update=True, default_user=user, default_change_reason=reason)


def did_transition(*, did: DID, to_status: str, via: Via = Via.EDIT, user=None, reason: str = "", **fields) -> DID:
    """Move ``did`` to ``to_status`` (with ``fields``), by compare-and-set on its current status."""
    refusal = transition_refusal(did, to_status, via=via)
    if refusal:
        raise DIDTransitionError(refusal)
    with transaction.atomic():
        changed = DID.objects.filter(pk=did.pk, status=did.status).update(
            status=to_status, updated_at=timezone.now(), **fields
        )
        if changed != 1:
            fresh = DID.objects.filter(pk=did.pk).values_list("status", flat=True).first()
            now = "deleted" if fresh is None else _label(fresh)
            raise DIDTransitionError(f"DID {did.number} changed meanwhile (it is now {now}); nothing was done.")
        did.refresh_from_db()
        _history([did], user=user, reason=reason or f"{via}: {_label(to_status)}")
    return did


# --- creating and editing ---------------------------------------------------


@dataclass
class DIDCreateResult:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)


def operator_get_or_create(*, name: str) -> tuple[Operator, bool]:
    name = name.strip()
    if not name:
        raise DIDError("An operator name is required.")
    existing = Operator.objects.filter(name__iexact=name).first()
    if existing:
        return existing, False
    return Operator.objects.get_or_create(name=name)


def _check_creation(status: str, after_hold_status: str) -> None:
    if status not in CREATION_STATUSES:
        shown = S(status).label if status in S.values else repr(status)
        raise DIDError(f"A DID is created only as In Stock, Reserved or Archive, not {shown}.")
    if after_hold_status not in AFTER_HOLD_STATUSES:
        raise DIDError(f"After hold must be In Stock, Reserved or Archive, not {after_hold_status!r}.")


@transaction.atomic
def did_create_many(
    *,
    specs: str | list[str],
    operator: Operator,
    status: str = S.IN_STOCK,
    after_hold_status: str = S.IN_STOCK,
    tag: str = "",
    notes: str = "",
    user=None,
    reason: str = "created",
) -> DIDCreateResult:
    """Create the numbers and ranges of ``specs``; the ones that already exist are reported, not changed."""
    _check_creation(status, after_hold_status)
    parsed = parse_specs(specs)
    numbers = [p.number for p in parsed]
    existing = bulk.existing_numbers(numbers)
    new = [p for p in parsed if p.number not in existing]
    now = timezone.now()
    rows = bulk.rows_for(
        new,
        operator_id=operator.pk,
        status=status,
        after_hold_status=after_hold_status,
        tag=tag.strip(),
        notes=notes,
        now=now,
    )
    try:
        with bulk.writer() as writer:
            writer.add_many(rows)
            writer.publish()
    except IntegrityError as exc:
        # A concurrent creation of the same number ends here, whole request undone.
        raise DIDError("Some of these numbers were created by someone else meanwhile; try again.") from exc
    new_numbers = [p.number for p in new]
    bulk.write_history(new_numbers, user_id=_user_id(user), reason=reason, date=now)
    return DIDCreateResult(created=new_numbers, existing=[n for n in numbers if n in existing])


def _user_id(user) -> int | None:
    if user is None:
        from simple_history.models import HistoricalRecords

        request = getattr(HistoricalRecords.context, "request", None)
        user = getattr(request, "user", None)
    return user.pk if user is not None and getattr(user, "is_authenticated", False) else None


def _validate_plain_fields(changes: dict) -> None:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DIDError(f"These fields cannot be edited here: {', '.join(sorted(unknown))}.")
    if "after_hold_status" in changes and changes["after_hold_status"] not in AFTER_HOLD_STATUSES:
        raise DIDError(f"After hold must be In Stock, Reserved or Archive, not {changes['after_hold_status']!r}.")
    if "operator" in changes and not isinstance(changes["operator"], Operator):
        raise DIDError("Choose an operator.")
    if "tag" in changes:
        changes["tag"] = (changes["tag"] or "").strip()


@transaction.atomic
def did_update(*, did: DID, user=None, **changes) -> DID:
    """An administrator's edit of one DID; a status change is a checked transition."""
    _validate_plain_fields(changes)
    try:
        did_bulk_update(dids=DID.objects.filter(pk=did.pk), changes=changes, user=user, reason="edited")
    except DIDBulkError as exc:
        raise DIDTransitionError(exc.refusals[0]) from None
    did.refresh_from_db()
    return did


@transaction.atomic
def did_bulk_update(*, dids: QuerySet[DID] | Iterable[DID], changes: dict, user=None, reason: str = "bulk edit") -> int:
    """Apply ``changes`` to every DID, or to none: each refusal is reported in ``DIDBulkError``."""
    changes = {k: v for k, v in changes.items() if v is not None}
    _validate_plain_fields(changes)
    if not changes:
        raise DIDError("Nothing to change: choose at least one field.")
    ids = list(dids.values_list("pk", flat=True)) if isinstance(dids, QuerySet) else [d.pk for d in dids]
    if not ids:
        raise DIDError("No DIDs selected.")
    # Locked in id order so that two bulk edits over the same rows cannot deadlock.
    locked = list(DID.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    status = changes.get("status")
    if status is not None:
        refusals = [r for d in locked if (r := transition_refusal(d, status, via=Via.EDIT))]
        if refusals:
            raise DIDBulkError(refusals)
    now = timezone.now()
    for did in locked:
        for name, value in changes.items():
            setattr(did, name, value)
        did.updated_at = now
    # The rows are locked, so the statuses checked above are still current.
    DID.objects.bulk_update(locked, [*changes, "updated_at"], batch_size=2000)
    _history(locked, user=user, reason=reason)
    return len(locked)


@transaction.atomic
def did_delete(*, did: DID) -> None:
    fresh = DID.objects.select_for_update().filter(pk=did.pk).first()
    if fresh is None:
        return
    if fresh.status in CUSTOMER_STATUSES:
        raise DIDError(
            f"DID {fresh.number} is {_label(fresh.status)} (in use by {fresh.customer}): release it before deleting it."
        )
    fresh.delete()


def did_delete_many(*, dids: QuerySet[DID]) -> int:
    with transaction.atomic():
        in_use = list(dids.filter(status__in=CUSTOMER_STATUSES).values_list("number", "status")[:20])
        if in_use:
            listed = ", ".join(f"{n} ({_label(s)})" for n, s in in_use)
            raise DIDError(f"Assigned and Hold DIDs cannot be deleted; release them first: {listed}. Nothing deleted.")
        count, _ = dids.delete()
    return count


# --- customers' use -----------------------------------------------------------


@transaction.atomic
def client_package_create(
    *,
    customer: Customer,
    package: Package,
    active: bool = True,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> ClientPackage:
    if starts_on and ends_on and ends_on < starts_on:
        raise DIDError("A client package cannot end before it starts.")
    return ClientPackage.objects.create(
        customer=customer, package=package, active=active, starts_on=starts_on, ends_on=ends_on
    )


def client_package_used(client_package: ClientPackage) -> int:
    """Slots taken: Assigned and Hold DIDs (held ones come back on reactivation)."""
    return DID.objects.filter(client_package=client_package, status__in=CUSTOMER_STATUSES).count()


def client_package_room(client_package: ClientPackage) -> int:
    return max(0, client_package.package.did_limit - client_package_used(client_package))


@transaction.atomic
def did_assign_many(*, dids: QuerySet[DID] | Iterable[DID], client_package: ClientPackage, user=None) -> list[DID]:
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
    changed = DID.objects.filter(pk__in=ids, status__in=(S.IN_STOCK, S.RESERVED)).update(
        status=S.ASSIGNED, customer=cp.customer, client_package=cp, assigned_at=now, updated_at=now
    )
    if changed != len(ids):
        raise DIDError("Some of these DIDs were taken by someone else meanwhile; nothing assigned.")
    assigned = list(DID.objects.filter(pk__in=ids).order_by("number"))
    _history(assigned, user=user, reason=f"assigned to {cp.customer} ({cp.package.name})")
    return assigned


def did_assign(*, did: DID, client_package: ClientPackage, user=None) -> DID:
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
    user=None,
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
        qs = qs.filter(locality__iexact=locality)
    if tag is not None:
        qs = qs.filter(tag=tag)
    elif chosen.package.allowed_tags:
        qs = qs.filter(tag__in=chosen.package.allowed_tags)
    # skip_locked: concurrent provisioning requests take different numbers.
    picked = list(qs.select_for_update(skip_locked=True).order_by("number").values_list("pk", flat=True)[:quantity])
    if len(picked) < quantity:
        raise DIDError(f"Only {len(picked)} matching In Stock number(s) available; {quantity} asked.")
    return did_assign_many(dids=[DID(pk=pk) for pk in picked], client_package=chosen, user=user)


def did_release(*, did: DID, user=None) -> DID:
    return did_transition(
        did=did,
        to_status=S.IN_STOCK,
        via=Via.RELEASE,
        user=user,
        reason=f"released from {did.customer}",
        customer=None,
        client_package=None,
        assigned_at=None,
    )


@transaction.atomic
def did_release_many(*, dids: QuerySet[DID], user=None) -> int:
    locked = list(DID.objects.select_for_update().filter(pk__in=dids.values("pk")).order_by("pk"))
    refusals = [r for d in locked if (r := transition_refusal(d, S.IN_STOCK, via=Via.RELEASE))]
    if refusals:
        raise DIDBulkError(refusals)
    ids = [d.pk for d in locked]
    DID.objects.filter(pk__in=ids).update(
        status=S.IN_STOCK, customer=None, client_package=None, assigned_at=None, updated_at=timezone.now()
    )
    _history(DID.objects.filter(pk__in=ids), user=user, reason="released")
    return len(ids)


@transaction.atomic
def client_package_deactivate(*, client_package: ClientPackage, user=None) -> int:
    """Deactivate; its Assigned DIDs go to Hold for the package's hold period. Returns how many."""
    cp = ClientPackage.objects.select_for_update().select_related("package").get(pk=client_package.pk)
    if not cp.active:
        raise DIDError(f"Client package {cp} is already inactive.")
    now = timezone.now()
    ClientPackage.objects.filter(pk=cp.pk).update(active=False, deactivated_at=now, updated_at=now)
    ids = list(DID.objects.filter(client_package=cp, status=S.ASSIGNED).values_list("pk", flat=True))
    DID.objects.filter(pk__in=ids, status=S.ASSIGNED).update(
        status=S.HOLD,
        hold_started_at=now,
        hold_ends_at=now + datetime.timedelta(days=cp.package.hold_days),
        updated_at=now,
    )
    _history(DID.objects.filter(pk__in=ids), user=user, reason=f"hold: {cp.package.name} deactivated")
    client_package.refresh_from_db()
    return len(ids)


@transaction.atomic
def client_package_activate(*, client_package: ClientPackage, user=None) -> int:
    """Activate; its DIDs still within their hold period return to Assigned. Returns how many."""
    cp = ClientPackage.objects.select_for_update().select_related("package").get(pk=client_package.pk)
    if cp.active:
        raise DIDError(f"Client package {cp} is already active.")
    now = timezone.now()
    ClientPackage.objects.filter(pk=cp.pk).update(active=True, deactivated_at=None, updated_at=now)
    ids = list(DID.objects.filter(client_package=cp, status=S.HOLD, hold_ends_at__gt=now).values_list("pk", flat=True))
    DID.objects.filter(pk__in=ids, status=S.HOLD).update(
        status=S.ASSIGNED, hold_started_at=None, hold_ends_at=None, updated_at=now
    )
    _history(DID.objects.filter(pk__in=ids), user=user, reason=f"reactivated: {cp.package.name}")
    client_package.refresh_from_db()
    return len(ids)


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
                DID.objects.filter(pk__in=ids, status=S.HOLD).update(
                    status=after,
                    customer=None,
                    client_package=None,
                    assigned_at=None,
                    hold_started_at=None,
                    hold_ends_at=None,
                    updated_at=now,
                )
                _history(DID.objects.filter(pk__in=ids), reason=f"hold ended: {_label(after)}")
            total += len(batch)


# --- routing ------------------------------------------------------------------


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
