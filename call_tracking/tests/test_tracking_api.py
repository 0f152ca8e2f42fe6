"""The v3 numberpools API: seed 002's examples as written, and every refusal."""

import copy

import pytest
from rest_framework.test import APIClient

from call_tracking.models import TrackingNumber, TrackingPool, TrackingPoolStatus
from call_tracking.tests.seed_002 import SEED_EXAMPLES
from customers import services as customer_services
from customers.tests.factories import CustomerFactory
from dids.models import DID, DIDStatus

pytestmark = pytest.mark.django_db

EXAMPLE = SEED_EXAMPLES[0][1]


def shape(value):
    """The structure of a JSON value: keys (in order) and value types, not the values."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


@pytest.mark.parametrize(("title", "request_body", "seed_response"), SEED_EXAMPLES, ids=[e[0] for e in SEED_EXAMPLES])
def test_seed_example_is_accepted_as_written_and_answers_in_the_seed_shape(
    api, pools_url, stock, api_customer, title, request_body, seed_response
):
    response = api.post(pools_url, request_body, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    # The seed's keys in its order, then this product's extensions.
    assert list(body) == [*seed_response, "public_key", "site_domains", "exhaustion_policy"]
    assert shape({key: body[key] for key in seed_response}) == shape(seed_response)
    assert body["group_id"] == api_customer.pk
    assert body["name"] == request_body["name"]
    for field in ("status", "match_period", "quantity", "sms_routes", "call_routes", "replacement_configuration"):
        assert body[field] == seed_response[field], field
    # The seed's numbers are in stock: the same three are picked, in the same order.
    assert [n["phone_number"] for n in body["numbers"]] == [n["phone_number"] for n in seed_response["numbers"]]
    pool = TrackingPool.objects.get(pk=body["id"])
    assert [n["id"] for n in body["numbers"]] == list(pool.numbers.order_by("did__number").values_list("pk", flat=True))
    assigned = DID.objects.filter(number__in=[n["phone_number"] for n in body["numbers"]])
    assert {(d.status, d.customer_id) for d in assigned} == {(DIDStatus.ASSIGNED, api_customer.pk)}


def test_defaults_are_filled_as_the_seed_shows(api, pools_url, stock):
    body = api.post(pools_url, EXAMPLE, format="json").json()
    source = body["replacement_configuration"]["tracking_sources"][0]
    assert source == {"referrer_domain": "Any", "url_triggers": ["gclid=*"], "track_organic": False}
    assert body["replacement_configuration"]["replace_all_numbers"] is False
    assert body["sms_routes"] == {"route_type": "None"}


def test_percent_wildcard_and_the_singular_alias_are_accepted(api, api_customer, stock):
    request = copy.deepcopy(EXAMPLE)
    request["replacement_configuration"]["tracking_sources"][0]["url_triggers"] = ["gclid=%"]
    response = api.post(f"/v3/api/groups/{api_customer.pk}/numberpool", request, format="json")
    assert response.status_code == 201, response.content
    pool_id = response.json()["id"]
    assert api.get(f"/v3/api/groups/{api_customer.pk}/numberpool/{pool_id}").json()["replacement_configuration"][
        "tracking_sources"
    ][0]["url_triggers"] == ["gclid=%"]


def test_unknown_fields_are_ignored(api, pools_url, stock):
    request = copy.deepcopy(EXAMPLE)
    request["color"] = "blue"
    request["phone_number_request"]["vanity"] = "CARS"
    request["sms_routes"] = {"route_type": "None"}
    assert api.post(pools_url, request, format="json").status_code == 201


def test_list_read_update_and_delete(api, pools_url, stock, api_customer):
    created = api.post(pools_url, EXAMPLE, format="json").json()
    url = f"{pools_url}/{created['id']}"

    listed = api.get(pools_url).json()
    assert listed["count"] == 1 and listed["results"] == [created]
    assert api.get(url).json() == created

    update = {
        "name": "Renamed",
        "match_period": 45,
        "replacement_configuration": {
            "numbers_to_replace": [],
            "replace_all_numbers": True,
            "tracking_sources": [{"referrer_domain": "google", "url_triggers": ["utm_campaign=wintertires"]}],
        },
        "call_routes": {"route_type": "basic", "route": {"termination_number": "+44 117 496 0000"}},
    }
    updated = api.patch(url, update, format="json")
    assert updated.status_code == 200, updated.content
    body = updated.json()
    assert body["name"] == "Renamed" and body["match_period"] == 45
    assert body["replacement_configuration"] == {
        "numbers_to_replace": [],
        "tracking_sources": [
            {"referrer_domain": "Google", "url_triggers": ["utm_campaign=wintertires"], "track_organic": False}
        ],
        "replace_all_numbers": True,
    }
    assert body["call_routes"] == {"route_type": "Basic", "route": {"termination_number": "+441174960000"}}
    assert body["numbers"] == created["numbers"]

    # PUT with the whole seed body: numbers do not change (they change through /numbers).
    put = api.put(url, EXAMPLE, format="json")
    assert put.status_code == 200 and put.json()["numbers"] == created["numbers"]

    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    assert api.get(pools_url).json()["count"] == 0
    numbers = [n["phone_number"] for n in created["numbers"]]
    assert set(DID.objects.filter(number__in=numbers).values_list("status", "customer")) == {(DIDStatus.IN_STOCK, None)}
    assert TrackingPool.objects.get(pk=created["id"]).status == TrackingPoolStatus.DELETED
    # The name is free again.
    assert api.post(pools_url, EXAMPLE, format="json").status_code == 201


def test_numbers_are_added_and_removed(api, pools_url, stock):
    created = api.post(pools_url, EXAMPLE, format="json").json()
    numbers_url = f"{pools_url}/{created['id']}/numbers"

    added = api.post(numbers_url, {"quantity": 1}, format="json")
    assert added.status_code == 201, added.content
    assert added.json()["quantity"] == 4
    assert "+441174090170" in [n["phone_number"] for n in added.json()["numbers"]]

    other = api.post(
        numbers_url,
        {"quantity": 1, "phone_number_request": {"match_type": "tollfree", "iso_country": "GB"}},
        format="json",
    )
    assert other.status_code == 201 and other.json()["quantity"] == 5

    first = created["numbers"][0]
    assert api.get(f"{numbers_url}/{first['id']}").json() == first
    assert api.delete(f"{numbers_url}/{first['id']}").status_code == 204
    assert DID.objects.get(number=first["phone_number"]).status == DIDStatus.IN_STOCK
    removed = api.delete(numbers_url, {"phone_number": created["numbers"][1]["phone_number"]}, format="json")
    assert removed.status_code == 200
    assert removed.json()["quantity"] == 3
    assert api.get(f"{numbers_url}/{first['id']}").status_code == 404
    assert len(api.get(numbers_url).json()) == 3


def _with(path: str, value):
    request = copy.deepcopy(EXAMPLE)
    *parents, last = path.split(".")
    target = request
    for part in parents:
        target = target[part]
    if value is _DELETE:
        del target[last]
    else:
        target[last] = value
    return request


_DELETE = object()

INVALID = [
    ("replacement_configuration.replace_all_numbers", True, ["replacement_configuration", "replace_all_numbers"]),
    ("phone_number_request.city", _DELETE, ["phone_number_request", "city"]),
    ("phone_number_request.match_type", "mobile", ["phone_number_request", "match_type"]),
    ("phone_number_request.number_type", "domestic", ["phone_number_request", "number_type"]),
    ("phone_number_request.iso_country", "XX", ["phone_number_request", "iso_country"]),
    ("phone_number_request.area_code", "0x4", ["phone_number_request", "city"]),
    ("call_routes.route_type", "Advanced", ["call_routes", "route_type"]),
    ("call_routes.route.termination_number", "+44123", ["call_routes", "route", "termination_number"]),
    ("call_routes.route.termination_number", "not a number", ["call_routes", "route", "termination_number"]),
    ("quantity", 0, ["quantity"]),
    ("quantity", 101, ["quantity"]),
    ("quantity", _DELETE, ["quantity"]),
    ("name", "", ["name"]),
    ("match_period", 0, ["match_period"]),
    ("replacement_configuration.numbers_to_replace", ["12"], ["replacement_configuration", "numbers_to_replace"]),
    (
        "replacement_configuration.tracking_sources",
        [{"referrer_domain": "not a domain"}],
        ["replacement_configuration", "tracking_sources"],
    ),
    (
        "replacement_configuration.tracking_sources",
        [{"referrer_domain": "Any", "url_triggers": ["has space=1"]}],
        ["replacement_configuration", "tracking_sources"],
    ),
]


@pytest.mark.parametrize(("path", "value", "error_path"), INVALID, ids=[f"{p}={v!r}" for p, v, _ in INVALID])
def test_invalid_request_is_400_naming_the_field_and_changes_nothing(api, pools_url, stock, path, value, error_path):
    if path == "phone_number_request.area_code":
        request = _with("phone_number_request.city", _DELETE)
        request["phone_number_request"]["area_code"] = value
        error_path = ["phone_number_request", "area_code"]
    else:
        request = _with(path, value)
    response = api.post(pools_url, request, format="json")

    assert response.status_code == 400, response.content
    errors = response.json()
    for key in error_path:
        assert key in errors, (error_path, errors)
        errors = errors[key]
    assert TrackingPool.objects.count() == 0
    assert not DID.objects.filter(status=DIDStatus.ASSIGNED).exists()


def test_geographic_request_with_neither_city_nor_area_code_says_so(api, pools_url, stock):
    response = api.post(pools_url, _with("phone_number_request.city", _DELETE), format="json")
    assert "area_code" in response.json()["phone_number_request"]["city"][0]


def test_maximum_quantity_is_a_setting(api, pools_url, stock, settings):
    settings.TRACKING_POOL_MAX_QUANTITY = 2
    response = api.post(pools_url, EXAMPLE, format="json")
    assert response.status_code == 400
    assert "2" in response.json()["quantity"][0]


def test_duplicate_name_is_400(api, pools_url, stock):
    assert api.post(pools_url, EXAMPLE, format="json").status_code == 201
    again = api.post(pools_url, _with("phone_number_request.city", "Coventry"), format="json")
    assert again.status_code == 400 and "already exists" in again.json()["name"][0]


@pytest.mark.parametrize(
    ("setup", "request_change", "message"),
    [
        ("none", None, "Only 3 matching"),
        ("none", ("quantity", 5), "Only 4 matching"),
        ("no_package", None, "no active client package"),
        ("small_package", None, "room"),
    ],
)
def test_provisioning_refusal_is_409_saying_which_and_changes_nothing(
    api, pools_url, stock, api_customer, setup, request_change, message
):
    request = copy.deepcopy(EXAMPLE)
    if setup == "none" and request_change is None:
        # Someone else holds one of Bristol's four numbers: three left, four asked.
        request["quantity"] = 4
        DID.objects.filter(number="+441174090170").update(status=DIDStatus.RESERVED)
    elif request_change:
        request[request_change[0]] = request_change[1]
    if setup == "no_package":
        api_customer.client_packages.update(active=False)
    if setup == "small_package":
        from dids.models import Package

        Package.objects.filter(client_packages__customer=api_customer).update(did_limit=2)
    response = api.post(pools_url, request, format="json")

    assert response.status_code == 409, response.content
    assert message in response.json()["detail"]
    assert TrackingPool.objects.count() == 0
    assert not DID.objects.filter(status=DIDStatus.ASSIGNED).exists()


def test_area_code_is_matched_with_or_without_the_trunk_prefix(api, pools_url, stock):
    request = _with("phone_number_request.city", _DELETE)
    request["phone_number_request"]["area_code"] = "24"
    request["quantity"] = 4
    body = api.post(pools_url, request, format="json").json()
    assert all(n["phone_number"].startswith("+4424") for n in body["numbers"])


def test_city_is_case_insensitive(api, pools_url, stock):
    response = api.post(pools_url, _with("phone_number_request.city", "BRISTOL"), format="json")
    assert response.status_code == 201


def test_no_token_or_bad_token_is_401(pools_url, stock):
    client = APIClient()
    assert client.get(pools_url).status_code == 401
    assert client.post(pools_url, EXAMPLE, format="json").status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Bearer nope")
    assert client.get(pools_url).status_code == 401


def test_another_customers_group_and_pool_are_404(api, pools_url, stock, api_customer):
    created = api.post(pools_url, EXAMPLE, format="json").json()
    mallory = CustomerFactory()
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {customer_services.api_token_issue(customer=mallory, name='m').raw}")
    assert other.get(pools_url).status_code == 404
    assert other.post(pools_url, EXAMPLE, format="json").status_code == 404
    assert other.get(f"{pools_url}/{created['id']}").status_code == 404
    assert other.delete(f"{pools_url}/{created['id']}").status_code == 404
    # Mallory's own customer (its group id) does not reach Alice's pool either.
    assert other.get(f"/v3/api/groups/{mallory.pk}/numberpools/{created['id']}").status_code == 404
    assert TrackingNumber.objects.filter(pool_id=created["id"], removed_at__isnull=True).count() == 3


def test_list_runs_a_fixed_number_of_queries(api, pools_url, stock, django_assert_max_num_queries):
    for n, city in enumerate(["Bristol", "Coventry"]):
        request = _with("phone_number_request.city", city)
        request["name"] = f"Pool {n}"
        request["quantity"] = 2
        api.post(pools_url, request, format="json")
    with django_assert_max_num_queries(6):
        assert len(api.get(pools_url).json()["results"]) == 2


def test_the_api_is_in_the_openapi_schema(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert any(path.startswith("/v3/api/groups/") for path in paths)


def test_update_refusals_name_the_field_and_change_nothing(api, pools_url, stock):
    first = api.post(pools_url, EXAMPLE, format="json").json()
    second = api.post(pools_url, {**_with("phone_number_request.city", "Coventry"), "name": "Other"}, format="json")
    url = f"{pools_url}/{second.json()['id']}"

    clash = api.patch(url, {"name": first["name"]}, format="json")
    assert clash.status_code == 400 and "already exists" in clash.json()["name"][0]
    # PATCH merges: turning on replace_all_numbers while numbers_to_replace stays set is refused.
    both = api.patch(url, {"replacement_configuration": {"replace_all_numbers": True}}, format="json")
    assert both.status_code == 400
    assert "replace_all_numbers" in both.json()["replacement_configuration"]
    bad_route = api.patch(
        url, {"call_routes": {"route_type": "Basic", "route": {"termination_number": "12"}}}, format="json"
    )
    assert "termination_number" in bad_route.json()["call_routes"]["route"]
    assert api.get(url).json() == second.json()


def test_remove_by_id_in_the_body_and_unknown_number_is_404(api, pools_url, stock):
    created = api.post(pools_url, EXAMPLE, format="json").json()
    numbers_url = f"{pools_url}/{created['id']}/numbers"
    assert api.delete(numbers_url, {"id": created["numbers"][0]["id"]}, format="json").json()["quantity"] == 2
    assert api.delete(numbers_url, {"phone_number": "+441619998877"}, format="json").status_code == 404
    assert api.delete(numbers_url, {}, format="json").status_code == 400


def test_adding_more_numbers_than_in_stock_is_409_and_changes_nothing(api, pools_url, stock):
    created = api.post(pools_url, EXAMPLE, format="json").json()
    response = api.post(f"{pools_url}/{created['id']}/numbers", {"quantity": 2}, format="json")
    assert response.status_code == 409 and "Only 1 matching" in response.json()["detail"]
    assert api.get(f"{pools_url}/{created['id']}").json()["quantity"] == 3
    assert DID.objects.get(number="+441174090170").status == DIDStatus.IN_STOCK
