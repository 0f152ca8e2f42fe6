"""Two administrators at the same moment, on two PostgreSQL connections."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from dids import services
from dids.models import DID, DIDStatus
from dids.tests.factories import ClientPackageFactory, DIDFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _wait_until_a_backend_waits_for_a_lock(deadline_seconds: float = 20) -> bool:
    """Poll pg_locks (no assertion on time): True once another backend is blocked."""
    end = time.monotonic() + deadline_seconds
    while time.monotonic() < end:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.02)
    return False


def _race(first_call, second_call):
    """Run ``first_call`` in a transaction held open until ``second_call`` is blocked on it."""
    outcomes: dict[str, object] = {}
    first_done, release = threading.Event(), threading.Event()

    def first():
        try:
            with transaction.atomic():
                outcomes["first"] = first_call()
                first_done.set()
                release.wait(30)
        except Exception as exc:  # recorded for the assertions
            outcomes["first"] = exc
            first_done.set()
        finally:
            connections.close_all()

    def second():
        try:
            outcomes["second"] = second_call()
        except Exception as exc:
            outcomes["second"] = exc
        finally:
            connections.close_all()

    a = threading.Thread(target=first)
    a.start()
    assert first_done.wait(30)
    b = threading.Thread(target=second)
    b.start()
    blocked = _wait_until_a_backend_waits_for_a_lock()
    release.set()
    a.join(30)
    b.join(30)
    return outcomes, blocked


def test_last_free_slot_of_a_package_has_exactly_one_winner():
    cp = ClientPackageFactory(package__did_limit=1)
    one, two = DIDFactory(), DIDFactory()
    outcomes, blocked = _race(
        lambda: services.did_assign(did=one, client_package=cp),
        lambda: services.did_assign(did=two, client_package=cp),
    )
    assert blocked, "the second assignment never waited for the first one's lock"
    assert isinstance(outcomes["first"], DID)
    assert isinstance(outcomes["second"], services.DIDError)
    assert "room for 0 more" in str(outcomes["second"])
    assert DID.objects.filter(client_package=cp, status=DIDStatus.ASSIGNED).count() == 1


def test_same_did_for_two_customers_has_exactly_one_winner():
    did = DIDFactory()
    cp_a, cp_b = ClientPackageFactory(), ClientPackageFactory()
    outcomes, blocked = _race(
        lambda: services.did_assign(did=did, client_package=cp_a),
        lambda: services.did_assign(did=did, client_package=cp_b),
    )
    assert blocked, "the second assignment never waited for the DID row"
    assert isinstance(outcomes["first"], DID)
    assert isinstance(outcomes["second"], services.DIDError)
    did.refresh_from_db()
    assert did.client_package_id == cp_a.pk


def test_two_free_running_assignments_of_the_last_slot():
    """Without staging: both threads start together, many rounds; never two winners."""
    for _ in range(5):
        cp = ClientPackageFactory(package__did_limit=1)
        dids = [DIDFactory(), DIDFactory()]
        barrier = threading.Barrier(2)
        results = []

        def assign(d, cp=cp, barrier=barrier, results=results):
            barrier.wait(10)
            try:
                services.did_assign(did=d, client_package=cp)
                results.append("won")
            except services.DIDError:
                results.append("lost")
            finally:
                connections.close_all()

        threads = [threading.Thread(target=assign, args=(d,)) for d in dids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(results) == ["lost", "won"]
        assert DID.objects.filter(client_package=cp).count() == 1
