"""Export and erasure of everything held about one phone number (a person's data).

A customer reaches only its own data; an administrator (``customer=None``)
every customer's. Erasure deletes contacts, incorrect and duplicate rows and replaces the
number in past jobs, attempts and tracked calls by a one-way hash, so that
reports and counts stay true; the erasure is recorded with the hash only.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Model, Q, QuerySet

from call_tracking.models import TrackedCall
from campaigns.models import CallAttempt, CallJob
from customers.tenancy import scoped
from distribution_lists.models import Contact, DuplicateRow, IncorrectRow
from dnc.models import DncEntry, DncSource
from dnc.services import dnc_add
from privacy.models import Erasure

if TYPE_CHECKING:
    from customers.models import Customer, User

M = TypeVar("M", bound=Model)


def number_hash(number: str) -> str:
    """``#`` and 15 hex digits of a keyed SHA-256: fits every number column, cannot be reversed."""
    key = (settings.PRIVACY_HASH_KEY or settings.SECRET_KEY).encode()
    return "#" + hmac.new(key, number.encode(), hashlib.sha256).hexdigest()[:15]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


def _scope(queryset: QuerySet[M], customer: Customer | None) -> QuerySet[M]:
    return queryset if customer is None else scoped(queryset, customer)


def _incorrect_rows(customer: Customer | None, number: str) -> list[IncorrectRow]:
    """Incorrect rows hold the number as typed: candidates by its last digits, kept when the digits agree."""
    tail = _digits(number)[-7:]
    rows = _scope(IncorrectRow.objects.filter(raw_phone__contains=tail[-4:]), customer).select_related(
        "distribution_list"
    )
    national = _digits(number)
    return [
        row
        for row in rows
        if _digits(row.raw_phone)
        and (national.endswith(_digits(row.raw_phone).lstrip("0")) or _digits(row.raw_phone) == national)
        and len(_digits(row.raw_phone).lstrip("0")) >= 6
    ]


def _querysets(customer: Customer | None, number: str) -> dict[str, QuerySet[Any]]:
    dnc = DncEntry.objects.filter(number=number)
    dnc = dnc.filter(customer__isnull=True) | dnc.filter(customer=customer) if customer is not None else dnc
    return {
        "contacts": _scope(Contact.objects.filter(phone=number), customer).select_related("distribution_list"),
        # A duplicate keeps the number in E.164 (the one its earlier row has) and the row's cells.
        "duplicate_rows": _scope(DuplicateRow.objects.filter(phone=number), customer).select_related(
            "distribution_list"
        ),
        "jobs": _scope(CallJob.objects.filter(phone=number), customer).select_related("campaign"),
        "attempts": _scope(CallAttempt.objects.filter(b_number=number), customer).select_related("campaign"),
        "tracked_calls": _scope(TrackedCall.objects.filter(Q(caller=number)), customer).select_related("pool"),
        "dnc_entries": dnc,
    }


def person_export(*, customer: Customer | None, number: str) -> dict[str, Any]:
    """Everything held about ``number`` (E.164) as one JSON-ready document."""
    sets = _querysets(customer, number)
    return {
        "number": number,
        "contacts": [
            {"list": c.distribution_list.name, "phone": c.phone, "time_zone": c.time_zone, "variables": c.variables}
            for c in sets["contacts"]
        ],
        "incorrect_rows": [
            {"list": r.distribution_list.name, "raw_phone": r.raw_phone, "reason": r.reason}
            for r in _incorrect_rows(customer, number)
        ],
        "duplicate_rows": [
            {"list": r.distribution_list.name, "row": r.row_number, "raw_phone": r.raw_phone, "cells": r.cells}
            for r in sets["duplicate_rows"]
        ],
        "campaign_jobs": [
            {
                "campaign": j.campaign.name,
                "status": j.status,
                "attempts": j.attempts_made,
                "last_outcome": j.last_outcome,
            }
            for j in sets["jobs"]
        ],
        "call_attempts": [
            {
                "campaign": a.campaign.name,
                "a_number": a.a_number,
                "started_at": a.started_at.isoformat(),
                "duration": a.duration,
                "outcome": a.outcome,
                "cause": a.cause,
                "digits": a.digits,
            }
            for a in sets["attempts"]
        ],
        "tracked_calls": [
            {"pool": t.pool.name, "called_number": t.called_number, "called_at": t.called_at.isoformat()}
            for t in sets["tracked_calls"]
        ],
        "dnc_entries": [
            {"list": e.list_name, "number": e.number, "source": e.source, "created_at": e.created_at.isoformat()}
            for e in sets["dnc_entries"]
        ],
    }


def person_erase(
    *, customer: Customer | None, number: str, by: User | None = None, add_to_dnc: bool = False
) -> Erasure:
    """Erase ``number``'s data (see the module); returns the :class:`Erasure` record."""
    hashed = number_hash(number)
    with transaction.atomic():
        sets = _querysets(customer, number)
        counts = {
            "incorrect_rows": 0,
            "jobs": sets["jobs"].update(phone=hashed, contact=None),
            "attempts": sets["attempts"].update(b_number=hashed),
            "tracked_calls": sets["tracked_calls"].update(caller=hashed),
        }
        counts["contacts"] = sets["contacts"].delete()[0]
        counts["duplicate_rows"] = sets["duplicate_rows"].delete()[0]
        for row in _incorrect_rows(customer, number):
            row.delete()
            counts["incorrect_rows"] += 1
        if add_to_dnc:
            # The do-not-call list must keep the number itself to keep it from being called.
            dnc_add(customer=customer, number=number, source=DncSource.ERASURE, added_by=by)
        return Erasure.objects.create(
            customer=customer, number_hash=hashed, by=by, added_to_dnc=add_to_dnc, counts=counts
        )
