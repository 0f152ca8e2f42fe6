"""The work period and legal calling hours: is a zone key inside them now, and which keys are.

A window ``start–end`` with ``end < start`` crosses midnight; its hours after
midnight belong to the day it started, so the weekday checked is the previous
day's (a Friday 22:00–06:00 window calls on Saturday 03:00, and a Monday
01:00 call belongs to Sunday's window).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from campaigns.models import Campaign
from compliance.selectors import legal_open
from telephony.zones import zone_names


class WorkPeriod(Protocol):
    """A campaign's work period: the campaign itself, or the take-time check's copy of it."""

    @property
    def all_day(self) -> bool: ...
    @property
    def work_start(self) -> dt.time | None: ...
    @property
    def work_end(self) -> dt.time | None: ...
    @property
    def work_days(self) -> int: ...
    @property
    def time_zone(self) -> str: ...
    @property
    def subscriber_time_zone(self) -> bool: ...


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
    assert start is not None and end is not None, "a period that is not all day has a start and an end"
    now = local.time().replace(tzinfo=None)
    if start < end:
        return start <= now < end and bool(work_days & (1 << weekday))
    if now >= start:
        return bool(work_days & (1 << weekday))
    if now < end:
        return bool(work_days & (1 << ((weekday - 1) % 7)))
    return False


def _one_zone_in_period(campaign: WorkPeriod, zone_name: str, now: dt.datetime) -> bool:
    zone = _zone(zone_name) or _zone(campaign.time_zone) or dt.UTC
    return local_in_period(
        now.astimezone(zone),
        all_day=campaign.all_day,
        start=campaign.work_start,
        end=campaign.work_end,
        work_days=campaign.work_days,
    )


def period_open(campaign: WorkPeriod, zone_name: str, now: dt.datetime) -> bool:
    """The campaign's own work period for a job of this zone key: open in every candidate zone
    (in the campaign's own zone when the subscriber's time zone is off)."""
    if campaign.subscriber_time_zone:
        names = zone_names(zone_name) or (campaign.time_zone,)
        return all(_one_zone_in_period(campaign, name, now) for name in names)
    return _one_zone_in_period(campaign, campaign.time_zone, now)


def zone_in_period(campaign: WorkPeriod, zone_name: str, now: dt.datetime) -> bool:
    """Whether a job of this zone key may be called at ``now``: its work period and legal hours both open."""
    return period_open(campaign, zone_name, now) and legal_open(zone_name, now)


def open_zones(campaign: Campaign, now: dt.datetime) -> list[str]:
    """Which jobs may be called at ``now``, as the set of their zone keys inside the work period.

    A key lists every candidate zone of a number (``telephony.zones``); it is
    open when the period is open in all of them. With the subscriber's time
    zone off the period is the campaign zone's. Legal calling hours
    (``compliance``) apply to every key whatever the campaign says. Work per
    call is one check per distinct key of the campaign, never per job.
    """
    return [zone for zone in campaign.dialer_zones if zone_in_period(campaign, zone, now)]


def job_in_period(campaign: WorkPeriod, job_zone: str, now: dt.datetime) -> bool:
    """Whether one job may be called at ``now``: its zone's period, or the campaign's with the subscriber's zone off.

    The same test the dispatcher claims by (``open_zones``): ``period_open`` already reads the
    campaign's zone when the subscriber's zone is off, while legal hours are always the job's own.
    Passing the campaign's zone here checked London's legal hours for a New York contact, so after
    21:00 in London every claim the dispatcher made was withdrawn at take time, again each second.
    """
    return zone_in_period(campaign, job_zone, now)
