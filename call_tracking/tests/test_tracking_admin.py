"""Admin of call tracking: lists and the pool page render; deleting returns the numbers to stock."""

import pytest
from django.urls import reverse

from call_tracking import services
from call_tracking.models import TrackingPoolStatus
from call_tracking.tests.factories import TrackingPoolFactory
from dids.models import DIDStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(settings):
    pool = TrackingPoolFactory(name="Admin pool", numbers=2)
    answer = services.dni_visit(pool=pool, visitor_id="visitor-admin", landing_url="https://example.com/?gclid=1")
    services.tracked_call_record(called=answer.number.did.number, caller="+447700900123")
    return pool


@pytest.mark.parametrize("model", ["trackingpool", "dnisession", "trackedcall"])
def test_changelists_render(client, admin_user, pool, model):
    client.force_login(admin_user)
    response = client.get(reverse(f"admin:call_tracking_{model}_changelist"))
    assert response.status_code == 200 and "Admin pool" in response.content.decode()


def test_pool_change_page_edits_through_the_service(client, admin_user, pool):
    client.force_login(admin_user)
    url = reverse("admin:call_tracking_trackingpool_change", args=[pool.pk])
    assert pool.numbers.first().did.number in client.get(url).content.decode()
    form = {
        "name": "Renamed pool",
        "match_period": 45,
        "numbers_to_replace": '["01011231234"]',
        "replace_all_numbers": "",
        "tracking_sources": '[{"referrer_domain": "Any", "url_triggers": [], "track_organic": false}]',
        "termination_number": "+441274792823",
        "exhaustion_policy": "replace_nothing",
        "site_domains": '["example.com"]',
        "numbers-TOTAL_FORMS": "0",
        "numbers-INITIAL_FORMS": "0",
    }
    response = client.post(url, form)
    assert response.status_code == 302
    pool.refresh_from_db()
    assert (pool.name, pool.match_period, pool.exhaustion_policy) == ("Renamed pool", 45, "replace_nothing")


def test_pool_change_page_names_a_bad_rule(client, admin_user, pool):
    client.force_login(admin_user)
    url = reverse("admin:call_tracking_trackingpool_change", args=[pool.pk])
    form = {
        "name": pool.name,
        "match_period": 30,
        "numbers_to_replace": "[]",
        "tracking_sources": '[{"referrer_domain": "not a domain"}]',
        "termination_number": "+44123",
        "exhaustion_policy": "reuse_oldest",
        "site_domains": '["not a domain"]',
        "numbers-TOTAL_FORMS": "0",
        "numbers-INITIAL_FORMS": "0",
    }
    html = client.post(url, form).content.decode()
    assert "is not Any, a search engine" in html
    assert "is not a valid phone number" in html
    assert "is not a domain name" in html


def test_delete_action_returns_numbers_to_stock(client, admin_user, pool):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:call_tracking_trackingpool_changelist"),
        {"action": "delete_pools", "_selected_action": [pool.pk]},
    )
    assert response.status_code == 302
    pool.refresh_from_db()
    assert pool.status == TrackingPoolStatus.DELETED
    assert {n.did.status for n in pool.numbers.select_related("did")} == {DIDStatus.IN_STOCK}
