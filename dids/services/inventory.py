"""Creating, editing and deleting DIDs (the administrators' inventory work)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from simple_history.models import HistoricalRecords

from dids import bulk
from dids.models import AFTER_HOLD_STATUSES, CREATION_STATUSES, CUSTOMER_STATUSES, DID, Operator
from dids.numbers import parse_specs
from dids.services.lifecycle import (
    EDITABLE_FIELDS,
    DIDBulkError,
    DIDError,
    DIDTransitionError,
    S,
    Via,
    _history,
    _label,
    transition_refusal,
)


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
