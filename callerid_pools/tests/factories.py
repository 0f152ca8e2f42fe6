"""Factories for caller-ID pools; members are added with ``callerid_pools.services.pool_members_add``."""

import factory

from callerid_pools.models import NumberPool, PoolType
from customers.tests.factories import CustomerFactory


class NumberPoolFactory(factory.django.DjangoModelFactory):
    """A sequential pool of a customer; ``GlobalNumberPoolFactory`` for a global one."""

    class Meta:
        model = NumberPool

    name = factory.Sequence(lambda n: f"Pool {n}")
    pool_type = PoolType.SEQUENTIAL
    customer = factory.SubFactory(CustomerFactory)
    is_global = False


class GlobalNumberPoolFactory(NumberPoolFactory):
    customer = None
    is_global = True
