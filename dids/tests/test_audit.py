import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dids import services
from dids.models import DID
from dids.tests.factories import ClientPackageFactory, OperatorFactory

pytestmark = pytest.mark.django_db
AUDIT = reverse("admin:dids_historicaldid_changelist")


def _reasons(number: str) -> list[str]:
    return list(
        DID.history.filter(number=number).order_by("history_id").values_list("history_change_reason", flat=True)
    )


def test_every_kind_of_change_leaves_a_history_row_with_user(admin_user):
    operator = OperatorFactory()
    services.did_create_many(specs="+441174090100", operator=operator, user=admin_user)
    did = DID.objects.get(number="+441174090100")
    services.did_update(did=did, user=admin_user, tag="edited-tag")
    services.did_bulk_update(dids=DID.objects.filter(pk=did.pk), changes={"notes": "n"}, user=admin_user)
    cp = ClientPackageFactory(package__hold_days=1)
    services.did_assign(did=did, client_package=cp, user=admin_user)
    services.client_package_deactivate(client_package=cp, user=admin_user)
    services.client_package_activate(client_package=cp, user=admin_user)
    services.did_release(did=DID.objects.get(pk=did.pk), user=admin_user)
    services.did_assign(did=did, client_package=cp, user=admin_user)
    services.client_package_deactivate(client_package=cp, user=admin_user)
    services.did_expire_holds(now=timezone.now() + datetime.timedelta(days=2))
    services.did_delete(did=DID.objects.get(pk=did.pk))
    reasons = _reasons("+441174090100")
    assert [r.split(" ")[0].rstrip(":") for r in reasons[:-1]] == [
        "created",
        "edited",
        "bulk",
        "assigned",
        "hold",
        "reactivated",
        "released",
        "assigned",
        "hold",
        "hold",  # hold ended
    ]
    assert reasons[-2].startswith("hold ended")
    rows = list(DID.history.filter(number="+441174090100").order_by("history_id"))
    assert rows[-1].history_type == "-"
    assert all(row.history_user == admin_user for row in rows[:9])


def test_audit_log_shows_changes_and_filters_with_fixed_queries(client, admin_user, django_assert_max_num_queries):
    client.force_login(admin_user)
    operator = OperatorFactory()
    services.did_create_many(specs="+441174090100-+441174090130", operator=operator, user=admin_user)
    cp = ClientPackageFactory(package__did_limit=50, customer__name="Acme Audit")
    services.did_assign_many(dids=DID.objects.all(), client_package=cp, user=admin_user)
    client.get(AUDIT)
    with django_assert_max_num_queries(15):
        response = client.get(AUDIT, {"action": "assigned"})
    page = response.content.decode()
    assert "status</b>: In Stock → Assigned" in page
    assert "Acme Audit" in page
    assert len(response.context["cl"].result_list) == 31
    response = client.get(AUDIT, {"q": "4090115"})
    assert {row.number for row in response.context["cl"].result_list} == {"+441174090115"}
    response = client.get(AUDIT, {"history_user__id__exact": admin_user.pk, "action": "created"})
    assert len(response.context["cl"].result_list) == 31
    assert client.get(AUDIT, {"action": "released"}).context["cl"].result_list.__len__() == 0


def test_per_did_history_page(client, admin_user):
    client.force_login(admin_user)
    services.did_create_many(specs="+441174090100", operator=OperatorFactory(), user=admin_user)
    did = DID.objects.get()
    services.did_update(did=did, user=admin_user, tag="vip")
    response = client.get(reverse("admin:dids_did_history", args=[did.pk]))
    assert response.status_code == 200
    assert "vip" in response.content.decode()
