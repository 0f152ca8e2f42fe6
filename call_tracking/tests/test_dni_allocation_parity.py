"""``call_tracking.dni_allocation`` behaves the same on SQLite and PostgreSQL.

Collected again under the integration mark by ``test_dni_allocation_parity_postgresql.py``.
"""

import datetime

import pytest

from call_tracking import dni_allocation
from call_tracking.models import DNISession, TrackingNumber
from call_tracking.tests.factories import TrackingPoolFactory

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
PERIOD = datetime.timedelta(minutes=30)


def allocate(pool, visitor, *, now=T0, reuse=True):
    return dni_allocation.allocate(
        pool_id=pool.pk,
        reuse=reuse,
        visitor_id=visitor,
        source="google",
        referrer="https://www.google.com/",
        landing_url="https://www.example.com/?gclid=1",
        url_params={"gclid": "1"},
        ip="192.0.2.7",
        now=now,
        expires=now + PERIOD,
    )


def keep(pool, visitor, *, now):
    return dni_allocation.keep(pool_id=pool.pk, visitor_id=visitor, period=PERIOD, now=now)


@pytest.fixture
def pool():
    return TrackingPoolFactory(numbers=2, match_period=30)


def numbers_of(pool):
    return list(TrackingNumber.objects.filter(pool=pool).select_related("did").order_by("pk"))


def test_allocate_takes_never_held_numbers_in_order_and_writes_the_session(pool):
    n1, n2 = numbers_of(pool)
    first = allocate(pool, "a")
    assert isinstance(first, dni_allocation.NewSession)
    assert (first.number_id, first.e164, first.ambiguous) == (n1.pk, n1.did.number, False)
    session = DNISession.objects.get(pk=first.session_id)
    assert (session.visitor_id, session.source, session.url_params, session.ip) == (
        "a",
        "google",
        {"gclid": "1"},
        "192.0.2.7",
    )
    assert (session.started_at, session.expires_at, session.page_views) == (T0, T0 + PERIOD, 1)
    assert TrackingNumber.objects.get(pk=n1.pk).held_until == T0 + PERIOD
    assert allocate(pool, "b").number_id == n2.pk


def test_allocate_takes_the_least_recently_released_number(pool):
    n1, n2 = numbers_of(pool)
    TrackingNumber.objects.filter(pk=n1.pk).update(held_until=T0 - datetime.timedelta(minutes=5))
    TrackingNumber.objects.filter(pk=n2.pk).update(held_until=T0 - datetime.timedelta(minutes=50))
    assert allocate(pool, "a").number_id == n2.pk


def test_an_exhausted_pool_shares_the_number_whose_hold_ends_first_and_marks_its_sessions(pool):
    first = allocate(pool, "a")
    allocate(pool, "b", now=T0 + datetime.timedelta(minutes=1))
    shared = allocate(pool, "c", now=T0 + datetime.timedelta(minutes=2))
    assert (shared.number_id, shared.ambiguous) == (first.number_id, True)
    assert DNISession.objects.get(pk=first.session_id).ambiguous
    assert TrackingNumber.objects.get(pk=first.number_id).held_until == T0 + datetime.timedelta(minutes=2) + PERIOD


def test_an_exhausted_pool_that_does_not_reuse_allocates_nothing(pool):
    allocate(pool, "a")
    allocate(pool, "b")
    assert allocate(pool, "c", reuse=False) is None
    assert DNISession.objects.filter(visitor_id="c").count() == 0


def test_keep_extends_the_visitors_session_and_its_number(pool):
    first = allocate(pool, "a")
    later = T0 + datetime.timedelta(minutes=10)
    kept = keep(pool, "a", now=later)
    assert isinstance(kept, dni_allocation.KeptSession)
    assert (kept.session_id, kept.number_id, kept.e164) == (first.session_id, first.number_id, first.e164)
    assert (kept.expires_at, kept.page_views) == (later + PERIOD, 2)
    assert TrackingNumber.objects.get(pk=first.number_id).held_until == later + PERIOD
    assert DNISession.objects.get(pk=first.session_id).last_seen_at == later


def test_keep_finds_nothing_for_a_new_visitor_an_expired_session_or_a_removed_number(pool):
    first = allocate(pool, "a")
    assert keep(pool, "b", now=T0) is None
    assert keep(pool, "a", now=T0 + PERIOD) is None  # the hold has ended
    TrackingNumber.objects.filter(pk=first.number_id).update(removed_at=T0)
    assert keep(pool, "a", now=T0 + datetime.timedelta(minutes=1)) is None


def test_an_empty_pool_allocates_nothing():
    assert allocate(TrackingPoolFactory(numbers=0), "a") is None
