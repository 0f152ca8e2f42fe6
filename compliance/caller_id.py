"""Choosing the A-number of each call of one claim: per-number daily caps and local presence.

One ``CallerIdChooser`` per claim (one campaign, one transaction): it reads
today's usage of the campaign's numbers once, picks a number per call, and
writes the day's counters back in one statement per table. A number that
reached its cap (``COMPLIANCE_A_NUMBER_CALLS_PER_DAY``, a pool's policy
overrides it) is skipped; when no member is left the call ends with the
platform cause "no usable A-number", so nothing is placed from a burnt number.

With the pool's ``local_presence`` the choice is: members in the callee's
area code (same country), else in the callee's country, else any member;
inside that choice a sequential pool takes the least-used member today (ties
in pool order), a random pool a random one. Without it the pool's own
carousel draws, and a capped draw falls back to the least-used member.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING

import phonenumbers
from django.conf import settings

from callerid_pools.models import PoolType
from callerid_pools.selectors import pool_usable_members
from callerid_pools.services import NoUsableNumber, pool_next_number
from campaigns.causes import A_NUMBER_ON_HOLD, NO_USABLE_A_NUMBER
from compliance import day_counters
from compliance.models import PoolPolicy
from dids.models import CUSTOMER_STATUSES, DIDStatus

if TYPE_CHECKING:
    from callerid_pools.models import NumberPool
    from campaigns.models import Campaign
    from dids.models import DID


@lru_cache(maxsize=65536)
def callee_place(b_number: str) -> tuple[str, str]:
    """(ISO country, national destination code) of an E.164 number; ("", "") when unknown."""
    try:
        number = phonenumbers.parse(b_number, None)
    except phonenumbers.NumberParseException:
        return "", ""
    national = phonenumbers.national_significant_number(number)
    length = phonenumbers.length_of_national_destination_code(number)
    return phonenumbers.region_code_for_number(number) or "", national[:length]


class CallerIdChooser:
    def __init__(self, campaign: Campaign, now: dt.datetime) -> None:
        self.campaign = campaign
        self.day = now.astimezone(dt.UTC).date()
        self.pool = campaign.a_number_pool
        policy = PoolPolicy.objects.filter(pool=self.pool).first() if self.pool is not None else None
        self.local_presence = bool(policy and policy.local_presence)
        override = policy.calls_per_number_per_day if policy else None
        self.cap = settings.COMPLIANCE_A_NUMBER_CALLS_PER_DAY if override is None else override
        self._members: list[DID] | None = None  # usable members in pool order, read once when needed
        self.used: Counter[str] = Counter()  # calls from each number today, including this claim's
        self._loaded: set[str] = set()
        self.drawn: Counter[str] = Counter()  # this claim's calls per number
        self.pool_calls = 0
        self.local_calls = 0

    def _load(self, numbers: list[str]) -> None:
        missing = [n for n in numbers if n not in self._loaded]
        if missing:
            self.used.update(day_counters.numbers_used(day=self.day, numbers=missing))
            self._loaded.update(missing)

    def under_cap(self, number: str) -> bool:
        self._load([number])
        return self.used[number] < self.cap

    def _usable(self, pool: NumberPool) -> list[DID]:
        if self._members is None:
            self._members = [m.did for m in pool_usable_members(pool).select_related("did").order_by("position")]
            self._load([did.number for did in self._members])
        return [did for did in self._members if self.used[did.number] < self.cap]

    def _pick_among(self, pool: NumberPool, candidates: list[DID]) -> DID:
        if pool.pool_type == PoolType.RANDOM:
            return random.choice(candidates)
        return min(candidates, key=lambda did: self.used[did.number])  # min keeps pool order on ties

    def _from_pool(self, b_number: str) -> tuple[DID | None, bool]:
        """(DID or None, local?) for one call from the pool."""
        pool = self.pool
        if pool is None:
            return None, False
        if self.local_presence:
            candidates = self._usable(pool)
            if not candidates:
                return None, False
            country, area = callee_place(b_number)
            in_country = [d for d in candidates if country and d.iso_country == country]
            in_area = [d for d in in_country if area and d.area_code == area]
            choice = in_area or in_country or candidates
            return self._pick_among(pool, choice), bool(in_area)

        try:
            did = pool_next_number(pool=pool)
        except NoUsableNumber:
            return None, False
        if self.under_cap(did.number):
            return did, False
        candidates = self._usable(pool)
        return (self._pick_among(pool, candidates) if candidates else None), False

    def take(self, b_number: str) -> tuple[str, str]:
        """(A-number, "") for the next call, or (A-number or "", platform cause) when it may not be placed."""
        campaign = self.campaign
        did = campaign.a_number_did
        if did is not None:
            if did.customer_id != campaign.customer_id or did.status not in CUSTOMER_STATUSES:
                return did.number, NO_USABLE_A_NUMBER
            if did.status == DIDStatus.HOLD:
                return did.number, A_NUMBER_ON_HOLD
            if not self.under_cap(did.number):
                return did.number, NO_USABLE_A_NUMBER
            self._count(did.number)
            return did.number, ""
        chosen, local = self._from_pool(b_number)
        if chosen is None:
            return "", NO_USABLE_A_NUMBER
        self._count(chosen.number)
        self.pool_calls += 1
        self.local_calls += local
        return chosen.number, ""

    def _count(self, number: str) -> None:
        self.used[number] += 1
        self.drawn[number] += 1

    def save(self) -> None:
        """Add this claim's calls to the day's counters (one statement per table)."""
        if not self.drawn:
            return
        day_counters.numbers_add(day=self.day, calls=self.drawn)
        if self.pool is not None and self.pool_calls:
            day_counters.pool_add(
                pool_id=self.pool.pk, day=self.day, calls=self.pool_calls, local_calls=self.local_calls
            )
        self.drawn.clear()
        self.pool_calls = self.local_calls = 0
