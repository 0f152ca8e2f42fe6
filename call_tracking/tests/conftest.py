import pytest
from rest_framework.test import APIClient

from customers import services as customer_services
from dids.services import client_package_create, did_create_many, operator_get_or_create
from dids.tests.factories import PackageFactory

# Stock for every example of seed 002: Bristol (city), Coventry (area code 024),
# toll-free 0800 and national 0330 numbers, plus decoys that must not be picked.
STOCK = [
    "+441174090162",
    "+441174090163",
    "+441174090165",
    "+441174090170",
    "+442477180193",
    "+442477180194",
    "+442477180209",
    "+442477180210",
    "+448000885644",
    "+448000885645",
    "+448000885650",
    "+448000885651",
    "+443308180609",
    "+443308180610",
    "+443308180611",
    "+443308180612",
    "+441619998877",  # Manchester
    "+447700900123",  # mobile
]


@pytest.fixture
def stock(db):
    operator, _ = operator_get_or_create(name="Seed operator")
    did_create_many(specs=STOCK, operator=operator)
    return STOCK


@pytest.fixture
def api_customer(customer):
    """The customer (the seed's "group", in the API's URLs) with an active client package of 50 DIDs."""
    client_package_create(customer=customer, package=PackageFactory(did_limit=50))
    return customer


@pytest.fixture
def api(api_customer):
    client = APIClient()
    token = customer_services.api_token_issue(customer=api_customer, name="tracking tests").raw
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def pools_url(api_customer):
    return f"/v3/api/groups/{api_customer.pk}/numberpools"
