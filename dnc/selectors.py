"""Reads of the do-not-call lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from customers.tenancy import scoped
from dnc.models import DncEntry, DncUpload

if TYPE_CHECKING:
    from customers.models import Customer


def prefixes_of(phone: str) -> list[str]:
    """Every start of ``phone`` that an entry could be ("+4", "+44", …, the whole number)."""
    return [phone[:end] for end in range(2, len(phone) + 1)]


def in_force(now: dt.datetime | None = None) -> Q:
    return Q(expires_at__isnull=True) | Q(expires_at__gt=now or timezone.now())


def dnc_entries(customer: Customer | None) -> QuerySet[DncEntry]:
    """The customer's own list (the dashboard and the API)."""
    return scoped(DncEntry.objects.all(), customer).select_related("added_by")


def dnc_uploads(customer: Customer | None) -> QuerySet[DncUpload]:
    """The customer's uploads, newest first, with their jobs (the dashboard and the API)."""
    return scoped(DncUpload.objects.all(), customer).select_related("job")


def dnc_matches(*, customer_id: int, phones: Iterable[str], now: dt.datetime | None = None) -> dict[str, DncEntry]:
    """phone → the entry (the platform's or this customer's) that forbids calling it.

    One query whatever the size of the lists: each number's prefixes are looked
    up by equality in the number index, so the cost grows with the numbers
    asked about, never with the entries held.
    """
    phones = [phone for phone in set(phones) if phone]
    if not phones:
        return {}
    candidates = {prefix for phone in phones for prefix in prefixes_of(phone)}
    entries = (
        DncEntry.objects.filter(number__in=candidates)
        .filter(Q(customer_id=customer_id) | Q(customer__isnull=True))
        .filter(in_force(now))
        .order_by("customer_id", "pk")  # the platform's entry (NULL sorts last on PG) is shown when both hold it
    )
    by_number: dict[str, list[DncEntry]] = {}
    for entry in entries:
        by_number.setdefault(entry.number, []).append(entry)
    found = {}
    for phone in phones:
        for prefix in reversed(prefixes_of(phone)):  # the most specific entry first
            hits = [e for e in by_number.get(prefix, ()) if e.is_prefix or e.number == phone]
            if hits:
                found[phone] = hits[0]
                break
    return found


def dnc_check(*, customer: Customer, phone: str) -> DncEntry | None:
    return dnc_matches(customer_id=customer.pk, phones=[phone]).get(phone)


def describe(entry: DncEntry) -> str:
    """How a suppressed job names what suppressed it: "platform +44870*" or "customer +447700900123"."""
    return f"{entry.list_name} {entry}"
