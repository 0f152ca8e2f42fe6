import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from dids import services
from dids.models import DID, DIDStatus
from dids.services import DIDError, DIDTransitionError, Route, Via, did_route, transition_refusal
from dids.tests.factories import AssignedDIDFactory, ClientPackageFactory, DIDFactory, OperatorFactory

pytestmark = pytest.mark.django_db
S = DIDStatus

EDIT_ALLOWED = [
    (S.IN_STOCK, S.RESERVED),
    (S.RESERVED, S.IN_STOCK),
    (S.IN_STOCK, S.ARCHIVE),
    (S.RESERVED, S.ARCHIVE),
    (S.ARCHIVE, S.IN_STOCK),
]


@pytest.mark.parametrize(("start", "end"), EDIT_ALLOWED)
def test_allowed_edit_transitions(start, end):
    did = DIDFactory(status=start)
    services.did_transition(did=did, to_status=end)
    did.refresh_from_db()
    assert did.status == end


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (S.ARCHIVE, S.RESERVED, "Archive: it cannot become Reserved"),
        (S.IN_STOCK, S.ASSIGNED, "only by assigning it"),
        (S.RESERVED, S.HOLD, "cannot become Hold"),
        (S.IN_STOCK, S.HOLD, "cannot become Hold"),
        (S.ARCHIVE, S.ASSIGNED, "cannot become Assigned"),
    ],
)
def test_refused_edit_transitions_name_the_did_status_and_rule(start, end, message):
    did = DIDFactory(status=start)
    with pytest.raises(DIDTransitionError, match=message) as caught:
        services.did_transition(did=did, to_status=end)
    assert did.number in str(caught.value)
    did.refresh_from_db()
    assert did.status == start


@pytest.mark.parametrize(
    ("end", "message"),
    [
        (S.IN_STOCK, "only by releasing it"),
        (S.HOLD, "only by deactivating its client package"),
        (S.ARCHIVE, "cannot become Archive"),
        (S.RESERVED, "cannot become Reserved"),
    ],
)
def test_assigned_dids_leave_only_through_their_services(end, message):
    did = AssignedDIDFactory()
    assert message in transition_refusal(did, end, via=Via.EDIT)


def test_hold_expiry_goes_only_to_the_after_hold_status():
    did = DIDFactory.build(status=S.HOLD, after_hold_status=S.ARCHIVE)
    assert transition_refusal(did, S.ARCHIVE, via=Via.HOLD_EXPIRY) is None
    assert "after its hold it becomes Archive" in transition_refusal(did, S.IN_STOCK, via=Via.HOLD_EXPIRY)


def test_compare_and_set_refuses_a_did_changed_meanwhile():
    did = DIDFactory(status=S.IN_STOCK)
    stale = DID.objects.get(pk=did.pk)
    services.did_transition(did=did, to_status=S.RESERVED)
    with pytest.raises(DIDTransitionError, match="changed meanwhile"):
        services.did_transition(did=stale, to_status=S.ARCHIVE)


def test_creation_only_in_stock_reserved_or_archive():
    operator = OperatorFactory()
    for status in (S.IN_STOCK, S.RESERVED, S.ARCHIVE):
        services.did_create_many(specs=f"+4411740901{len(status):02d}", operator=operator, status=status)
    for status in (S.ASSIGNED, S.HOLD):
        with pytest.raises(DIDError, match="created only as In Stock, Reserved or Archive"):
            services.did_create_many(specs="+441174090199", operator=operator, status=status)
    assert not DID.objects.filter(number="+441174090199").exists()


def test_database_refuses_an_assigned_did_without_customer():
    did = DIDFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        DID.objects.filter(pk=did.pk).update(status=S.ASSIGNED)


def test_database_refuses_a_hold_without_dates():
    did = AssignedDIDFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        DID.objects.filter(pk=did.pk).update(status=S.HOLD)


def test_create_many_reports_existing_numbers_and_leaves_them_alone():
    operator = OperatorFactory()
    first = services.did_create_many(specs="+441174090100-+441174090104", operator=operator, tag="a")
    assert len(first.created) == 5
    second = services.did_create_many(specs="+441174090103-+441174090106", operator=operator, tag="b")
    assert second.created == ["+441174090105", "+441174090106"]
    assert second.existing == ["+441174090103", "+441174090104"]
    assert DID.objects.get(number="+441174090103").tag == "a"


# --- packages, limits, tags ---------------------------------------------------


def test_assignment_respects_the_package_limit():
    cp = ClientPackageFactory(package__did_limit=2)
    a, b, c = DIDFactory(), DIDFactory(), DIDFactory()
    services.did_assign_many(dids=[a, b], client_package=cp)
    with pytest.raises(DIDError, match="room for 0 more"):
        services.did_assign(did=c, client_package=cp)
    assert services.client_package_room(cp) == 0


def test_assignment_of_too_many_assigns_none():
    cp = ClientPackageFactory(package__did_limit=1)
    a, b = DIDFactory(), DIDFactory()
    with pytest.raises(DIDError, match="2 asked"):
        services.did_assign_many(dids=[a, b], client_package=cp)
    assert DID.objects.filter(status=S.ASSIGNED).count() == 0


def test_assignment_respects_allowed_tags():
    cp = ClientPackageFactory(package__allowed_tags=["local"])
    ok, wrong = DIDFactory(tag="local"), DIDFactory(tag="premium")
    with pytest.raises(DIDError, match="tag 'premium'"):
        services.did_assign_many(dids=[ok, wrong], client_package=cp)
    ok.refresh_from_db()
    assert ok.status == S.IN_STOCK
    services.did_assign(did=ok, client_package=cp)


def test_reserved_dids_can_be_assigned_archived_cannot():
    cp = ClientPackageFactory()
    reserved, archived = DIDFactory(status=S.RESERVED), DIDFactory(status=S.ARCHIVE)
    assert services.did_assign(did=reserved, client_package=cp).status == S.ASSIGNED
    with pytest.raises(DIDError, match="Archive: it cannot become Assigned"):
        services.did_assign(did=archived, client_package=cp)


def test_no_assignment_under_an_inactive_package():
    cp = ClientPackageFactory(active=False)
    with pytest.raises(DIDError, match="not active"):
        services.did_assign(did=DIDFactory(), client_package=cp)


def test_release_returns_the_did_to_stock_and_frees_the_slot():
    did = AssignedDIDFactory()
    cp = did.client_package
    services.did_release(did=did)
    did.refresh_from_db()
    assert (did.status, did.customer, did.client_package) == (S.IN_STOCK, None, None)
    assert services.client_package_room(cp) == cp.package.did_limit


def test_hold_reactivation_and_expiry_over_time():
    start = datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        cp = ClientPackageFactory(package__hold_days=10)
        kept = AssignedDIDFactory(client_package=cp, customer=cp.customer)
        archived = AssignedDIDFactory(client_package=cp, customer=cp.customer, after_hold_status=S.ARCHIVE)
        assert services.client_package_deactivate(client_package=cp) == 2
        kept.refresh_from_db()
        assert kept.status == S.HOLD
        assert kept.hold_ends_at == start + datetime.timedelta(days=10)
        assert did_route(kept.number).kind == Route.UNREACHABLE
    with time_machine.travel(start + datetime.timedelta(days=9), tick=False):
        assert services.did_expire_holds() == 0
        assert services.client_package_activate(client_package=cp) == 2
        kept.refresh_from_db()
        assert kept.status == S.ASSIGNED and kept.hold_ends_at is None
        assert did_route(kept.number).kind == Route.CUSTOMER
        services.client_package_deactivate(client_package=cp)
    with time_machine.travel(start + datetime.timedelta(days=18, hours=23), tick=False):
        assert services.did_expire_holds() == 0
    with time_machine.travel(start + datetime.timedelta(days=19, minutes=1), tick=False):
        assert services.did_expire_holds() == 2
        assert services.did_expire_holds() == 0  # idempotent
    kept.refresh_from_db()
    archived.refresh_from_db()
    assert (kept.status, kept.customer_id, kept.client_package_id) == (S.IN_STOCK, None, None)
    assert archived.status == S.ARCHIVE
    assert did_route(kept.number).kind == Route.UNKNOWN


def test_reactivation_after_the_hold_period_does_not_bring_expired_dids_back():
    cp = ClientPackageFactory(package__hold_days=1)
    did = AssignedDIDFactory(client_package=cp, customer=cp.customer)
    services.client_package_deactivate(client_package=cp)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        assert services.client_package_activate(client_package=cp) == 0
        services.did_expire_holds()
    did.refresh_from_db()
    assert did.status == S.IN_STOCK


def test_expiry_task_calls_the_service():
    from dids.tasks import dids_expire_holds

    cp = ClientPackageFactory(package__hold_days=0)
    AssignedDIDFactory(client_package=cp, customer=cp.customer)
    services.client_package_deactivate(client_package=cp)
    assert dids_expire_holds.apply().get() == 1
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["dids-expire-holds"]["task"] == dids_expire_holds.name


def test_delete_is_refused_for_assigned_and_hold():
    did = AssignedDIDFactory()
    with pytest.raises(DIDError, match="release it before deleting"):
        services.did_delete(did=did)
    with pytest.raises(DIDError, match="cannot be deleted"):
        services.did_delete_many(dids=DID.objects.all())
    assert DID.objects.filter(pk=did.pk).exists()
    stock = DIDFactory()
    services.did_delete(did=stock)
    assert not DID.objects.filter(pk=stock.pk).exists()


def test_provision_takes_matching_stock_under_a_package_with_room():
    cp = ClientPackageFactory(package__did_limit=3)
    bristol = [DIDFactory() for _ in range(3)]
    DIDFactory(number="+442079460001", area_code="20", locality="London")
    got = services.did_provision(
        customer=cp.customer, quantity=2, iso_country="gb", number_type="geographic", locality="bristol"
    )
    assert {d.number for d in got} <= {d.number for d in bristol}
    with pytest.raises(DIDError, match="Only 0 matching"):
        services.did_provision(customer=cp.customer, quantity=1, iso_country="GB", number_type="tollfree")
    with pytest.raises(DIDError, match="room"):
        services.did_provision(customer=cp.customer, quantity=2, iso_country="GB", number_type="geographic")


def test_route_of_unknown_and_unparseable_numbers():
    assert did_route("+449999").kind == Route.UNKNOWN
    assert did_route("not a number").kind == Route.UNKNOWN
