import datetime as dt
from types import SimpleNamespace

import pytest

from campaigns.dialer.window import local_in_period, open_zones
from campaigns.tests.dialer.helpers import at

WEEKDAYS = 0b0011111  # Monday to Friday
NINE, SIX_PM = dt.time(9), dt.time(18)


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        ("2026-11-23 08:59", False),  # Monday
        ("2026-11-23 09:00", True),
        ("2026-11-23 17:59", True),
        ("2026-11-23 18:00", False),
        ("2026-11-28 10:00", False),  # Saturday
    ],
)
def test_day_window_on_weekdays(moment, inside):
    assert local_in_period(local(moment), all_day=False, start=NINE, end=SIX_PM, work_days=WEEKDAYS) is inside


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        ("2026-11-27 22:30", True),  # Friday evening: Friday's window
        ("2026-11-28 03:00", True),  # Saturday small hours: still Friday's window
        ("2026-11-28 22:30", False),  # Saturday evening: no Saturday window
        ("2026-11-23 03:00", False),  # Monday small hours belong to Sunday's window
        ("2026-11-24 03:00", True),  # Tuesday small hours: Monday's window
        ("2026-11-24 12:00", False),  # between the end and the start
    ],
)
def test_window_across_midnight_belongs_to_the_day_it_starts(moment, inside):
    assert (
        local_in_period(local(moment), all_day=False, start=dt.time(22), end=dt.time(6), work_days=WEEKDAYS) is inside
    )


def test_all_day_still_keeps_the_weekdays():
    assert local_in_period(local("2026-11-23 03:00"), all_day=True, start=None, end=None, work_days=WEEKDAYS)
    assert not local_in_period(local("2026-11-29 03:00"), all_day=True, start=None, end=None, work_days=WEEKDAYS)


def _campaign(**fields):
    values = dict(
        all_day=False,
        work_start=NINE,
        work_end=SIX_PM,
        work_days=0b1111111,
        subscriber_time_zone=True,
        time_zone="Europe/London",
        dialer_zones=["America/New_York", "Asia/Tokyo", "Europe/London"],
    )
    values.update(fields)
    return SimpleNamespace(**values)


def test_open_zones_are_those_whose_local_time_is_in_the_window():
    campaign = _campaign()
    # 10:00 UTC: London 10:00 (open), New York 05:00 (closed), Tokyo 19:00 (closed).
    assert open_zones(campaign, at("2026-11-23 10:00")) == ["Europe/London"]
    # 15:00 UTC: London 15:00, New York 10:00 open; Tokyo midnight closed.
    assert open_zones(campaign, at("2026-11-23 15:00")) == ["America/New_York", "Europe/London"]
    # 01:00 UTC: only Tokyo (10:00).
    assert open_zones(campaign, at("2026-11-23 01:00")) == ["Asia/Tokyo"]


def test_without_subscriber_zones_the_campaign_zone_decides_for_everyone():
    campaign = _campaign(subscriber_time_zone=False, time_zone="Asia/Tokyo")
    assert open_zones(campaign, at("2026-11-23 01:00")) == campaign.dialer_zones  # every zone of its jobs
    assert open_zones(campaign, at("2026-11-23 10:00")) == []
