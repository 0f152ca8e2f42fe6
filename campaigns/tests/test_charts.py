"""The chart's series: bar widths from minutes to days, labels and titles in local time."""

import datetime as dt
from zoneinfo import ZoneInfo

from campaigns.charts import Bar, OutcomeChart, series

LONDON = ZoneInfo("Europe/London")


def chart(width: dt.timedelta, bars: int, start: dt.datetime) -> dict:
    return series(
        OutcomeChart(bars=[Bar(start=start + i * width, counts={"answered": 1}) for i in range(bars)], width=width)
    )


def test_minute_bars_label_round_minutes_and_title_each_minute():
    data = chart(dt.timedelta(minutes=1), 40, dt.datetime(2026, 3, 2, 9, 3, tzinfo=LONDON))
    labelled = [t for t in data["ticks"] if t]
    assert labelled[0] == "09:05" and len(labelled) <= 12  # every 5 minutes on the clock
    assert data["titles"][0] == "Mon 2 Mar, 09:03–09:04" and data["bucket"] == "minute" and data["total"] == 40


def test_hour_bars_over_two_days_put_the_date_under_midnight():
    data = chart(dt.timedelta(hours=2), 24, dt.datetime(2026, 3, 2, 0, 0, tzinfo=LONDON))
    assert data["ticks"][0] == ["00:00", "Mon 2 Mar"] and data["ticks"][12] == ["00:00", "Tue 3 Mar"]
    assert data["bucket"] == "2 hours" and data["titles"][1] == "Mon 2 Mar, 02:00–04:00"


def test_week_bars_title_their_days():
    data = chart(dt.timedelta(days=7), 10, dt.datetime(2026, 3, 2, tzinfo=LONDON))
    assert data["titles"][0] == "Mon 2 Mar – Sun 8 Mar" and data["ticks"][0] == "Mon 2 Mar"
    assert data["bucket"] == "7 days" and [d["key"] for d in data["datasets"]] == [
        "answered",
        "no_answer",
        "busy",
        "failed",
    ]


def test_an_empty_chart_says_so():
    assert series(OutcomeChart(bars=[], width=None))["empty"] is True
