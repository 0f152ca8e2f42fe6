"""Every pair of DID statuses, by every way of asking, through the single and the bulk paths.

The allowed moves are written out here from the specification, not read from
``dids.services.lifecycle``: a move added to or dropped from the table there
fails this test until the specification (and this matrix) says so.
"""

import datetime
import itertools

import pytest
from django.db import transaction
from django.utils import timezone

from dids import services
from dids.models import AFTER_HOLD_STATUSES, CUSTOMER_STATUSES, DID, DIDStatus
from dids.services import DIDError, Via
from dids.tests.factories import ClientPackageFactory, DIDFactory

pytestmark = pytest.mark.django_db
S = DIDStatus

# Row: from; column: to; the way the move is asked for ("-": refused whichever way, "=": no move).
MATRIX = """
            in_stock  reserved  assigned    hold    archive
in_stock    =         edit      assign      -       edit
reserved    edit      =         assign      -       edit
assigned    release   -         =           hold    -
hold        expiry    expiry    reactivate  =       expiry
archive     edit      -         -           -       =
"""
WAYS = {"edit": Via.EDIT, "assign": Via.ASSIGN, "release": Via.RELEASE, "hold": Via.HOLD}
WAYS |= {"reactivate": Via.REACTIVATE, "expiry": Via.HOLD_EXPIRY}


def _allowed() -> dict[tuple[str, str], Via]:
    header, *rows = (line.split() for line in MATRIX.strip().splitlines())
    return {
        (S(row[0]), S(end)): WAYS[way] for row in rows for end, way in zip(header, row[1:], strict=True) if way in WAYS
    }


ALLOWED = _allowed()
assert len(ALLOWED) == 13, ALLOWED
MOVES = [(start, end) for start, end in itertools.product(S, S) if start != end]
DAY = datetime.timedelta(days=1)


def _fields(status, client_package, now) -> dict:
    """The columns a DID in ``status`` has (the database's checks hold them together)."""
    if status not in CUSTOMER_STATUSES:
        return dict(customer=None, client_package=None, assigned_at=None, hold_started_at=None, hold_ends_at=None)
    held = status == S.HOLD
    return dict(
        customer=client_package.customer,
        client_package=client_package,
        assigned_at=now,
        hold_started_at=now if held else None,
        hold_ends_at=now + DAY if held else None,
    )


def _did(start, end, client_package, now) -> DID:
    # The hold ends in the after-hold status: the one move the hold's end may make.
    after = end if end in AFTER_HOLD_STATUSES else S.IN_STOCK
    return DIDFactory(status=start, after_hold_status=after, **_fields(start, client_package, now))


def _status(did) -> str:
    return DID.objects.values_list("status", flat=True).get(pk=did.pk)


def test_the_table_is_the_specifications():
    for start, end in MOVES:
        for via in Via:
            assert (start in services.allowed_from(end, via)) == (ALLOWED.get((start, end)) == via), (start, end, via)


def _single(did, end, via, fields, now) -> bool:
    try:
        services.did_transition(did=did, to_status=end, via=via, **fields)
    except services.DIDTransitionError:
        return False
    return True


def _bulk(did, end, via, fields, now) -> bool:
    return services.did_transition_many(ids=[did.pk], to_status=end, via=via, now=now, **fields) == 1


@pytest.mark.parametrize("transition", [_single, _bulk], ids=["single", "bulk"])
def test_transition_allows_exactly_the_table(transition):
    client_package = ClientPackageFactory()
    now = timezone.now()
    for (start, end), via in itertools.product(MOVES, Via):
        did = _did(start, end, client_package, now)
        allowed = ALLOWED.get((start, end)) == via
        with transaction.atomic():
            moved = transition(did, end, via, _fields(end, client_package, now), now)
        assert moved == allowed, f"{start} → {end} by {via}: moved {moved}"
        assert _status(did) == (end if allowed else start)
        assert did.history.count() == 1 + allowed  # the creation, and the move when there was one


def _edit(did, end, **_):
    services.did_bulk_update(dids=[did], changes={"status": end})


def _assign(did, end, *, spare_package, **_):
    services.did_assign_many(dids=[did], client_package=spare_package)


def _release(did, end, **_):
    services.did_release_many(dids=DID.objects.filter(pk=did.pk))


def _deactivate(did, end, *, client_package, **_):
    services.client_package_deactivate(client_package=client_package)


def _reactivate(did, end, *, client_package, **_):
    client_package.active = False
    client_package.save(update_fields=["active"])
    services.client_package_activate(client_package=client_package)


def _expire(did, end, *, now, **_):
    services.did_expire_holds(now=now + 2 * DAY)


# Each bulk service, the way it asks and the status it moves to (None: any).
BULK_SERVICES = [
    (_edit, Via.EDIT, None),
    (_assign, Via.ASSIGN, S.ASSIGNED),
    (_release, Via.RELEASE, S.IN_STOCK),
    (_deactivate, Via.HOLD, S.HOLD),
    (_reactivate, Via.REACTIVATE, S.ASSIGNED),
    (_expire, Via.HOLD_EXPIRY, None),
]


@pytest.mark.parametrize(("service", "via", "target"), BULK_SERVICES, ids=lambda value: getattr(value, "__name__", ""))
def test_bulk_services_move_exactly_what_the_table_allows(service, via, target):
    now = timezone.now()
    for start, end in MOVES:
        if target is not None and end != target:
            continue
        if via == Via.HOLD_EXPIRY and end not in AFTER_HOLD_STATUSES:
            continue  # the hold's end goes to the after-hold status, which is never Assigned or Hold
        client_package = ClientPackageFactory()
        did = _did(start, end, client_package, now)
        allowed = ALLOWED.get((start, end)) == via
        try:
            with transaction.atomic():
                service(did, end, client_package=client_package, spare_package=ClientPackageFactory(), now=now)
        except DIDError:
            assert not allowed, f"{start} → {end} by {service.__name__} was refused"
        assert _status(did) == (end if allowed else start), f"{start} → {end} by {service.__name__}"
