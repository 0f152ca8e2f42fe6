"""Every write to the do-not-call lists (files of numbers: ``dnc.upload``)."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction

from campaigns.models import CallAttempt
from dnc.models import DncEntry, DncSource
from telephony.imports.phones import PhoneNormaliser, phone_normaliser

if TYPE_CHECKING:
    from customers.models import Customer, User

NUMBER = re.compile(r"^\+[0-9]{1,15}$")


class DncError(ValueError):
    """Bad input for a do-not-call entry or upload; the message says what is wrong."""


def number_reader(default_region: str) -> PhoneNormaliser:
    """How a do-not-call number is read, by hand or in a file: as the list import reads it,
    national numbers in ``default_region`` (``""``: none, a national number is refused)."""
    try:
        return phone_normaliser(default_region.upper(), time_zone=False)
    except ValueError as exc:
        raise DncError(str(exc)) from None


def clean_number(raw: str, *, is_prefix: bool = False, default_region: str = "") -> str:
    """E.164 for a number (national numbers read in ``default_region``); ``+digits`` for a prefix."""
    if is_prefix:
        text = re.sub(r"[\s().-]", "", str(raw or ""))
        if text.startswith("00"):
            text = "+" + text[2:]
        if not NUMBER.match(text):
            raise DncError(f"Prefix {raw!r} must be '+' and 1 to 15 digits, e.g. +44870.")
        return text
    result = number_reader(default_region or settings.DNC_DEFAULT_REGION)(str(raw or ""))
    if result.e164 is None:
        raise DncError(result.reason[:1].upper() + result.reason[1:] + ".")
    return result.e164


def dnc_add(
    *,
    customer: Customer | None,
    number: str,
    source: str,
    is_prefix: bool = False,
    added_by: User | None = None,
    expires_at: dt.datetime | None = None,
    campaign_id: int | None = None,
    attempt_id: int | None = None,
    comment: str = "",
    default_region: str = "",
) -> tuple[DncEntry, bool]:
    """Put a number or prefix on the customer's list (``customer=None``: the platform's); (entry, created).

    Adding what is already there keeps the first entry (its source and date)
    and clears an expiry when the new one has none.
    """
    if source not in DncSource.values:
        raise DncError(f"Unknown source {source!r}; expected one of {', '.join(DncSource.values)}.")
    number = clean_number(number, is_prefix=is_prefix, default_region=default_region)
    with transaction.atomic():
        existing = DncEntry.objects.select_for_update().filter(customer=customer, number=number).first()
        if existing is not None:
            if existing.expires_at is not None and (expires_at is None or expires_at > existing.expires_at):
                existing.expires_at = expires_at
                existing.save(update_fields=["expires_at"])
            return existing, False
        try:
            with transaction.atomic():
                entry = DncEntry.objects.create(
                    customer=customer,
                    number=number,
                    is_prefix=is_prefix,
                    source=source,
                    added_by=added_by,
                    expires_at=expires_at,
                    campaign_id=campaign_id,
                    attempt_id=attempt_id,
                    comment=comment[:200],
                )
        except IntegrityError:  # a concurrent add of the same number won
            return DncEntry.objects.get(customer=customer, number=number), False
    return entry, True


def dnc_remove(*, entry: DncEntry) -> None:
    entry.delete()


def dnc_opt_out(*, attempt_id: int) -> DncEntry | None:
    """The callee pressed the opt-out digit: their number goes on the campaign's customer's list.

    The hook every scenario runner calls (the simulator's play-out, the SIP
    engine's runner) when a gather step's ``opt_out`` digit is pressed; it
    then plays the step's ``opt_out_confirmation``. Idempotent.
    """
    attempt = CallAttempt.objects.filter(pk=attempt_id).select_related("campaign").first()
    if attempt is None:
        return None
    entry, _ = dnc_add(
        customer=attempt.campaign.customer,
        number=attempt.b_number,
        source=DncSource.OPT_OUT,
        campaign_id=attempt.campaign_id,
        attempt_id=attempt.pk,
        comment=f"opt-out in campaign {attempt.campaign.name}"[:200],
    )
    return entry
