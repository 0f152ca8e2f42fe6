"""The split of ``pools`` into ``callerid_pools`` and ``call_tracking`` carries a populated database over.

Rolls the project back to the schema of before the split (the leaves the graph
had then: the new apps unapplied, ``pools`` at 0104), writes rows with the
historical models of that schema, migrates forward and reads them through the
new apps' models, and checks that permissions granted on the old content
types still hold.
"""

from __future__ import annotations

import datetime as dt

import pytest

from telephony.tests.migrating import leaves, migrate

BEFORE_SPLIT = [("pools", "0104_dni_fewer_index_writes"), ("callerid_pools", None), ("call_tracking", None)]


def _populate(apps) -> dict[str, int]:
    Customer = apps.get_model("customers", "Customer")
    Operator = apps.get_model("dids", "Operator")
    DID = apps.get_model("dids", "DID")
    NumberPool = apps.get_model("pools", "NumberPool")
    NumberPoolMember = apps.get_model("pools", "NumberPoolMember")
    NumberPoolIncorrectNumber = apps.get_model("pools", "NumberPoolIncorrectNumber")
    TrackingPool = apps.get_model("pools", "TrackingPool")
    TrackingNumber = apps.get_model("pools", "TrackingNumber")
    DNISession = apps.get_model("pools", "DNISession")
    TrackedCall = apps.get_model("pools", "TrackedCall")
    PoolPolicy = apps.get_model("compliance", "PoolPolicy")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")

    now = dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)
    customer = Customer.objects.create(name="Split Ltd", slug="split-ltd")
    operator = Operator.objects.create(name="Split operator")
    dids = [
        DID.objects.create(number=f"+4411740901{n:02d}", raw=f"+4411740901{n:02d}", operator=operator) for n in range(3)
    ]
    pool = NumberPool.objects.create(name="Callers", pool_type="sequential", customer=customer, cursor=7)
    NumberPoolMember.objects.create(pool=pool, did=dids[0], position=1)
    NumberPoolIncorrectNumber.objects.create(
        pool=pool, row_number=2, raw="abc", default_region="GB", reason="not_a_number", message="Not a number"
    )
    PoolPolicy.objects.create(pool=pool)
    tracking = TrackingPool.objects.create(
        customer=customer, name="Web", match_period=30, termination_number="+441174090999", public_key="split-key"
    )
    number = TrackingNumber.objects.create(pool=tracking, did=dids[1], held_until=now)
    session = DNISession.objects.create(
        pool=tracking,
        number=number,
        visitor_id="v1",
        source="google",
        started_at=now,
        last_seen_at=now,
        expires_at=now + dt.timedelta(minutes=30),
    )
    call = TrackedCall.objects.create(
        pool=tracking, number=number, called_number="+441174090101", called_at=now, termination_number="+441174090999"
    )
    call.sessions.add(session)
    call.session = session
    call.save()

    # A group granted a permission of the old app, as the Ops group is.
    content_type, _ = ContentType.objects.get_or_create(app_label="pools", model="numberpool")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="change_numberpool", defaults={"name": "Can change number pool"}
    )
    group = Group.objects.create(name="Split ops")
    group.permissions.add(permission)
    ContentType.objects.get_or_create(app_label="pools", model="trackingpool")
    return {"pool": pool.pk, "tracking": tracking.pk, "session": session.pk, "call": call.pk, "group": group.pk}


def _carried_over(ids: dict[str, int]) -> None:
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType

    from call_tracking.models import DNISession, TrackedCall, TrackingNumber, TrackingPool
    from callerid_pools.models import NumberPool, NumberPoolIncorrectNumber, NumberPoolMember
    from compliance.models import PoolPolicy

    pool = NumberPool.objects.get(pk=ids["pool"])
    assert pool.customer is not None
    assert (pool.name, pool.cursor, pool.customer.name) == ("Callers", 7, "Split Ltd")
    assert [m.did.number for m in NumberPoolMember.objects.filter(pool=pool)] == ["+441174090100"]
    assert NumberPoolIncorrectNumber.objects.get(pool=pool).reason == "not_a_number"
    assert PoolPolicy.objects.get(pool=pool).pool == pool

    tracking = TrackingPool.objects.get(pk=ids["tracking"])
    assert (tracking.name, tracking.public_key) == ("Web", "split-key")
    assert TrackingNumber.objects.get(pool=tracking).did.number == "+441174090101"
    call = TrackedCall.objects.get(pk=ids["call"])
    assert call.session_id == ids["session"]
    assert list(call.sessions.values_list("pk", flat=True)) == [ids["session"]]
    assert DNISession.objects.get(pk=ids["session"]).pool == tracking

    group = Group.objects.get(pk=ids["group"])
    assert list(group.permissions.values_list("content_type__app_label", "codename")) == [
        ("callerid_pools", "change_numberpool")
    ]
    assert ContentType.objects.filter(app_label="pools").count() == 0
    assert ContentType.objects.get_for_model(TrackingPool).app_label == "call_tracking"


def _roundtrip() -> None:
    state = migrate(BEFORE_SPLIT)
    try:
        ids = _populate(state.apps)
    finally:
        migrate(leaves())
    _carried_over(ids)


@pytest.mark.django_db(transaction=True)
def test_a_populated_database_of_before_the_split_is_read_through_the_new_apps():
    _roundtrip()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_populated_postgresql_database_of_before_the_split_is_read_through_the_new_apps():
    _roundtrip()
