from callerid_pools.services import number_pool_create, pool_members_add
from customers.tests.tenancy_walker import MARKER, alice_object
from dids.tests.factories import AssignedDIDFactory, ClientPackageFactory


@alice_object("pool_id")
def alice_pool(alice) -> int:
    pool = number_pool_create(name=f"{MARKER} pool", customer=alice)
    package = ClientPackageFactory(customer=alice)
    pool_members_add(pool=pool, dids=[AssignedDIDFactory(client_package=package, tag=MARKER)])
    return pool.pk
