import pytest

from customers import services
from customers.models import ApiToken
from customers.tests.factories import CustomerFactory


@pytest.mark.django_db
def test_customer_create_refuses_a_duplicate_slug():
    services.customer_create(slug="acme", name="Acme")
    with pytest.raises(services.CustomerError, match="'acme' already exists"):
        services.customer_create(slug="acme", name="Acme again")


@pytest.mark.django_db
def test_customer_create_refuses_an_unknown_time_zone():
    with pytest.raises(services.CustomerError, match="time_zone"):
        services.customer_create(slug="acme", name="Acme", time_zone="Mars/Olympus")


@pytest.mark.django_db
def test_issued_token_is_stored_only_as_a_digest_and_authenticates():
    customer = CustomerFactory()
    issued = services.api_token_issue(customer=customer, name="crm")
    stored = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.raw not in {stored.digest, stored.prefix}
    assert issued.raw.startswith(stored.prefix)
    assert services.api_token_authenticate(raw_token=issued.raw) == stored
    assert ApiToken.objects.get(pk=stored.pk).last_used_at is not None


@pytest.mark.django_db
def test_revoked_token_and_inactive_customer_do_not_authenticate():
    customer = CustomerFactory()
    first = services.api_token_issue(customer=customer, name="one")
    second = services.api_token_issue(customer=customer, name="two")
    services.api_token_revoke(token=first.token)
    assert services.api_token_authenticate(raw_token=first.raw) is None
    assert services.api_token_authenticate(raw_token=second.raw) is not None
    customer.is_active = False
    customer.save()
    assert services.api_token_authenticate(raw_token=second.raw) is None
    assert services.api_token_authenticate(raw_token="dt_nonsense") is None


@pytest.mark.django_db
def test_active_token_names_are_unique_per_customer_but_a_revoked_name_can_be_reused():
    customer = CustomerFactory()
    token = services.api_token_issue(customer=customer, name="crm").token
    with pytest.raises(services.CustomerError, match="already exists"):
        services.api_token_issue(customer=customer, name="crm")
    services.api_token_revoke(token=token)
    assert services.api_token_issue(customer=customer, name="crm").token.is_active
