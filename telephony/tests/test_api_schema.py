"""Issue 17 item 10: the OpenAPI schema says what the API accepts (what schemathesis relies on)."""

import datetime as dt
import json
import re

import pytest
from django.http import QueryDict
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from call_tracking import rules
from call_tracking.api.serializers import IncomingCallSerializer, NumberRemoveSerializer
from dnc.api.serializers import DncAddSerializer
from telephony.api_helpers import InstantField

NUMBERS = "/v3/api/groups/{group_id}/numberpools/{numberpool_id}/numbers/"


@pytest.fixture(scope="module")
def api_schema() -> dict:
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True)))


def component(api_schema, name: str) -> dict:
    return api_schema["components"]["schemas"][name]


def test_a_string_that_may_not_be_blank_needs_a_non_space(api_schema):
    called = component(api_schema, "IncomingCall")["properties"]["called"]
    assert called["minLength"] == 1
    assert not re.search(called["pattern"], " \t ")  # DRF strips it to blank and refuses it
    assert not re.search(called["pattern"], "0\x00")
    assert re.search(called["pattern"], " 0 ")
    # a field that may be blank: the empty string, or no NUL
    caller = component(api_schema, "IncomingCall")["properties"]["caller"]["oneOf"]
    assert caller[1] == {"type": "string", "maxLength": 0}
    assert re.search(caller[0]["pattern"], "  ") and not re.search(caller[0]["pattern"], "\x00")


def test_a_field_with_its_own_pattern_keeps_it(api_schema):
    assert component(api_schema, "Visit")["properties"]["visitor"]["pattern"] == "^[A-Za-z0-9_-]{8,64}$"


def test_dni_text_without_control_characters(api_schema):
    url = component(api_schema, "Visit")["properties"]["url"]["pattern"]
    assert re.search(url, "https://example.com/a")
    assert not re.search(url, "\x7f(")
    assert not re.search(url, "   ")


def test_file_fields_of_a_request_are_binary(api_schema):
    assert component(api_schema, "DncUpload")["properties"]["file"]["format"] == "binary"
    assert component(api_schema, "Upload")["properties"]["file"]["format"] == "binary"


def test_countries_and_choices_are_enums(api_schema):
    request = component(api_schema, "PhoneNumberRequest")["properties"]
    assert request["iso_country"]["allOf"] == [{"$ref": "#/components/schemas/CountryEnum"}]
    assert "GB" in component(api_schema, "CountryEnum")["enum"]
    assert component(api_schema, "MatchTypeEnum")["enum"] == list(rules.MATCH_TYPES)
    assert component(api_schema, "RouteTypeEnum")["enum"] == ["Basic"]


def test_delete_numbers_documents_its_body_id_or_phone_number(api_schema):
    body = api_schema["paths"][NUMBERS]["delete"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/NumberRemove"}
    remove = component(api_schema, "NumberRemove")
    assert remove["anyOf"] == [{"required": ["id"]}, {"required": ["phone_number"]}]
    assert remove["properties"]["id"]["minimum"] == 1
    assert not NumberRemoveSerializer(data={"id": 0}).is_valid()
    # a DELETE whose view declares no body has none
    deletes = [path for path, item in api_schema["paths"].items() if "requestBody" in item.get("delete", {})]
    assert deletes == [NUMBERS]


def test_replace_all_numbers_with_numbers_is_refused_by_the_schema_too(api_schema):
    rule = component(api_schema, "ReplacementConfiguration")["not"]
    assert rule["required"] == ["replace_all_numbers", "numbers_to_replace"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01T10:00:00+01:00", dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)),
        ("0001-01-01T00:00:00+01:00", dt.datetime.min.replace(tzinfo=dt.UTC)),
        ("9999-12-31T23:30:00-01:00", dt.datetime.max.replace(tzinfo=dt.UTC)),
    ],
)
def test_every_rfc3339_date_time_is_read(text, expected):
    assert InstantField().run_validation(text) == expected


def test_a_forms_null_text_is_null_and_its_empty_value_no_date_time():
    form = DncAddSerializer(data=QueryDict("number=%2B441174090100&expires_at=null"))
    assert form.is_valid(), form.errors
    assert form.validated_data["expires_at"] is None
    call = IncomingCallSerializer(data=QueryDict("called=0&time="))
    assert not call.is_valid()
    assert "time" in call.errors


def test_www_is_dropped_only_from_a_domain_that_stays_one():
    assert rules.normalise_domain("https://www.Example.com/x") == "example.com"
    assert rules.normalise_domain("www.co") == "www.co"


def test_a_geographic_request_names_a_city_or_an_area_code(api_schema):
    request = component(api_schema, "PhoneNumberRequest")
    assert request["anyOf"][0] == {"properties": {"match_type": {"not": {"enum": ["geographic"]}}}}
    assert [rule.get("required") for rule in request["anyOf"][1:]] == [["city"], ["area_code"]]
    area = request["properties"]["area_code"]["oneOf"][0]["pattern"]
    for country in ("GB", "US", "RU", "HU"):  # trunk prefixes 0, 1, 8, 06: none begins an area code here
        for text in ("20", " (212) ", "9-1"):
            assert re.search(area, text)
            assert rules.normalise_area_code(text, country)
    assert not re.search(area, "020") and not re.search(area, "000")
