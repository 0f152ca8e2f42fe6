"""`make run` and `make run-sip` run seed_demo and dialer_demo on every start: what they show must not drift."""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from call_tracking.models import TrackingNumber
from callerid_pools.demo import SEQUENTIAL_NAME
from callerid_pools.models import NumberPool, NumberPoolMember
from campaigns.demo import DEMO_CAMPAIGN_NAME
from campaigns.models import Campaign
from customers.models import Customer
from dids.models import DID
from telephony.demo import DEMO_CUSTOMER_SLUG

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _demo_pool_numbers() -> list[str]:
    pool = NumberPool.objects.get(name=SEQUENTIAL_NAME)
    return list(pool.members.order_by("position").values_list("did__number", flat=True))


def _tracking_numbers() -> set[str]:
    return set(TrackingNumber.objects.filter(removed_at=None).values_list("did__number", flat=True))


def test_the_demo_caller_id_pool_is_the_same_on_every_run_and_holds_no_tracking_number():
    _seed()
    first = _demo_pool_numbers()
    _seed()
    _seed()
    assert _demo_pool_numbers() == first
    assert len(first) == 13
    assert _tracking_numbers() and not _tracking_numbers() & set(first)


def test_seed_demo_takes_tracking_numbers_out_of_a_demo_pool_seeded_before_the_rule():
    _seed()
    pool = NumberPool.objects.get(name=SEQUENTIAL_NAME)
    clean = _demo_pool_numbers()
    # What the old seed left on a second run: the five tracking numbers appended.
    tracking = [number.did for number in TrackingNumber.objects.filter(removed_at=None).order_by("did__number")]
    assert len(tracking) == 5
    top = len(clean)
    NumberPoolMember.objects.bulk_create(
        NumberPoolMember(pool=pool, did=did, position=top + n + 1) for n, did in enumerate(tracking)
    )
    assert len(_demo_pool_numbers()) == 18
    _seed()
    assert _demo_pool_numbers() == clean


def test_the_dids_summary_counts_every_did_of_the_demo_customer():
    out = _seed()
    customer = Customer.objects.get(slug=DEMO_CUSTOMER_SLUG)
    total = DID.objects.filter(customer=customer).count()
    assert total == 18  # 11 assigned, 2 in Hold, 5 for call tracking
    assert f"{total} of {customer.name}'s" in out
    assert f"{total} of {customer.name}'s" in _seed()


def _dialer_demo() -> str:
    out = io.StringIO()
    call_command("dialer_demo", stdout=out)
    return out.getvalue()


def _user_campaign(name: str, status: str) -> Campaign:
    demo = Campaign.objects.get(name=DEMO_CAMPAIGN_NAME)
    fields = {f.attname: getattr(demo, f.attname) for f in Campaign._meta.concrete_fields if f.name != "id"}
    fields.update(name=name, status=status)
    return Campaign.objects.create(**fields)


def test_dialer_demo_launches_the_demo_campaign_not_a_campaign_of_the_user():
    _seed()
    _user_campaign("QA campaign (1)", "launched")
    user_draft = _user_campaign("My draft", "draft")
    out = _dialer_demo()
    demo = Campaign.objects.get(name=DEMO_CAMPAIGN_NAME)
    assert demo.status == "launched"
    assert f"Launched demo campaign “{DEMO_CAMPAIGN_NAME}”" in out and "QA campaign" not in out
    user_draft.refresh_from_db()
    assert user_draft.status == "draft"
    assert f"“{DEMO_CAMPAIGN_NAME}” is already launched" in _dialer_demo()


def test_dialer_demo_names_the_gateway_in_use():
    _seed()
    with override_settings(DIALER_GATEWAY="sip"):
        out = _dialer_demo()
    assert "contacts, sip)" in out and "simulator" not in out
    with override_settings(DIALER_GATEWAY="telephony.gateways.sip.SipGateway"):
        assert "(sip)" in _dialer_demo()
