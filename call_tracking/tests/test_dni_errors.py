"""The DNI endpoint's errors, as production serves it (``telephony.wsgi``, before Django) and through
Django's URL: the API's one envelope (a JSON object with a ``detail`` string, field errors beside it),
never HTML, never a 500 for bad input."""

import json
from urllib.parse import urlencode

import pytest
from django.core.cache import cache

from call_tracking.models import DNISession
from call_tracking.tests.factories import TrackingPoolFactory
from call_tracking.tests.test_tracking_dni import FORM, PAID, _through_django, _through_wsgi
from telephony.api_errors import INVALID

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint():
    cache.clear()
    return f"/v3/api/dni/{TrackingPoolFactory(numbers=3, match_period=30).public_key}"


@pytest.fixture(params=["wsgi", "django"])
def send(request):
    return _through_wsgi if request.param == "wsgi" else _through_django


GOOD = {"visitor": "visitor-0001", "referrer": "https://www.google.com/", "url": PAID}


def _form(**fields) -> str:
    return urlencode({**GOOD, **fields})


def assert_envelope(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert isinstance(body, dict) and isinstance(body.get("detail"), str) and body["detail"], body
    return body


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"visitor": "short"}, "visitor"),
        ({"url": ""}, "url"),
        ({"url": "https://www.example.com/\x00"}, "url"),
        ({"url": PAID + "&n=\x00"}, "url"),  # a paid visit is stored: PostgreSQL refused the NUL (a 500)
        ({"referrer": "https://www.google.com/\x01"}, "referrer"),
    ],
)
def test_invalid_fields_are_400_in_the_envelope_naming_them(send, endpoint, fields, named):
    body = assert_envelope(send("POST", endpoint, _form(**fields), HTTP_ORIGIN="https://www.example.com"), 400)
    assert body["detail"] == INVALID
    assert isinstance(body[named], list) and body[named][0]
    assert not DNISession.objects.exists()


def test_a_missing_field_is_named(send, endpoint):
    body = assert_envelope(send("POST", endpoint, urlencode({"visitor": "visitor-0001"})), 400)
    assert body == {"detail": INVALID, "url": ["This field is required."]}


def test_a_lone_surrogate_in_json_is_400_not_a_database_error(send, endpoint):
    raw = '{"visitor": "visitor-0001", "url": "' + PAID + '&n=\\ud800"}'
    body = assert_envelope(send("POST", endpoint, raw, content_type="application/json"), 400)
    assert "url" in body


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("not json", "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ("[" * 5000 + "]" * 5000, "application/json", 400),
        ('{"visitor": 5, "url": ["x"]}', "application/json", 400),
        ("visitor=visitor-0001", "text/plain", 415),
        ("x" * 40_000, FORM, 413),
    ],
)
def test_bad_bodies_are_answered_in_the_envelope(send, endpoint, body, content_type, status):
    assert_envelope(send("POST", endpoint, body, content_type=content_type), status)


@pytest.mark.parametrize("key", ["not-a-key", "%00abc", "a" * 200, "caf%C3%A9", "x%27%20OR%201%3D1"])
def test_no_pools_key_is_404_in_the_envelope(send, key):
    assert assert_envelope(send("POST", f"/v3/api/dni/{key}", _form()), 404) == {"detail": "Not found."}


def test_wrong_method_forbidden_site_and_throttled_are_in_the_envelope(send, endpoint, settings):
    assert assert_envelope(send("GET", endpoint), 405)["detail"] == 'Method "GET" not allowed.'
    forbidden = send("POST", endpoint, _form(url="https://evil.test/"), HTTP_ORIGIN="https://evil.test")
    assert_envelope(forbidden, 403)
    settings.TRACKING_DNI_VISITOR_RATE = "1/min"
    send("POST", endpoint, _form())
    throttled = send("POST", endpoint, _form())
    assert assert_envelope(throttled, 429)["detail"].startswith("Request was throttled.")
    assert int(throttled["Retry-After"]) > 0


def test_a_content_length_that_is_no_number_is_400(endpoint):
    from django.test import RequestFactory

    from telephony.wsgi import application

    environ = RequestFactory().generic("POST", endpoint, _form(), content_type=FORM).environ
    environ["CONTENT_LENGTH"] = "lots"
    started = {}
    content = b"".join(application(environ, lambda status, headers: started.update(status=status, headers=headers)))
    assert started["status"] == "400 Bad Request"
    assert json.loads(content) == {"detail": "The Content-Length header is not a number."}
