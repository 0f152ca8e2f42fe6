"""``campaigns.report_times`` behaves the same on SQLite and PostgreSQL.

Collected again under the integration mark by ``test_report_times_parity_postgresql.py``.
"""

import datetime as dt
import zoneinfo

import pytest

from campaigns.models import CallAttempt
from campaigns.report_times import TIMES, ZonedAttempts, attempts_in_zone
from campaigns.tests.report_data import add_contacts
from campaigns.tests.test_report import campaign_with_contacts

pytestmark = [pytest.mark.django_db]


def local_times(campaign, zone) -> list[tuple]:
    zoned = attempts_in_zone(CallAttempt.objects.filter(campaign=campaign).order_by("started_at", "pk"), zone)
    assert isinstance(zoned, ZonedAttempts) and len(zoned.time_fields) == len(TIMES)
    return [tuple(zoned.local(value) for value in row) for row in zoned.attempts.values_list(*zoned.time_fields)]


def test_times_come_back_naive_in_the_zone_to_the_second_on_both_sides_of_a_clock_change(customer):
    campaign = campaign_with_contacts(customer, 2)
    # Summer time, then winter time in London; fractions of a second are dropped, not rounded.
    add_contacts(campaign, [["answered"], ["busy"]], start=dt.datetime(2026, 10, 24, 23, 59, 59, 900000, tzinfo=dt.UTC))
    second = CallAttempt.objects.get(campaign=campaign, outcome="busy")
    second.started_at = dt.datetime(2026, 10, 25, 1, 30, 0, 999999, tzinfo=dt.UTC)
    second.ended_at = second.started_at + dt.timedelta(seconds=20)
    second.save(update_fields=["started_at", "ended_at"])
    assert local_times(campaign, zoneinfo.ZoneInfo("Europe/London")) == [
        (dt.datetime(2026, 10, 25, 0, 59, 59), dt.datetime(2026, 10, 25, 1, 0, 4), dt.datetime(2026, 10, 25, 1, 0, 34)),
        (dt.datetime(2026, 10, 25, 1, 30, 0), None, dt.datetime(2026, 10, 25, 1, 30, 20)),
    ]


def test_utc_and_a_zone_west_of_it(customer):
    campaign = campaign_with_contacts(customer, 1)
    add_contacts(campaign, [["answered"]], start=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC))
    assert local_times(campaign, dt.UTC) == [
        (dt.datetime(2026, 1, 2, 3, 4, 5), dt.datetime(2026, 1, 2, 3, 4, 10), dt.datetime(2026, 1, 2, 3, 4, 40))
    ]
    assert local_times(campaign, zoneinfo.ZoneInfo("America/New_York")) == [
        (dt.datetime(2026, 1, 1, 22, 4, 5), dt.datetime(2026, 1, 1, 22, 4, 10), dt.datetime(2026, 1, 1, 22, 4, 40))
    ]
