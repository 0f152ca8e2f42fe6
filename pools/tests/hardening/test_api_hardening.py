"""Issue 17: requests that gave a 500 or got around a limit, and the pool API's contract."""

import copy

import pytest

from pools.tests.tracking.seed_002 import SEED_EXAMPLES

pytestmark = pytest.mark.django_db

EXAMPLE = SEED_EXAMPLES[0][1]


@pytest.fixture
def pool_url(api, pools_url, stock):
    response = api.post(pools_url, EXAMPLE, format="json")
    assert response.status_code == 201, response.content
    return f"{pools_url}/{response.json()['id']}"


@pytest.mark.parametrize(
    ("method", "body", "error_path"),
    [
        ("patch", {"call_routes": {"route_type": "Basic"}}, ("call_routes", "route")),
        ("put", {"call_routes": {"route_type": "Basic", "route": {}}}, ("call_routes", "route", "termination_number")),
        ("patch", {"replacement_configuration": {"tracking_sources": [{}]}}, ("replacement_configuration",)),
    ],
)
def test_a_partial_update_validates_nested_objects_whole(api, pool_url, method, body, error_path):
    before = api.get(pool_url).json()
    response = getattr(api, method)(pool_url, body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()
    for key in error_path:
        error = error[key]
    assert error
    assert api.get(pool_url).json() == before
