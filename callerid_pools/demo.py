"""Demo caller-ID pools: a sequential pool of the demo customer's DIDs (its held
ones included, to show them skipped) and a global random pool of Reserved
platform DIDs. Idempotent: existing pools only gain the DIDs they lack."""

from callerid_pools.models import NumberPool, PoolType
from callerid_pools.selectors import eligible_dids
from callerid_pools.services import number_pool_create, pool_members_add
from dids.models import DID, DIDStatus
from dids.services import did_transition
from telephony.demo import DemoContext

SEQUENTIAL_NAME = "Demo sequential"
GLOBAL_NAME = "Platform random"
# London numbers the platform keeps for itself (Reserved, no customer).
PLATFORM_NUMBERS = [f"+4420794600{n}" for n in range(90, 95)]


def seed(context: DemoContext) -> None:
    customer = context.objects["customer"]
    admin = context.objects.get("admin")
    sequential = NumberPool.objects.filter(customer=customer, name=SEQUENTIAL_NAME).first() or number_pool_create(
        name=SEQUENTIAL_NAME, pool_type=PoolType.SEQUENTIAL, customer=customer
    )
    _fill(sequential)

    for did in DID.objects.filter(number__in=PLATFORM_NUMBERS, status=DIDStatus.IN_STOCK):
        did_transition(did=did, to_status=DIDStatus.RESERVED, user=admin, reason="demo: kept for the global pool")
    platform = NumberPool.objects.filter(is_global=True, name=GLOBAL_NAME).first() or number_pool_create(
        name=GLOBAL_NAME, pool_type=PoolType.RANDOM, is_global=True
    )
    _fill(platform, DID.objects.filter(number__in=PLATFORM_NUMBERS))

    context.objects.update(number_pool=sequential, global_number_pool=platform)
    context.report.append(
        f"Number pools: {sequential.name!r} ({sequential.members.count()} numbers) and global "
        f"{platform.name!r} ({platform.members.count()}) (/number-pools/, admin /admin/callerid_pools/numberpool/)"
    )


def _fill(pool: NumberPool, among=None) -> None:
    missing = eligible_dids(pool)
    if among is not None:
        missing = missing.filter(pk__in=among.values("pk"))
    missing = list(missing)
    if missing:
        pool_members_add(pool=pool, dids=missing)
