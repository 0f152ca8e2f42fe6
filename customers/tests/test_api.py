import pytest
from rest_framework.test import APIClient

from customers import services


@pytest.fixture
def api():
    return APIClient()


def test_account_needs_a_token(api, db):
    response = api.get("/api/account/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_or_revoked_token_is_401(api, customer):
    issued = services.api_token_issue(customer=customer, name="x")
    services.api_token_revoke(token=issued.token)
    for raw in ["dt_wrong", issued.raw]:
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert api.get("/api/account/").status_code == 401


def test_account_answers_with_the_tokens_customer(api, customer):
    issued = services.api_token_issue(customer=customer, name="x")
    api.credentials(HTTP_AUTHORIZATION=f"Token {issued.raw}")
    response = api.get("/api/account/")
    assert response.status_code == 200
    assert response.json() == {
        "group_id": customer.pk,
        "name": customer.name,
        "slug": customer.slug,
        "time_zone": customer.time_zone,
    }
