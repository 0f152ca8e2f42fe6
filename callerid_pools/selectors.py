"""Reads of caller-ID pools, each with the joins its page needs.

``usable_member_q(pool)`` is the one definition of "usable at this moment"
(the carousel and every page showing a member's state use it):
- a customer's pool: the DID is Assigned to the pool's customer (a DID in
  Hold, released or given to someone else is skipped);
- a global pool: the DID is Reserved and has no customer.
``eligible_did_q(pool)`` is who may join: the customer's DIDs (Assigned, or
in Hold, which may come back) or, for a global pool, Reserved platform DIDs;
``eligible_dids`` leaves out the numbers serving a call-tracking pool, which
may never be a caller ID (``services.did_pool_refusal``).
"""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from call_tracking.selectors import serving_tracking
from callerid_pools.models import NumberPool, NumberPoolIncorrectNumber, NumberPoolMember
from customers.models import Customer
from customers.tenancy import scoped
from dids.models import DID, DIDStatus


def usable_did_q(pool: NumberPool, prefix: str = "") -> Q:
    """DIDs usable as this pool's caller ID now (``prefix`` e.g. ``"did__"`` from a member)."""
    if pool.is_global:
        return Q(**{f"{prefix}status": DIDStatus.RESERVED, f"{prefix}customer__isnull": True})
    return Q(**{f"{prefix}status": DIDStatus.ASSIGNED, f"{prefix}customer_id": pool.customer_id})


def usable_member_q(pool: NumberPool) -> Q:
    return usable_did_q(pool, "did__")


def eligible_did_q(pool: NumberPool, prefix: str = "") -> Q:
    if pool.is_global:
        return Q(**{f"{prefix}status": DIDStatus.RESERVED, f"{prefix}customer__isnull": True})
    return Q(**{f"{prefix}customer_id": pool.customer_id})


def pool_members(pool: NumberPool) -> QuerySet[NumberPoolMember]:
    """Every member in carousel order, with its DID."""
    return pool.members.select_related("did").order_by("position", "pk")


def pool_usable_members(pool: NumberPool) -> QuerySet[NumberPoolMember]:
    return pool_members(pool).filter(usable_member_q(pool))


def member_state(pool: NumberPool, did: DID) -> str:
    """Why a member is or is not used, in a word or two, for the pages."""
    if pool.is_global:
        if did.status == DIDStatus.RESERVED and did.customer_id is None:
            return "usable"
        return f"skipped: {did.get_status_display()}"
    if did.customer_id != pool.customer_id:
        return "skipped: no longer the customer's"
    if did.status == DIDStatus.HOLD:
        return "skipped: on hold"
    return "usable"


def eligible_dids(pool: NumberPool, *, search: str = "") -> QuerySet[DID]:
    """DIDs that may join ``pool`` and are not in it yet, for the admin's search."""
    qs = (
        DID.objects.filter(eligible_did_q(pool))
        .exclude(Exists(NumberPoolMember.objects.filter(pool=pool, did=OuterRef("pk"))))
        .exclude(serving_tracking())
    )
    search = search.strip()
    if search:
        digits = "".join(ch for ch in search if ch.isdigit())
        condition = Q(locality__icontains=search) | Q(tag__icontains=search)
        if digits:
            condition |= Q(number__contains=digits)
        qs = qs.filter(condition)
    return qs.order_by("number")


# usable_member_q for every pool of a queryset at once, from the pool's side.
_USABLE_FROM_POOL = Q(
    is_global=False, members__did__status=DIDStatus.ASSIGNED, members__did__customer_id=F("customer_id")
) | Q(is_global=True, members__did__status=DIDStatus.RESERVED, members__did__customer__isnull=True)


def pools_with_counts(qs: QuerySet[NumberPool] | None = None) -> QuerySet[NumberPool]:
    """Pools with ``member_count`` and ``usable_count``, in one query."""
    qs = NumberPool.objects.all() if qs is None else qs
    return qs.select_related("customer").annotate(
        member_count=Count("members", distinct=True),
        usable_count=Count("members", filter=_USABLE_FROM_POOL, distinct=True),
    )


def pools_visible_to(customer: Customer | None) -> QuerySet[NumberPool]:
    """The customer's pools and the global ones (the dashboard)."""
    return pools_with_counts(scoped(NumberPool.objects.all(), customer, include_global=True)).order_by(
        "is_global", "name", "pk"
    )


def pool_incorrect_numbers(pool: NumberPool) -> QuerySet[NumberPoolIncorrectNumber]:
    return pool.incorrect_numbers.order_by("row_number", "pk")
