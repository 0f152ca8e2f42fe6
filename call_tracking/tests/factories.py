"""Factories for call tracking. Pools are built directly with Assigned DIDs (fast);
provisioning tests go through the API and ``call_tracking.services``."""

import factory

from call_tracking.models import TrackingNumber, TrackingPool
from customers.tests.factories import CustomerFactory
from dids.tests.factories import AssignedDIDFactory, ClientPackageFactory

ANY_GCLID = [{"referrer_domain": "Any", "url_triggers": ["gclid=*"], "track_organic": False}]


class TrackingPoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrackingPool
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Pool {n}")
    match_period = 30
    phone_number_request = {
        "number_type": "international",
        "match_type": "geographic",
        "city": "Bristol",
        "iso_country": "GB",
    }
    numbers_to_replace = ["01011231234"]
    tracking_sources = factory.LazyFunction(lambda: [dict(s) for s in ANY_GCLID])
    termination_number = "+441274792823"
    site_domains = factory.LazyFunction(lambda: ["example.com"])

    @factory.post_generation
    def numbers(pool, create, extracted, **kwargs):
        """``numbers=3`` gives the pool three Assigned DIDs of its customer."""
        if not create or not extracted:
            return
        client_package = ClientPackageFactory(customer=pool.customer, package__did_limit=max(extracted, 10))
        for _ in range(extracted):
            TrackingNumber.objects.create(pool=pool, did=AssignedDIDFactory(client_package=client_package))
        TrackingPool.objects.filter(pk=pool.pk).update(quantity=extracted)
        pool.quantity = extracted
