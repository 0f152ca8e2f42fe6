"""Calls by outcome over time, as bars: the one chart of the home page and of the campaign report.

The server decides everything a reader needs — the bar width (minutes to
days), each bar's local start, the tick labels and the tooltip titles, in the
customer's time zone — and hands the browser a small JSON object
(``series``) that ``static/js/outcome_chart.js`` draws with Chart.js (see
docs/decisions/report-chart.md). Bars are bucketed by local wall-clock time,
so a day is a local day and an hour a local hour, DST days included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from campaigns.causes import Outcome

OUTCOME_COLOURS = {
    Outcome.ANSWERED: "#2e8b57",
    Outcome.NO_ANSWER: "#d4a017",
    Outcome.BUSY: "#7a5cc2",
    Outcome.FAILED: "#c0392b",
}
# At most about this many tick labels along the time axis.
MAX_TICKS = 12
# Steps between labelled ticks, smallest first; a step is used only when it is a whole number of bars.
TICK_STEPS = [
    dt.timedelta(minutes=m)
    for m in (1, 5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440, 2 * 1440, 7 * 1440, 14 * 1440, 28 * 1440)
]


@dataclass
class Bar:
    start: dt.datetime  # local time of the customer
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class OutcomeChart:
    bars: list[Bar]
    width: dt.timedelta | None

    @property
    def empty(self) -> bool:
        return not any(bar.total for bar in self.bars)

    @property
    def width_label(self) -> str:
        if not self.width:
            return "day"  # no call yet: the axis title says "calls per day", not "per 0 days"
        minutes = int(self.width.total_seconds() // 60)
        if minutes % 1440 == 0:
            return "day" if minutes == 1440 else f"{minutes // 1440} days"
        if minutes % 60 == 0:
            return "hour" if minutes == 60 else f"{minutes // 60} hours"
        return "minute" if minutes == 1 else f"{minutes} minutes"

    @classmethod
    def from_slots(
        cls,
        slots: list[tuple[dt.datetime, dict[str, int]]],
        *,
        start: dt.datetime,
        end: dt.datetime,
        width: dt.timedelta,
        zone: dt.tzinfo,
    ) -> OutcomeChart:
        """Bars of ``width`` from ``start`` to ``end`` (local midnights) summing quarter-hour slots (UTC)."""
        origin = start.astimezone(zone).replace(tzinfo=None)
        count = int((end.astimezone(zone).replace(tzinfo=None) - origin) / width)
        bars = [Bar(start=(origin + i * width).replace(tzinfo=zone), counts={}) for i in range(count)]
        for slot, values in slots:
            index = int((slot.astimezone(zone).replace(tzinfo=None) - origin) / width)
            if 0 <= index < count:
                counts = bars[index].counts
                for outcome, n in values.items():
                    if n:
                        counts[outcome] = counts.get(outcome, 0) + n
        return cls(bars=bars, width=width)


def _day(moment: dt.datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b}"


def _tick_step(chart: OutcomeChart) -> dt.timedelta:
    width = chart.width or dt.timedelta(days=1)
    span = width * len(chart.bars)
    for step in TICK_STEPS:
        if step >= width and step % width == dt.timedelta(0) and span / step <= MAX_TICKS:
            return step
    return TICK_STEPS[-1]


def _on_step(moment: dt.datetime, step: dt.timedelta) -> bool:
    """Whether a local time falls on a tick: whole steps since local midnight (or since a Monday for days)."""
    if step >= dt.timedelta(days=1):
        days = int(step / dt.timedelta(days=1))
        return moment.hour == 0 and moment.minute == 0 and (days == 1 or moment.toordinal() % days == 1 % days)
    since_midnight = dt.timedelta(hours=moment.hour, minutes=moment.minute)
    return since_midnight % step == dt.timedelta(0)


def series(chart: OutcomeChart) -> dict:
    """The chart as the browser draws it: labels, tooltip titles and one dataset per outcome."""
    width = chart.width or dt.timedelta(days=1)
    daily = width >= dt.timedelta(days=1)
    step = _tick_step(chart)
    spans_days = bool(chart.bars) and chart.bars[0].start.date() != chart.bars[-1].start.date()
    ticks, titles = [], []
    for bar in chart.bars:
        start, end = bar.start, bar.start + width
        tick: str | list[str]
        if daily:
            title = (
                _day(start) if width == dt.timedelta(days=1) else f"{_day(start)} – {_day(end - dt.timedelta(days=1))}"
            )
            tick = _day(start)
        else:
            title = f"{_day(start)}, {start:%H:%M}–{end:%H:%M}"
            midnight = start.hour == 0 and start.minute == 0
            tick = [f"{start:%H:%M}", _day(start)] if midnight and spans_days else f"{start:%H:%M}"
        ticks.append(tick if _on_step(start, step) else "")
        titles.append(title)
    datasets = [
        {
            "key": outcome.value,
            "label": outcome.label,
            "colour": OUTCOME_COLOURS[outcome],
            "data": [bar.counts.get(outcome.value, 0) for bar in chart.bars],
        }
        for outcome in Outcome
    ]
    first = chart.bars[0].start if chart.bars else None
    last = chart.bars[-1].start + width if chart.bars else None
    return {
        "ticks": ticks,
        "titles": titles,
        "datasets": datasets,
        "bucket": chart.width_label,
        "total": sum(bar.total for bar in chart.bars),
        "empty": chart.empty,
        # No bar yet: still name the customer's zone for the caption (the middleware activates it).
        "zone": str(first.tzinfo) if first else timezone.get_current_timezone_name(),
        "from": first.isoformat() if first else None,
        "to": last.isoformat() if last else None,
    }
