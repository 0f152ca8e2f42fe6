import pytest
from django.test import Client

from customers import services
from customers.tests.factories import CustomerFactory, UserFactory
from customers.tests.tenancy_walker import MARKER, discover_routes, walk


@pytest.fixture
def alice(db):
    return CustomerFactory(name=f"{MARKER} Alice")


@pytest.fixture
def bob_client(db):
    bob = CustomerFactory(name="Bob")
    client = Client()
    client.force_login(UserFactory(customer=bob))
    client.bob_token = services.api_token_issue(customer=bob, name="bob").raw
    return client


def test_no_dashboard_or_api_url_reaches_another_customers_objects(alice, bob_client):
    problems = walk(bob_client, alice, bob_token=bob_client.bob_token)
    assert problems == []


def test_walker_discovers_dashboard_urls_by_itself():
    names = {route.name for route in discover_routes()}
    assert {"dashboard:home", "dashboard:api_tokens", "dashboard:api_token_revoke"} <= names
    assert not any(name.startswith("admin:") for name in names)


def test_walker_catches_a_view_that_forgets_to_scope(alice, bob_client, settings):
    urlconf = "customers.tests.leaky_urls"
    settings.ROOT_URLCONF = urlconf
    problems = walk(bob_client, alice, urlconf=urlconf, bob_token=bob_client.bob_token)
    assert len(problems) == 2  # GET and POST of the leaky view, nothing else
    assert all("leaky:leaky_token" in problem and "answered 200" in problem for problem in problems)


def test_walker_refuses_a_url_argument_nobody_registered(alice, bob_client, settings, monkeypatch):
    from customers.tests import tenancy_walker

    monkeypatch.setattr(tenancy_walker, "MAKERS", {})
    monkeypatch.setattr(tenancy_walker, "autodiscover_modules", lambda *args: None)
    problems = walk(bob_client, alice, bob_token=bob_client.bob_token)
    assert any("no @alice_object for token_id" in problem for problem in problems)
