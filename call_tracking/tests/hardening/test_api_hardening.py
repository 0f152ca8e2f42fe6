"""Issue 17: requests that gave a 500 or got around a limit, and the pool API's contract."""

import copy

import pytest

from call_tracking.tests.seed_002 import SEED_EXAMPLES

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


def test_deeply_nested_json_is_400_on_every_json_endpoint(api, pools_url, pool_url, settings):
    deep = "[" * 5000 + "]" * 5000
    for method, url in (("post", pools_url), ("patch", pool_url), ("post", "/api/campaigns/")):
        response = getattr(api, method)(url, data=deep, content_type="application/json")
        assert response.status_code == 400, (url, response.content)
        assert "nested deeper" in response.json()["detail"]
    # Within the decoder's reach but deeper than the setting: refused the same way.
    settings.API_MAX_JSON_DEPTH = 5
    response = api.patch(pool_url, {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}, format="json")
    assert response.status_code == 400 and "5 levels" in response.json()["detail"]


def test_an_oversize_body_is_a_json_413(api, pools_url, settings):
    response = api.post(
        pools_url, data="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "url", "body", "status"),
    [
        ("get", "/api/no-such-thing/", None, 404),
        ("get", "/v3/api/groups/999999/numberpools", None, 404),
        ("post", "/v3/api/groups/{api_customer}/numberpools", {"name": ""}, 400),
        ("post", "/v3/api/groups/{api_customer}/numberpools", "not json", 400),
        ("delete", "/v3/api/groups/{api_customer}/numberpools", None, 405),
    ],
)
def test_every_api_error_is_the_json_envelope(api, api_customer, method, url, body, status):
    url = url.format(api_customer=api_customer.pk)
    kwargs = (
        {"data": body, "content_type": "application/json"}
        if isinstance(body, str)
        else {"data": body, "format": "json"}
    )
    response = getattr(api, method)(url, **kwargs)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]


def test_a_field_error_keeps_its_field_beside_the_detail(api, pools_url, stock):
    response = api.post(pools_url, {**EXAMPLE, "name": " "}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] and response.json()["name"] == ["This field may not be blank."]


def test_an_unauthenticated_request_is_the_envelope_too(pools_url):
    from rest_framework.test import APIClient

    response = APIClient().get(pools_url)
    assert response.status_code == 401 and response.json()["detail"]


def test_deeply_nested_json_to_the_dni_endpoint_is_400(client):
    response = client.post("/v3/api/dni/anykey", data="[" * 5000 + "]" * 5000, content_type="application/json")
    assert response.status_code in (400, 404)
    assert response["Content-Type"] == "application/json"


def test_the_rest_api_is_throttled_per_token_with_retry_after(api, api_customer, pools_url, settings):
    from django.core.cache import cache
    from rest_framework.test import APIClient

    from customers import services as customer_services

    cache.clear()
    settings.API_RATE = "3/min"
    assert [api.get(pools_url).status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = api.get("/api/account/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"]
    # Another token of the same customer has its own allowance.
    other = APIClient()
    other.credentials(
        HTTP_AUTHORIZATION=f"Bearer {customer_services.api_token_issue(customer=api_customer, name='2').raw}"
    )
    assert other.get(pools_url).status_code == 200
    settings.API_RATE = ""
    assert api.get(pools_url).status_code == 200  # no limit configured


def test_pool_responses_carry_what_the_dni_snippet_needs(api, pools_url, stock):
    from call_tracking.models import TrackingPool

    created = api.post(pools_url, {**EXAMPLE, "site_domains": ["example.com"]}, format="json").json()
    pool = TrackingPool.objects.get(pk=created["id"])
    for body in (created, api.get(f"{pools_url}/{pool.pk}").json(), api.get(pools_url).json()["results"][0]):
        assert body["public_key"] == pool.public_key
        assert body["site_domains"] == ["example.com"]
        assert body["exhaustion_policy"] == pool.exhaustion_policy


def test_the_schema_documents_the_paginated_pool_list(client):
    import yaml

    schema = yaml.safe_load(client.get("/api/schema/").content)
    operation = schema["paths"]["/v3/api/groups/{group_id}/numberpools/"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    page = schema["components"]["schemas"][ref]
    assert set(page["properties"]) == {"count", "next", "previous", "results"}
    pool = schema["components"]["schemas"][page["properties"]["results"]["items"]["$ref"].rsplit("/", 1)[-1]]
    assert {"public_key", "site_domains", "exhaustion_policy"} <= set(pool["properties"])


def test_a_pool_with_a_number_in_hold_does_not_report_active(api, pools_url, pool_url):
    import datetime

    from django.utils import timezone

    from dids.models import DID, DIDStatus

    number = api.get(pool_url).json()["numbers"][0]["phone_number"]
    now = timezone.now()
    # What deactivating the client package does to the number (the DID lifecycle's own tests cover that).
    DID.objects.filter(number=number).update(
        status=DIDStatus.HOLD, hold_started_at=now, hold_ends_at=now + datetime.timedelta(days=30)
    )
    assert api.get(pool_url).json()["status"] == "hold"
    assert api.get(pools_url).json()["results"][0]["status"] == "hold"


@pytest.mark.parametrize("match_type", ["tollfree", "national"])
def test_a_city_sent_with_a_tollfree_or_national_request_is_ignored(api, pools_url, stock, match_type):
    request = copy.deepcopy(EXAMPLE)
    request["phone_number_request"].update(match_type=match_type, city="Bristol", region="Avon", area_code="")
    response = api.post(pools_url, request, format="json")
    assert response.status_code == 201, response.content
    prefix = "+44800" if match_type == "tollfree" else "+44330"
    assert all(n["phone_number"].startswith(prefix) for n in response.json()["numbers"])


def test_a_city_without_its_region_matches_the_stored_city_and_region(api, api_customer, pools_url):
    from dids.services import did_create_many, operator_get_or_create

    operator, _ = operator_get_or_create(name="US operator")
    did_create_many(specs=["+12125550100", "+12127363100"], operator=operator)
    request = copy.deepcopy(EXAMPLE)
    request["phone_number_request"] = {"match_type": "geographic", "iso_country": "US", "city": "New York"}
    request.update(quantity=2, replacement_configuration={"numbers_to_replace": [], "tracking_sources": []})
    response = api.post(pools_url, request, format="json")
    assert response.status_code == 201, response.content
    assert {n["phone_number"] for n in response.json()["numbers"]} == {"+12125550100", "+12127363100"}


@pytest.mark.parametrize("area_code", ["0", "00", "(0)"])
def test_an_area_code_of_zeros_is_400(api, pools_url, stock, area_code):
    request = copy.deepcopy(EXAMPLE)
    request["phone_number_request"].update(city="", area_code=area_code)
    response = api.post(pools_url, request, format="json")
    assert response.status_code == 400, response.content
    assert "area code" in response.json()["phone_number_request"]["area_code"][0]


def test_a_pool_body_that_is_not_json_is_415_not_ignored(api, pool_url):
    """A form cannot carry the nested objects: DRF read a form's call_routes as "not given" and answered 200."""
    before = api.get(pool_url).json()
    response = api.patch(pool_url, {"call_routes.route.termination_number": "+441174090999"}, format="multipart")
    assert response.status_code == 415
    assert response.json()["detail"].startswith("Unsupported media type")
    assert api.get(pool_url).json() == before
