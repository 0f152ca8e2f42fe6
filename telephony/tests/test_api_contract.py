"""Schemathesis over ``/api/schema/``: every operation, every check, a valid token of a customer with data.

Fails on any 5xx, a response that does not match the schema, an undocumented
status code or content type, accepted invalid input or refused valid input.
Each operation gets fresh data (a pool with its numbers, a campaign, a list,
an app, a DNC entry) with known ids (sequences reset), and the path ids name
that data, so the examples reach the code behind a 200, not only the 404 of an
unknown id. Bounded: ``MAX_EXAMPLES`` per operation keeps the run to a few
minutes on two cores.
"""

import json

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis.checks import CHECKS, load_all_checks, positive_data_acceptance
from schemathesis.generation import GenerationMode

from call_tracking.tests.conftest import STOCK
from call_tracking.tests.test_tracking_api import EXAMPLE
from customers import services as customer_services

MAX_EXAMPLES = 10
CAMPAIGN_DID = 19  # the id of the DID the world's campaign calls from
PUBLIC_KEY = "contract-public-key"
# The ids of the data below: every table's sequence starts at 1 for each operation.
PARAMETERS = {
    "group_id": 1,
    "numberpool_id": 1,
    "tracking_number_id": 1,
    "campaign_id": 1,
    "list_id": 2,  # the campaign's own list is 1
    "app_id": 1,
    "entry_id": 1,
    "upload_id": 1,
    "public_key": PUBLIC_KEY,
}

# Fields whose valid values JSON Schema cannot state (a valid phone number, the id of one of the
# customer's objects): a schema-valid example names the customer's data there.
VALID_FIELDS = {
    "number": "+441174090100",
    "phone_number": "+441174090162",
    "termination_number": "+441274792823",
    "app": 1,
    "distribution_list": 1,
    "a_number": f"did:{CAMPAIGN_DID}",
    "variable_mapping": {"name": "name", "code": "code"},  # the app's variables → the list's columns
}
# Operations where a 400 naming the fields is still the right answer to some schema-valid input, found by
# running without this list: each is a rule JSON Schema cannot state, and the fields (with a piece of the
# message) it may name; None: any field. Every other check runs on them, a 400 naming anything else fails as
# refused valid input, and their 400 must be the envelope. The rest of the API accepts whatever its schema
# allows: blank-after-trim strings, ISO country codes, choices, date-times, the DELETE body's "id or
# phone_number", a geographic request's "city or area_code", the DNI text and the campaign contract's types,
# ranges, patterns, time zones and "without all_day, the hours and a weekday" are stated in the schema
# (telephony.api_schema.AutoSchema; area codes as a subset valid in every country).
CAMPAIGN_RULES_BEYOND_JSON_SCHEMA = {
    # a name unique among the customer's campaigns (stored data); a work period whose end differs from its
    # start (JSON Schema cannot compare two values)
    "name": "you already have a campaign named",
    "work_end": "the end must differ from the start",
}
BEYOND_THE_SCHEMA: dict[str, dict[str, str] | None] = {
    "POST /api/campaigns/": CAMPAIGN_RULES_BEYOND_JSON_SCHEMA,
    "PATCH /api/campaigns/{campaign_id}/": CAMPAIGN_RULES_BEYOND_JSON_SCHEMA,
    # the file's bytes must be a readable sheet or CSV (the schema can only say "binary"); the phone column
    # must exist in that file and the list's name must be unused
    "POST /api/distribution-lists/": None,
    "POST /api/dnc/upload/": None,
}

load_all_checks()
ALL_CHECKS = CHECKS.get_all()


def beyond_the_schema(label: str, response) -> bool:
    """A 400 whose fields all name rules the schema cannot state (``BEYOND_THE_SCHEMA``)."""
    if response.status_code != 400 or label not in BEYOND_THE_SCHEMA:
        return False
    rules = BEYOND_THE_SCHEMA[label]
    if rules is None:
        return True
    fields = {name: messages for name, messages in response.json().items() if name != "detail"}
    return bool(fields) and all(
        name in rules and all(rules[name] in message for message in messages) for name, messages in fields.items()
    )


def positive_data_acceptance_beyond_the_schema(ctx, response, case):
    """``positive_data_acceptance``, but a 400 naming only its operation's rules beyond the schema passes."""
    if beyond_the_schema(case.operation.label, response):
        return None
    return positive_data_acceptance(ctx, response, case)


# (The test's own body stays as it is: Hypothesis derives its examples' seed from that source.)
BUT_A_400 = [
    *(check for check in ALL_CHECKS if check is not positive_data_acceptance),
    positive_data_acceptance_beyond_the_schema,
]

schema = schemathesis.openapi.from_dict(
    json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True)))
)


def name_our_data(case) -> None:
    """A schema-valid example's ids and semantic fields name the customer's data (negative ones stay as made)."""
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return
    for name in case.path_parameters or {}:
        if name in PARAMETERS:
            case.path_parameters[name] = PARAMETERS[name]
    for name in case.query or {}:
        if name in VALID_FIELDS:
            case.query[name] = VALID_FIELDS[name]
    _name_fields(case.body)


def _name_fields(body) -> None:
    """``VALID_FIELDS`` at any depth of a body's objects (``call_routes.route.termination_number``)."""
    if isinstance(body, dict):
        for name, value in body.items():
            if name in VALID_FIELDS:
                body[name] = VALID_FIELDS[name]
            else:
                _name_fields(value)


def build_world(settings) -> str:
    """A customer with data behind every id of ``PARAMETERS`` (sequences reset); its API token."""
    from call_tracking.models import TrackingPool
    from campaigns.tests.factories import make_campaign
    from dids.services import client_package_create, did_create_many, operator_get_or_create
    from dids.tests.factories import PackageFactory
    from distribution_lists.tests.factories import DistributionListFactory
    from dnc import services as dnc_services

    # Thousands of requests from one token and one address: no rate limit here (tested on its own).
    settings.API_RATE = ""
    settings.TRACKING_DNI_IP_RATE = settings.TRACKING_DNI_VISITOR_RATE = ""
    operator, _ = operator_get_or_create(name="Seed operator")
    did_create_many(specs=STOCK, operator=operator)
    customer = customer_services.customer_create(slug="contract", name="Contract")
    client_package_create(customer=customer, package=PackageFactory(did_limit=50))
    token = customer_services.api_token_issue(customer=customer, name="schemathesis").raw
    # The telephone platform's endpoint takes its own token: the same one here, so its examples get past it.
    settings.TRACKING_PLATFORM_TOKEN = token
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    created = api.post(f"/v3/api/groups/{customer.pk}/numberpools", EXAMPLE, format="json")
    assert created.status_code == 201, created.content
    TrackingPool.objects.filter(pk=created.json()["id"]).update(public_key=PUBLIC_KEY)
    campaign = make_campaign(customer)
    other_list = DistributionListFactory(customer=customer)
    entry, _ = dnc_services.dnc_add(customer=customer, number="+442079460000", source="api")
    assert (customer.pk, campaign.pk, campaign.app_id, other_list.pk, entry.pk) == (1, 1, 1, 2, 1)
    assert campaign.a_number_did_id == CAMPAIGN_DID, campaign.a_number_did_id
    return token


@pytest.fixture
def api_world(django_db_reset_sequences, live_server, settings):
    """The base URL of a live server and the headers of the world's token."""
    return live_server.url, {"Authorization": f"Bearer {build_world(settings)}"}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same examples every run: a failure is reproducible, not a flake
    database=None,  # nothing written into the work tree
)
def test_api_matches_its_schema(case, api_world):
    base_url, headers = api_world
    name_our_data(case)
    response = case.call(base_url=base_url, headers=headers)
    checks = ALL_CHECKS
    if response.status_code == 400 and case.operation.label in BEYOND_THE_SCHEMA:
        checks = BUT_A_400
    case.validate_response(response, checks=checks, headers=headers)


def test_json_nested_too_deep_is_400_on_every_operation_that_reads_json(django_db_reset_sequences, settings):
    """Issue 17 item 4, as a class: every operation whose schema takes a JSON body, on the customer's data."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {build_world(settings)}")
    deep = "[" * 5000 + "]" * 5000
    operations = [
        (method, path)
        for path, item in schema.raw_schema["paths"].items()
        for method, operation in item.items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]
    assert len(operations) >= 8
    for method, path in operations:
        url = path.format(**PARAMETERS)
        response = getattr(client, method)(url, data=deep, content_type="application/json")
        assert response.status_code == 400, (method, path, response.content)
        assert "nested" in response.json()["detail"], (method, path)
