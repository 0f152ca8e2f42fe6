"""The lifecycle: the one transition function, its rules and the errors every service raises."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from dids.models import DID, DIDStatus

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


def allowed_from(to_status: str, via: Via) -> tuple[str, ...]:
    """The statuses from which ``to_status`` is reached by ``via``: what a set-based move filters on."""
    return tuple(start for (start, end), how in _ALLOWED.items() if end == to_status and how == via)


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


def did_transition_many(
    *, ids: Iterable[int] | QuerySet, to_status: str, via: Via, now, user=None, reason: str = "", **fields
) -> int:
    """Move every DID of ``ids`` that the table lets reach ``to_status`` by ``via``; returns how many moved.

    The set-based form of :func:`did_transition` for the bulk paths (assignment,
    release, hold, reactivation, hold expiry): one compare-and-set on the
    statuses :func:`allowed_from` gives, so a DID in any other status is left
    as it is. Callers that must refuse, not skip, check ``transition_refusal``
    first and compare the count.
    """
    allowed = Q(status__in=allowed_from(to_status, via))
    if via == Via.HOLD_EXPIRY:
        allowed &= Q(after_hold_status=to_status)
    moving = list(DID.objects.filter(allowed, pk__in=ids).values_list("pk", flat=True))
    if not moving:
        return 0
    moved = DID.objects.filter(allowed, pk__in=moving).update(status=to_status, updated_at=now, **fields)
    _history(DID.objects.filter(pk__in=moving, status=to_status), user=user, reason=reason)
    return moved


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
