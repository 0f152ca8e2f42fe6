"""Reading the platform's rules: is a zone inside legal calling hours, what caps apply."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from campaigns.models import CallAttempt
from compliance.models import CustomerCaps, LegalWindow, PoolDay, PoolPolicy
from dids.models import DID
from telephony.zones import zone_names

if TYPE_CHECKING:
    from callerid_pools.models import NumberPool
    from customers.models import Customer

ZONE_TAB = Path("/usr/share/zoneinfo/zone.tab")


@lru_cache(maxsize=1)
def zone_countries() -> dict[str, frozenset[str]]:
    """Each zone name -> the countries that use it (the tz database's zone.tab)."""
    found: dict[str, set[str]] = {}
    if not ZONE_TAB.exists():
        return {}
    for line in ZONE_TAB.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split("\t")
        for code in parts[0].split(","):
            found.setdefault(parts[2], set()).add(code)
    return {zone: frozenset(codes) for zone, codes in found.items()}


@dataclass(frozen=True)
class Rule:
    """One (country, region): its windows are alternatives; it reaches ``zones`` (empty: the country's)."""

    country: str
    zones: frozenset[str]
    windows: tuple[tuple[dt.time, dt.time, int], ...]

    def reaches(self, zone: str) -> bool:
        if self.zones:
            return zone in self.zones
        return self.country in zone_countries().get(zone, ())

    def open_at(self, local: dt.datetime) -> bool:
        now, bit = local.time().replace(tzinfo=None), 1 << local.weekday()
        return any(start <= now < end and days & bit for start, end, days in self.windows)


@dataclass
class _RulesCache:
    at: float = -1e9
    rules: tuple[Rule, ...] = ()


_cache = _RulesCache()


def legal_rules() -> tuple[Rule, ...]:
    """The rules, re-read from the database at most every ``COMPLIANCE_RULES_SECONDS``."""
    if time.monotonic() - _cache.at > settings.COMPLIANCE_RULES_SECONDS:
        grouped: dict[tuple[str, str], list[LegalWindow]] = {}
        for row in LegalWindow.objects.all():
            grouped.setdefault((row.country.upper(), row.region), []).append(row)
        _cache.rules = tuple(
            Rule(
                country=country,
                zones=frozenset(z.strip() for r in rows for z in r.zones.split(",") if z.strip()),
                windows=tuple((r.start, r.end, r.days) for r in rows),
            )
            for (country, _), rows in grouped.items()
        )
        _cache.at = time.monotonic()
    return _cache.rules


def legal_rules_forget() -> None:
    """Drop the cached rules (after an edit, and in tests)."""
    _cache.at = -1e9


def zone_legal_open(zone_name: str, now: dt.datetime) -> bool:
    """Whether every legal rule reaching this zone is open at ``now`` in it (no rule: open)."""
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        return True
    local = None
    for rule in legal_rules():
        if rule.reaches(zone_name):
            local = local or now.astimezone(zone)
            if not rule.open_at(local):
                return False
    return True


def legal_open(zone_key: str, now: dt.datetime) -> bool:
    """Whether legal hours are open in every candidate zone of a job's zone key (whatever the campaign says)."""
    return all(zone_legal_open(name, now) for name in zone_names(zone_key))


def caps_for(customer_id: int) -> tuple[int, int]:
    """(attempts per day, attempts per week) to one B-number for this customer."""
    row = CustomerCaps.objects.filter(customer_id=customer_id).values_list("calls_per_day", "calls_per_week").first()
    day, week = row or (None, None)
    return (
        settings.COMPLIANCE_CALLS_PER_DAY if day is None else day,
        settings.COMPLIANCE_CALLS_PER_WEEK if week is None else week,
    )


def pool_local_share(pool: NumberPool, *, days: int = 30) -> tuple[int, int]:
    """(calls, calls with a local number) drawn from ``pool`` over the last ``days`` UTC days."""
    since = timezone.now().date() - dt.timedelta(days=days - 1)
    totals = PoolDay.objects.filter(pool=pool, day__gte=since).aggregate(calls=Sum("calls"), local=Sum("local_calls"))
    return totals["calls"] or 0, totals["local"] or 0


@dataclass(frozen=True)
class CallerIdDay:
    a_number: str
    day: dt.date
    calls: int
    answered: int

    @property
    def answer_rate(self) -> float:
        return 100.0 * self.answered / self.calls if self.calls else 0.0


def caller_id_usage(
    *, customer: Customer | None = None, days: int = 14, now: dt.datetime | None = None
) -> list[CallerIdDay]:
    """Calls and answers per A-number per UTC day over the last ``days`` days, newest day first.

    A falling answer rate is how a number being flagged as spam shows itself.
    With ``customer``: only that customer's campaigns and its own numbers.
    One grouped read of the attempts by start time (index ``call_attempt_started``).
    """
    now = now or timezone.now()
    since = (now.astimezone(dt.UTC) - dt.timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    attempts = CallAttempt.objects.filter(started_at__gte=since).exclude(a_number="")
    if customer is not None:
        attempts = attempts.filter(
            campaign__customer=customer, a_number__in=DID.objects.filter(customer=customer).values("number")
        )
    rows = (
        attempts.annotate(day=TruncDate("started_at", tzinfo=dt.UTC))
        .values("a_number", "day")
        .annotate(calls=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
        .order_by("-day", "a_number")
    )
    return [CallerIdDay(r["a_number"], r["day"], r["calls"], r["answered"]) for r in rows]


# A number is "falling" when its answer rate over the last RECENT_DAYS is below FALLING_SHARE of its rate
# on the days before, both over at least FALLING_MIN_CALLS calls (fewer calls say nothing about a rate).
RECENT_DAYS, FALLING_SHARE, FALLING_MIN_CALLS = 3, 0.7, 20


@dataclass(frozen=True)
class CallerIdReputation:
    """One A-number over the report's days: its answer rate lately against before (spam flagging shows as a fall)."""

    a_number: str
    calls: int
    answered: int
    recent_calls: int
    recent_answered: int

    @staticmethod
    def _rate(answered: int, calls: int) -> float | None:
        return 100.0 * answered / calls if calls else None

    @property
    def answer_rate(self) -> float | None:
        return self._rate(self.answered, self.calls)

    @property
    def recent_rate(self) -> float | None:
        return self._rate(self.recent_answered, self.recent_calls)

    @property
    def earlier_calls(self) -> int:
        return self.calls - self.recent_calls

    @property
    def earlier_rate(self) -> float | None:
        return self._rate(self.answered - self.recent_answered, self.earlier_calls)

    @property
    def falling(self) -> bool:
        recent, earlier = self.recent_rate, self.earlier_rate
        if min(self.recent_calls, self.earlier_calls) < FALLING_MIN_CALLS or not earlier or recent is None:
            return False
        return recent < earlier * FALLING_SHARE


def caller_id_reputation(rows: list[CallerIdDay], *, now: dt.datetime | None = None) -> list[CallerIdReputation]:
    """Per A-number totals of ``caller_id_usage`` rows, falling numbers first, then by calls."""
    today = (now or timezone.now()).astimezone(dt.UTC).date()
    recent_from = today - dt.timedelta(days=RECENT_DAYS - 1)
    totals: dict[str, list[int]] = {}
    for row in rows:
        calls, answered, recent_calls, recent_answered = totals.setdefault(row.a_number, [0, 0, 0, 0])
        recent = row.day >= recent_from
        totals[row.a_number] = [
            calls + row.calls,
            answered + row.answered,
            recent_calls + (row.calls if recent else 0),
            recent_answered + (row.answered if recent else 0),
        ]
    numbers = [CallerIdReputation(number, *figures) for number, figures in totals.items()]
    return sorted(numbers, key=lambda n: (not n.falling, -n.calls, n.a_number))


@dataclass(frozen=True)
class UsageGrid:
    """The usage rows as a grid for the page: ``days`` newest first, one row of cells per number (None: no call)."""

    days: list[dt.date]
    rows: list[tuple[str, list[CallerIdDay | None]]]


def caller_id_grid(
    rows: list[CallerIdDay], numbers: list[CallerIdReputation], *, days: int = 14, now: dt.datetime | None = None
) -> UsageGrid:
    today = (now or timezone.now()).astimezone(dt.UTC).date()
    columns = [today - dt.timedelta(days=back) for back in range(days)]
    cells = {(row.a_number, row.day): row for row in rows}
    return UsageGrid(
        days=columns, rows=[(n.a_number, [cells.get((n.a_number, day)) for day in columns]) for n in numbers]
    )


@dataclass(frozen=True)
class PoolPresence:
    local_presence: bool
    cap: int
    calls: int
    local_calls: int

    @property
    def local_percent(self) -> float:
        return 100.0 * self.local_calls / self.calls if self.calls else 0.0


def pool_presence(pool: NumberPool) -> PoolPresence:
    """A pool's compliance options and its share of local calls over the last 30 days, for its page."""
    policy = PoolPolicy.objects.filter(pool=pool).first()
    override = policy.calls_per_number_per_day if policy else None
    calls, local = pool_local_share(pool)
    return PoolPresence(
        local_presence=bool(policy and policy.local_presence),
        cap=settings.COMPLIANCE_A_NUMBER_CALLS_PER_DAY if override is None else override,
        calls=calls,
        local_calls=local,
    )
