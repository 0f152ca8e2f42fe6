"""Changing the platform's rules."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet

from compliance.defaults import DEFAULT_WINDOWS
from compliance.models import LegalWindow
from compliance.selectors import legal_rules_forget


def legal_windows_reset() -> int:
    """Replace the legal-hours table by the shipped defaults; returns the rows written."""
    with transaction.atomic():
        LegalWindow.objects.all().delete()
        rows = LegalWindow.objects.bulk_create(
            LegalWindow(
                country=country,
                region=region,
                zones=zones,
                start=dt.time.fromisoformat(start),
                end=dt.time.fromisoformat(end),
                days=days,
                note=note,
            )
            for country, region, zones, start, end, days, note in DEFAULT_WINDOWS
        )
    legal_rules_forget()
    return len(rows)


def legal_window_save(*, window: LegalWindow) -> LegalWindow:
    """Save a new or changed legal window; the dialer reads the table afresh."""
    window.full_clean()
    window.save()
    legal_rules_forget()
    return window


def legal_windows_delete(*, windows: QuerySet[LegalWindow]) -> int:
    """Delete ``windows``; the dialer reads the table afresh. Returns how many went."""
    deleted, _ = windows.delete()
    legal_rules_forget()
    return deleted
