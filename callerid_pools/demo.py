"""Demo caller-ID pools: a sequential pool of the demo customer's DIDs (its held
ones included, to show them skipped) and a global random pool of Reserved
platform DIDs.

Idempotent: the pools are filled when first made and not grown again, so every
run shows the same numbers. The sequential pool is made before the demo's
call-tracking pool takes its numbers (INSTALLED_APPS order), and a number that
serves a tracking pool never joins a caller-ID pool (``did_pool_refusal``); one
that got in before that rule existed is taken out here.
"""

from call_tracking.selectors import serving_tracking
from callerid_pools.models import NumberPool, PoolType
from callerid_pools.selectors import eligible_dids
from callerid_pools.services import number_pool_create, pool_members_add, pool_members_remove
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
    sequential = NumberPool.objects.filter(customer=customer, name=SEQUENTIAL_NAME).first()
    if sequential is None:
        sequential = number_pool_create(name=SEQUENTIAL_NAME, pool_type=PoolType.SEQUENTIAL, customer=customer)
        _fill(sequential)
    _drop_tracking_numbers(sequential)

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


def _drop_tracking_numbers(pool: NumberPool) -> None:
    members = pool.members.filter(serving_tracking("did_id"))
    if members.exists():
        pool_members_remove(pool=pool, member_ids=list(members.values_list("pk", flat=True)))


def _fill(pool: NumberPool, among=None) -> None:
    missing = eligible_dids(pool)
    if among is not None:
        missing = missing.filter(pk__in=among.values("pk"))
    dids = list(missing)
    if dids:
        pool_members_add(pool=pool, dids=dids)
