"""A number that tracks calls for a web site is never an outgoing caller ID: callbacks to it would be
counted as the web site's calls. Caller-ID pools refuse it, the campaign wizard does not offer it."""

import pytest
from django.core.exceptions import ValidationError

from call_tracking import services as tracking
from callerid_pools.models import NumberPoolMember
from callerid_pools.services import PoolError, pool_members_add
from callerid_pools.tests.factories import NumberPoolFactory
from campaigns import contract
from campaigns.services import CampaignStateError, campaign_launch
from dids.models import DID
from dids.services import did_assign_many

pytestmark = pytest.mark.django_db

BRISTOL = {"number_type": "international", "match_type": "geographic", "city": "Bristol", "iso_country": "GB"}


@pytest.fixture
def tracked(api_customer, stock):
    """(customer, its tracking pool with one number, that number's DID, another DID of the customer)."""
    pool = tracking.tracking_pool_create(
        customer=api_customer,
        name="Web site",
        match_period=30,
        quantity=1,
        phone_number_request=BRISTOL,
        termination_number="+441174960000",
    )
    did = pool.numbers.get().did
    other = DID.objects.get(number="+442477180193")
    did_assign_many(dids=[other], client_package=api_customer.client_packages.get())
    return api_customer, pool, did, DID.objects.get(pk=other.pk)


def test_a_caller_id_pool_refuses_a_tracking_number_naming_it_and_its_tracking_pool(tracked):
    customer, _pool, did, other = tracked
    caller_ids = NumberPoolFactory(customer=customer)
    with pytest.raises(PoolError) as refused:
        pool_members_add(pool=caller_ids, dids=[other, did])
    assert did.number in str(refused.value) and "“Web site”" in str(refused.value)
    assert not NumberPoolMember.objects.filter(pool=caller_ids).exists()  # all or nothing
    pool_members_add(pool=caller_ids, dids=[other])


def test_the_caller_id_pool_admin_search_does_not_offer_tracking_numbers(tracked):
    from callerid_pools.selectors import eligible_dids

    customer, _pool, did, other = tracked
    offered = set(eligible_dids(NumberPoolFactory(customer=customer)).values_list("number", flat=True))
    assert other.number in offered and did.number not in offered


def test_the_campaign_wizard_does_not_offer_a_tracking_number_and_refuses_it_by_name(tracked):
    customer, _pool, did, other = tracked
    (_, dids), _pools = contract.a_number_choices(customer)
    offered = [number for _value, number in dids]
    assert other.number in offered and did.number not in offered
    with pytest.raises(ValidationError) as refused:
        contract.clean_a_number(f"did:{did.pk}", customer=customer)
    assert did.number in refused.value.messages[0] and "“Web site”" in refused.value.messages[0]
    assert contract.clean_a_number(f"did:{other.pk}", customer=customer) == (other.pk, None)


def test_a_campaign_whose_a_number_tracks_calls_is_not_launched(tracked):
    from campaigns.tests.factories import make_campaign

    customer, _pool, did, _other = tracked
    campaign = make_campaign(customer, a_number_did=did)
    with pytest.raises(CampaignStateError) as refused:
        campaign_launch(campaign=campaign)
    assert did.number in str(refused.value) and "“Web site”" in str(refused.value)
    campaign.refresh_from_db()
    assert campaign.status == "draft"


def test_a_campaign_whose_caller_id_pool_holds_a_tracking_number_is_not_launched(tracked):
    from campaigns.tests.factories import make_campaign

    customer, _pool, did, other = tracked
    caller_ids = NumberPoolFactory(customer=customer, name="Outbound")
    # A member that got in before the rule (the old demo seed did that).
    NumberPoolMember.objects.create(pool=caller_ids, did=did, position=1)
    NumberPoolMember.objects.create(pool=caller_ids, did=other, position=2)
    campaign = make_campaign(customer, a_number_did=None, a_number_pool=caller_ids)
    with pytest.raises(CampaignStateError) as refused:
        campaign_launch(campaign=campaign)
    assert "“Outbound”" in str(refused.value) and did.number in str(refused.value)
    assert other.number not in str(refused.value)


def test_a_number_left_in_a_caller_id_pool_leaves_it_when_call_tracking_takes_it(api_customer, stock):
    from dids.services import did_release_many

    package = api_customer.client_packages.get()
    bristol = list(DID.objects.filter(number__startswith="+44117").order_by("number"))
    did_assign_many(dids=bristol, client_package=package)
    caller_ids = NumberPoolFactory(customer=api_customer)
    pool_members_add(pool=caller_ids, dids=bristol)
    # One number goes back to stock: the pool keeps it, skipped, until it is the customer's again.
    did_release_many(dids=DID.objects.filter(pk=bristol[1].pk))
    tracking.tracking_pool_create(
        customer=api_customer,
        name="Web site",
        match_period=30,
        quantity=1,
        phone_number_request=BRISTOL,
        termination_number="+441174960000",
    )
    assert list(caller_ids.members.order_by("position").values_list("did__number", "position")) == [
        (did.number, n + 1) for n, did in enumerate([bristol[0], *bristol[2:]])
    ]
