"""Every write to caller-ID pools, and the carousel the dialer draws from.

Public API (other apps build on these names; keep them stable):

The carousel
    ``pool_next_number(*, pool: NumberPool) -> DID``
        The A-number for the next call. Sequential pools: the next usable
        member in pool order (position), wrapping; the position comes from one
        atomic counter per pool (a PostgreSQL sequence, ``nextval``; on SQLite
        the pool row's ``cursor`` column, ``UPDATE … RETURNING``), so every
        worker in every process shares one sequence and no two calls get the
        same position within a cycle. The counter is taken modulo the number of
        *usable* members, so each usable member is used equally often. Random
        pools: a uniformly random usable member. Members not usable now (DID in
        Hold, no longer the customer's; in a global pool, no longer Reserved
        without customer) are skipped. Raises ``NoUsableNumber``
        (``.cause_code == "P01"``, the platform cause "no usable A-number" of
        ``campaigns.causes``) when no member is usable. On PostgreSQL a draw
        takes no lock, so it may run inside the caller's transaction; a
        rolled-back transaction does not give its positions back.
    ``NoUsableNumber`` — the one error of a draw.

Pools
    ``number_pool_create(*, name, pool_type, customer=None, is_global=False) -> NumberPool``
    ``number_pool_update(*, pool, **fields) -> NumberPool`` (name, pool_type,
        customer, is_global; the owner cannot change while the pool has members)
    ``number_pool_delete(*, pool) -> None``

Members
    ``did_pool_refusal(pool, did, *, tracking=None) -> str | None`` — why ``did``
        may not join (a number serving a call-tracking pool never may;
        ``tracking``: DID id → tracking pool name, read once for many DIDs).
    ``pool_members_add(*, pool, dids) -> list[NumberPoolMember]`` appended in
        the given order; all or nothing (``PoolError`` naming each refused DID).
    ``pool_members_remove(*, pool, member_ids) -> int`` (positions closed up)
    ``pool_members_reorder(*, pool, member_ids) -> None`` — the full new order.
    ``pool_member_move(*, member, to_position) -> None``
    ``dids_leave_pools(*, did_ids) -> int`` — the DIDs leave every caller-ID
        pool they are in (call tracking calls it for the numbers it takes).

Uploads (``callerid_pools.upload``)
    ``pool_import_file(*, pool, table, markup) -> PoolUploadReport``
    ``pool_incorrect_number_fix(*, incorrect, raw) -> FixResult``

Refused changes raise ``PoolError`` with a message naming what was wrong;
nothing is written then.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Max, PositiveIntegerField, Value, When

from call_tracking.selectors import caller_id_refusal, tracking_pools_serving
from callerid_pools import draw
from callerid_pools.models import NumberPool, NumberPoolMember, PoolType
from customers.models import Customer
from customers.tenancy import owner_refusal
from dids.models import DID, DIDStatus

__all__ = [
    "NO_USABLE_NUMBER_CAUSE",
    "NoUsableNumber",
    "PoolError",
    "did_pool_refusal",
    "dids_leave_pools",
    "number_pool_create",
    "number_pool_delete",
    "number_pool_update",
    "pool_member_move",
    "pool_members_add",
    "pool_members_remove",
    "pool_members_reorder",
    "pool_next_number",
]

# campaigns/causes.py: "No usable A-number".
NO_USABLE_NUMBER_CAUSE = "P01"


class PoolError(Exception):
    """A refused change to a pool, with a message for the person who asked."""


class NoUsableNumber(Exception):
    """No member of the pool can be used as a caller ID right now."""

    cause_code = NO_USABLE_NUMBER_CAUSE

    def __init__(self, pool: NumberPool):
        self.pool = pool
        super().__init__(f"Pool {pool.name!r} has no usable number (every member is on hold, gone or empty).")


# --- The carousel -------------------------------------------------------------


def pool_next_number(*, pool: NumberPool) -> DID:
    """The A-number for the next call from ``pool`` (see the module docstring)."""
    if pool.pool_type == PoolType.RANDOM:
        did = draw.next_random(pool_id=pool.pk)
    else:
        did = draw.next_sequential(pool_id=pool.pk).did
    if did is None:
        raise NoUsableNumber(pool)
    return did


# --- Pools ----------------------------------------------------------------------


def _save(pool: NumberPool) -> NumberPool:
    try:
        pool.full_clean(exclude=["cursor"])
    except ValidationError as exc:
        raise PoolError(" ".join(exc.messages)) from None
    try:
        with transaction.atomic():
            pool.save()
    except IntegrityError:
        owner = "a global pool" if pool.is_global else f"a pool of {pool.customer}"
        raise PoolError(f"There is already {owner} named {pool.name!r}.") from None
    return pool


@transaction.atomic
def number_pool_create(
    *, name: str, pool_type: str = PoolType.SEQUENTIAL, customer: Customer | None = None, is_global: bool = False
) -> NumberPool:
    refusal = owner_refusal(customer, is_global, thing="pool")
    if refusal:
        raise PoolError(refusal)
    return _save(NumberPool(name=name.strip(), pool_type=pool_type, customer=customer, is_global=is_global))


@transaction.atomic
def number_pool_update(*, pool: NumberPool, **fields: Any) -> NumberPool:
    allowed = {"name", "pool_type", "customer", "is_global"}
    unknown = set(fields) - allowed
    if unknown:
        raise PoolError(f"These pool fields cannot be changed: {', '.join(sorted(unknown))}.")
    locked = NumberPool.objects.select_for_update().get(pk=pool.pk)
    customer = fields.get("customer", locked.customer)
    is_global = fields.get("is_global", locked.is_global)
    refusal = owner_refusal(customer, is_global, thing="pool")
    if refusal:
        raise PoolError(refusal)
    owner_changes = is_global != locked.is_global or (customer.pk if customer else None) != locked.customer_id
    if owner_changes and locked.members.exists():
        raise PoolError(
            f"Pool {locked.name!r} has members that belong to its current owner: remove them before changing "
            "its customer or Global."
        )
    for key, value in fields.items():
        setattr(locked, key, value.strip() if key == "name" else value)
    _save(locked)
    for key in fields:
        setattr(pool, key, getattr(locked, key))
    return locked


@transaction.atomic
def number_pool_delete(*, pool: NumberPool) -> None:
    NumberPool.objects.filter(pk=pool.pk).delete()
    draw.forget_counter(pool_id=pool.pk)


# --- Members --------------------------------------------------------------------


def did_pool_refusal(pool: NumberPool, did: DID, *, tracking: Mapping[int, str] | None = None) -> str | None:
    """Why ``did`` may not join ``pool``; None when it may.

    ``tracking`` maps DID ids to the call-tracking pool each serves (``tracking_pools_serving``)
    when the caller checks many DIDs; without it this DID's is read.
    """
    if tracking is None:
        tracking = tracking_pools_serving([did.pk])
    if did.pk in tracking:
        return caller_id_refusal(did.number, tracking[did.pk])
    if pool.is_global:
        if did.status != DIDStatus.RESERVED or did.customer_id is not None:
            return (
                f"DID {did.number} is not a platform DID: a global pool takes only Reserved DIDs without "
                f"a customer, and it is {did.get_status_display()}."
            )
        return None
    if did.customer_id != pool.customer_id:
        return f"DID {did.number} is not a DID of {pool.customer}: a customer's pool takes only its own DIDs."
    return None


def _lock(pool: NumberPool) -> NumberPool:
    # Every membership change of one pool runs under its row lock, so positions
    # computed from the current maximum are never handed out twice.
    return NumberPool.objects.select_for_update(of=("self",)).select_related("customer").get(pk=pool.pk)


@transaction.atomic
def pool_members_add(*, pool: NumberPool, dids: Iterable[DID]) -> list[NumberPoolMember]:
    """Append ``dids`` to ``pool`` in the given order; all or nothing."""
    locked = _lock(pool)
    wanted: list[DID] = []
    seen: set[int] = set()
    for did in dids:
        if did.pk not in seen:
            seen.add(did.pk)
            wanted.append(did)
    if not wanted:
        raise PoolError("No DIDs chosen.")
    # Re-read the DIDs: eligibility depends on their status now, not when the page was drawn.
    current = DID.objects.in_bulk([d.pk for d in wanted])
    tracking = tracking_pools_serving(current)
    refusals = []
    for did in wanted:
        fresh = current.get(did.pk)
        if fresh is None:
            refusals.append(f"DID {did.number} no longer exists.")
        elif refusal := did_pool_refusal(locked, fresh, tracking=tracking):
            refusals.append(refusal)
    already = set(
        NumberPoolMember.objects.filter(pool=locked, did_id__in=list(current)).values_list("did__number", flat=True)
    )
    refusals += [f"DID {number} is already in pool {locked.name!r}." for number in sorted(already)]
    if refusals:
        raise PoolError(" ".join(refusals))
    start = (locked.members.aggregate(top=Max("position"))["top"] or 0) + 1
    members = [
        NumberPoolMember(pool=locked, did=current[did.pk], position=start + index) for index, did in enumerate(wanted)
    ]
    return NumberPoolMember.objects.bulk_create(members)


@transaction.atomic
def pool_members_remove(*, pool: NumberPool, member_ids: Sequence[int]) -> int:
    locked = _lock(pool)
    removed, _ = NumberPoolMember.objects.filter(pool=locked, pk__in=list(member_ids)).delete()
    if removed:
        remaining = list(locked.members.order_by("position", "pk").values_list("pk", flat=True))
        _renumber(locked, remaining)
    return removed


def _renumber(pool: NumberPool, ordered_ids: Sequence[int]) -> None:
    """Give ``ordered_ids`` positions 1..n in two statements.

    Position is unique per pool and PostgreSQL checks that row by row, so a
    swap in one UPDATE would collide: the first statement moves every member
    above the old range, the second brings them down to their places.
    """
    if not ordered_ids:
        return
    members = NumberPoolMember.objects.filter(pool=pool)
    offset = (members.aggregate(top=Max("position"))["top"] or 0) + len(ordered_ids) + 1
    whens = [When(pk=pk, then=Value(index + 1 + offset)) for index, pk in enumerate(ordered_ids)]
    members.filter(pk__in=ordered_ids).update(
        position=Case(*whens, default=F("position"), output_field=PositiveIntegerField())
    )
    members.filter(pk__in=ordered_ids).update(position=F("position") - offset)


@transaction.atomic
def pool_members_reorder(*, pool: NumberPool, member_ids: Sequence[int]) -> None:
    """Set the whole order of ``pool``: ``member_ids`` lists every member once."""
    locked = _lock(pool)
    ids = [int(pk) for pk in member_ids]
    current = set(locked.members.values_list("pk", flat=True))
    if len(ids) != len(set(ids)):
        raise PoolError("The new order names a member twice.")
    if set(ids) != current:
        raise PoolError(
            f"The new order must list every member of pool {locked.name!r} exactly once "
            "(the pool changed meanwhile? reload the page)."
        )
    _renumber(locked, ids)


@transaction.atomic
def pool_member_move(*, member: NumberPoolMember, to_position: int) -> None:
    """Move one member to ``to_position`` (1 = first); the others keep their order."""
    locked = _lock(member.pool)
    order = list(locked.members.order_by("position", "pk").values_list("pk", flat=True))
    if member.pk not in order:
        raise PoolError(f"DID {member.did} is no longer in pool {locked.name!r}.")
    if not 1 <= to_position <= len(order):
        raise PoolError(f"Position {to_position} is outside 1–{len(order)}.")
    order.remove(member.pk)
    order.insert(to_position - 1, member.pk)
    _renumber(locked, order)


@transaction.atomic
def dids_leave_pools(*, did_ids: Iterable[int]) -> int:
    """Remove the DIDs from every caller-ID pool holding them (positions closed up); how many members went.

    A pool keeps a member whose DID left its customer (skipped, shown so); when such a DID comes back
    as a call-tracking number it must not become usable as a caller ID again.
    """
    ids = list(did_ids)
    removed = 0
    pool_ids = sorted(set(NumberPoolMember.objects.filter(did_id__in=ids).values_list("pool_id", flat=True)))
    for pool in NumberPool.objects.filter(pk__in=pool_ids).order_by("pk"):
        members = list(NumberPoolMember.objects.filter(pool=pool, did_id__in=ids).values_list("pk", flat=True))
        removed += pool_members_remove(pool=pool, member_ids=members)
    return removed
