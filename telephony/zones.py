"""A subscriber's zone key: every candidate time zone of a number, same-clock candidates as one.

A number often has several candidate zones (an Australian mobile may be in
Perth or Sydney; a UK mobile in London or Guernsey). The key keeps them all,
sorted and joined with ``,``; the dialer calls the number only when the work
period (and the legal window) is open in every one of them — the safe reading.
Candidates whose clocks agree in January and in July (London, Guernsey,
Jersey, the Isle of Man; New York and Detroit) are one candidate, named by the
country's main zone when it is among them, else by the first name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SEPARATOR = ","
UNKNOWN_ZONE = "Etc/Unknown"
# Two instants a year apart by six months: zones with equal offsets at both share a clock.
_PROBES = (dt.datetime(2026, 1, 15, 12, tzinfo=dt.UTC), dt.datetime(2026, 7, 15, 12, tzinfo=dt.UTC))


@lru_cache(maxsize=2048)
def _clock(name: str) -> tuple | None:
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return tuple(probe.astimezone(zone).utcoffset() for probe in _PROBES)


@lru_cache(maxsize=4096)
def _key(zones: tuple[str, ...], main: str) -> str:
    groups: dict[tuple, list[str]] = {}
    for name in zones:
        clock = _clock(name)
        if clock is not None:
            groups.setdefault(clock, []).append(name)
    chosen = sorted(main if main in names else min(names) for names in groups.values())
    return SEPARATOR.join(chosen)


def zone_key(zones: Iterable[str], main: str = "") -> str:
    """The key of a number's candidate zones ("" when none is known)."""
    names = tuple(sorted(name for name in zones if name and name != UNKNOWN_ZONE))
    return _key(names, main) if names else ""


@lru_cache(maxsize=4096)
def zone_names(key: str) -> tuple[str, ...]:
    """The candidate zones of a key (a single zone name is a key of one)."""
    return tuple(name for name in key.split(SEPARATOR) if name)


def zone_place(name: str) -> str:
    """A zone as people name it: its place, "America/Los_Angeles" → "Los Angeles"."""
    return name.rsplit("/", 1)[-1].replace("_", " ")
