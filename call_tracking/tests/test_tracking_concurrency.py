"""Concurrency on PostgreSQL: provisioning is all or nothing, and no number is handed out twice."""

import copy

import pytest

from call_tracking import services
from call_tracking.models import DNISession, ExhaustionPolicy, TrackingPool
from call_tracking.tests.factories import TrackingPoolFactory
from call_tracking.tests.seed_002 import SEED_EXAMPLES
from customers.tests.factories import CustomerFactory
from dids.models import DID, DIDStatus
from dids.services import client_package_create, did_create_many, operator_get_or_create
from dids.tests.factories import PackageFactory
from telephony.tests.concurrency import run_together

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_two_concurrent_provisionings_of_the_last_numbers_one_wins_whole_the_other_changes_nothing():
    operator, _ = operator_get_or_create(name="Concurrency operator")
    did_create_many(specs="+441174090100-+441174090103", operator=operator)  # 4 Bristol numbers
    customers = [CustomerFactory(), CustomerFactory()]
    for customer in customers:
        client_package_create(customer=customer, package=PackageFactory(did_limit=10))
    request = copy.deepcopy(SEED_EXAMPLES[0][1])

    def provision(customer):
        return lambda: services.tracking_pool_create(
            customer=customer,
            name=request["name"],
            match_period=30,
            quantity=3,
            phone_number_request={"match_type": "geographic", "city": "Bristol", "iso_country": "GB"},
            termination_number="+441274792823",
        )

    outcomes = run_together([provision(c) for c in customers])

    assert sorted(type(o).__name__ for o in outcomes) == ["ProvisioningError", "TrackingPool"]
    assert TrackingPool.objects.count() == 1
    winner = next(o for o in outcomes if isinstance(o, TrackingPool))
    assigned = DID.objects.filter(status=DIDStatus.ASSIGNED)
    assert assigned.count() == 3 and set(assigned.values_list("customer", flat=True)) == {winner.customer_id}


def _visitors(pool, count):
    """One first page view each of ``count`` paid-search visitors."""
    return [
        lambda n=n: services.dni_visit(
            pool=pool, visitor_id=f"visitor-{n:04d}", landing_url="https://www.example.com/?gclid=1"
        )
        for n in range(count)
    ]


def test_concurrent_visitors_never_share_a_number_unless_marked():
    pool = TrackingPoolFactory(numbers=5, exhaustion_policy=ExhaustionPolicy.REPLACE_NOTHING)

    outcomes = run_together(_visitors(pool, 12))

    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert sum(1 for o in outcomes if o.replace) == 5
    numbers = list(DNISession.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 5


def test_concurrent_visitors_on_an_exhausted_pool_that_reuses_share_numbers_only_marked():
    pool = TrackingPoolFactory(numbers=3, exhaustion_policy=ExhaustionPolicy.REUSE_OLDEST)

    outcomes = run_together(_visitors(pool, 12))

    assert not [o for o in outcomes if isinstance(o, Exception)]
    # Under a burst a visitor may get nothing (every number locked by another request at that instant).
    assert sum(1 for o in outcomes if o.replace) >= 3
    holders: dict[int, list[bool]] = {}
    for number, ambiguous in DNISession.objects.values_list("number", "ambiguous"):
        holders.setdefault(number, []).append(ambiguous)
    assert len(holders) == 3
    for marks in holders.values():
        assert len(marks) == 1 or all(marks)
