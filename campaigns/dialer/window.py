"""The work period: is a zone inside it now, and which zones are.

A window ``start–end`` with ``end < start`` crosses midnight; its hours after
midnight belong to the day it started, so the weekday checked is the previous
day's (a Friday 22:00–06:00 window calls on Saturday 03:00, and a Monday
01:00 call belongs to Sunday's window).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from campaigns.models import Campaign


@lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_in_period(
    local: dt.datetime, *, all_day: bool, start: dt.time | None, end: dt.time | None, work_days: int
) -> bool:
    """Whether the local wall-clock time ``local`` is inside the period."""
    weekday = local.weekday()
    if all_day:
        return bool(work_days & (1 << weekday))
    now = local.time().replace(tzinfo=None)
    if start < end:
        return start <= now < end and bool(work_days & (1 << weekday))
    if now >= start:
        return bool(work_days & (1 << weekday))
    if now < end:
        return bool(work_days & (1 << ((weekday - 1) % 7)))
    return False


def zone_in_period(campaign: Campaign, zone_name: str, now: dt.datetime) -> bool:
    zone = _zone(zone_name) or _zone(campaign.time_zone) or dt.UTC
    return local_in_period(
        now.astimezone(zone),
        all_day=campaign.all_day,
        start=campaign.work_start,
        end=campaign.work_end,
        work_days=campaign.work_days,
    )


def open_zones(campaign: Campaign, now: dt.datetime) -> list[str]:
    """Which jobs may be called at ``now``, as the set of their zones inside the work period.

    With the subscriber's time zone off that is every zone of the campaign's
    jobs when the campaign's own zone is inside the period, none otherwise.
    Work per call is one check per distinct zone of the campaign, never per job.
    """
    if not campaign.subscriber_time_zone:
        return campaign.dialer_zones if zone_in_period(campaign, campaign.time_zone, now) else []
    return [zone for zone in campaign.dialer_zones if zone_in_period(campaign, zone, now)]


def job_in_period(campaign: Campaign, job_zone: str, now: dt.datetime) -> bool:
    """Whether one job may be called at ``now``: its zone's period, or the campaign's with the subscriber's zone off."""
    return zone_in_period(campaign, job_zone if campaign.subscriber_time_zone else campaign.time_zone, now)
