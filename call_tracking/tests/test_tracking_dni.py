"""Dynamic number insertion: allocation, holding, extension, expiry, exhaustion, and the public endpoint."""

import datetime
import json
from unittest import mock
from urllib.parse import urlencode

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from call_tracking import services
from call_tracking.api import dni
from call_tracking.models import DNISession, ExhaustionPolicy, TrackingNumber
from call_tracking.tests.factories import TrackingPoolFactory
from telephony.wsgi import application

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
PAID = "https://www.example.com/offers?gclid=abc"
FORM = "application/x-www-form-urlencoded"


def minutes(n: float) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)


def visit(pool, visitor, url=PAID, referrer="https://www.google.com/"):
    return services.dni_visit(pool=pool, visitor_id=visitor, referrer=referrer, landing_url=url)


@pytest.fixture
def pool():
    return TrackingPoolFactory(numbers=3, match_period=30)


def numbers_of(pool):
    return list(TrackingNumber.objects.filter(pool=pool).order_by("pk"))


def test_never_held_numbers_first_then_the_least_recently_released(pool):
    n1, n2, n3 = numbers_of(pool)
    TrackingNumber.objects.filter(pk=n1.pk).update(held_until=T0 - minutes(5))
    TrackingNumber.objects.filter(pk=n3.pk).update(held_until=T0 - minutes(50))
    with time_machine.travel(T0, tick=False):
        assert visit(pool, "visitor-a").number == n2  # never held
        assert visit(pool, "visitor-b").number == n3  # released 50 minutes ago
        assert visit(pool, "visitor-c").number == n1  # released 5 minutes ago


def test_the_same_visitor_keeps_the_number_and_page_views_extend_the_hold(pool):
    with time_machine.travel(T0, tick=False):
        first = visit(pool, "visitor-a")
    assert first.session.expires_at == T0 + minutes(30)
    with time_machine.travel(T0 + minutes(20), tick=False):
        # A later page without the trigger: the visitor keeps the number.
        again = visit(pool, "visitor-a", url="https://www.example.com/contact", referrer="")
    assert again.number == first.number and again.session.pk == first.session.pk
    session = DNISession.objects.get(pk=first.session.pk)
    assert session.expires_at == T0 + minutes(50) and session.page_views == 2
    assert TrackingNumber.objects.get(pk=first.number.pk).held_until == T0 + minutes(50)
    # Held until then: two other visitors get the other numbers, not this one.
    with time_machine.travel(T0 + minutes(49), tick=False):
        others = {visit(pool, "visitor-b").number.pk, visit(pool, "visitor-c").number.pk}
    assert first.number.pk not in others and len(others) == 2


def test_a_hold_expires_after_the_match_period_without_page_views(pool):
    with time_machine.travel(T0, tick=False):
        first = visit(pool, "visitor-a")
        visit(pool, "visitor-b")
        visit(pool, "visitor-c")
    with time_machine.travel(T0 + minutes(30), tick=False):
        # Every hold ended at the same moment; the first released goes first (by id on a tie).
        newcomer = visit(pool, "visitor-d")
        assert newcomer.number == first.number and not newcomer.session.ambiguous
        # The old visitor has no session any more: a new page view starts a new one.
        back = visit(pool, "visitor-a")
        assert back.session.pk != first.session.pk and back.number != first.number
    assert DNISession.objects.filter(ambiguous=True).count() == 0


def test_exhausted_pool_reuses_the_least_recently_active_sessions_number_and_marks_both(pool):
    with time_machine.travel(T0, tick=False):
        a = visit(pool, "visitor-a")
    with time_machine.travel(T0 + minutes(1), tick=False):
        visit(pool, "visitor-b")
        visit(pool, "visitor-c")
    with time_machine.travel(T0 + minutes(2), tick=False):
        visit(pool, "visitor-a")  # a is now the most recently active
    with time_machine.travel(T0 + minutes(3), tick=False):
        d = visit(pool, "visitor-d")
    b = DNISession.objects.get(visitor_id="visitor-b")
    assert d.number.pk == b.number_id != a.number.pk
    assert d.session.ambiguous and DNISession.objects.get(pk=b.pk).ambiguous
    assert not DNISession.objects.get(pk=a.session.pk).ambiguous
    assert TrackingNumber.objects.get(pk=d.number.pk).held_until == T0 + minutes(33)


def test_exhausted_pool_with_replace_nothing_replaces_nothing(pool):
    pool.exhaustion_policy = ExhaustionPolicy.REPLACE_NOTHING
    pool.save()
    with time_machine.travel(T0, tick=False):
        for visitor in ("visitor-a", "visitor-b", "visitor-c"):
            assert visit(pool, visitor).replace
        answer = visit(pool, "visitor-d")
    assert not answer.replace and "in use" in answer.reason
    assert DNISession.objects.count() == 3 and not DNISession.objects.filter(ambiguous=True).exists()


def test_a_visit_no_source_matches_gets_nothing_and_holds_nothing(pool):
    answer = visit(pool, "visitor-a", url="https://www.example.com/")
    assert not answer.replace and "no tracking source" in answer.reason
    assert not DNISession.objects.exists()
    assert not TrackingNumber.objects.filter(held_until__isnull=False).exists()


def test_the_session_records_the_attribution(pool):
    answer = visit(pool, "visitor-a", url=PAID + "&utm_campaign=spring")
    session = answer.session
    assert session.source == "Google"
    assert session.referrer == "https://www.google.com/"
    assert session.url_params == {"gclid": "abc", "utm_campaign": "spring"}
    assert session.landing_url == PAID + "&utm_campaign=spring"


# --- the public endpoint --------------------------------------------------------------


@pytest.fixture
def endpoint(pool):
    cache.clear()
    return f"/v3/api/dni/{pool.public_key}"


@pytest.fixture(params=["wsgi", "django"])
def send(request):
    """A request to the endpoint as production serves it (``telephony.wsgi``, before Django's
    middleware), or through Django's URL (the test client, the live server): the same answers."""
    return _through_wsgi if request.param == "wsgi" else _through_django


def _through_django(method, path, body=b"", content_type=FORM, **headers):
    return Client().generic(method, path, body, content_type=content_type, **headers)


def _through_wsgi(method, path, body=b"", content_type=FORM, **headers):
    environ = RequestFactory().generic(method, path, body, content_type=content_type, **headers).environ
    started = {}
    # As Django's test client does: the test's transaction must outlive the request.
    with mock.patch.object(dni, "close_old_connections", lambda: None):
        content = b"".join(application(environ, lambda status, headers: started.update(status=status, headers=headers)))
    response = HttpResponse(content, status=int(started["status"].split()[0]))
    for name, value in started["headers"]:
        response[name] = value
    response.json = lambda: json.loads(content)
    return response


@pytest.fixture
def post(send):
    def post(endpoint_url, origin="https://www.example.com", **data):
        body = {"visitor": "visitor-0001", "referrer": "https://www.google.com/", "url": PAID, **data}
        headers = {"HTTP_ORIGIN": origin} if origin else {}
        return send("POST", endpoint_url, urlencode(body), **headers)

    return post


def test_endpoint_answers_the_number_and_what_it_replaces_with_cors_for_the_site(post, endpoint, pool):
    response = post(endpoint)
    assert response.status_code == 200, response.content
    body = response.json()
    held = DNISession.objects.get().number.did.number
    assert body["replace"] is True and body["tracking_number"] == held
    assert body["formats"]["e164"] == held and body["formats"]["national"].startswith("0117")
    assert body["replace_all_numbers"] is False
    assert body["numbers_to_replace"] == [{"number": "01011231234", "variants": ["01011231234", "441011231234"]}]
    assert response["Access-Control-Allow-Origin"] == "https://www.example.com"
    # A subdomain of a site domain is the site too; the visitor keeps the number.
    again = post(endpoint, origin="https://shop.example.com", url="https://shop.example.com/cart")
    assert again.json()["tracking_number"] == held


def test_endpoint_answers_no_replacement_when_no_source_matches(post, endpoint):
    body = post(endpoint, url="https://www.example.com/").json()
    assert body == {"replace": False, "reason": "no tracking source of this pool matches the visit"}


def test_a_preflight_is_answered_for_the_site_only(endpoint, send):
    ok = send("OPTIONS", endpoint, HTTP_ORIGIN="https://example.com")
    assert ok.status_code == 204 and ok["Access-Control-Allow-Origin"] == "https://example.com"
    other = send("OPTIONS", endpoint, HTTP_ORIGIN="https://evil.test")
    assert "Access-Control-Allow-Origin" not in other


@pytest.mark.parametrize(
    ("origin", "url"),
    [
        ("https://evil.test", PAID),  # another site's page asks with the key
        (None, "https://evil.test/?gclid=1"),  # a server asks for another site's page
        ("https://example.com.evil.test", PAID),
    ],
)
def test_endpoint_reveals_no_number_to_another_site(post, endpoint, origin, url):
    response = post(endpoint, origin=origin, url=url)
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response
    assert not DNISession.objects.exists()


def test_unknown_or_deleted_pool_key_is_404(post, endpoint, pool):
    assert post("/v3/api/dni/not-a-key").status_code == 404
    services.tracking_pool_delete(pool=pool)
    assert post(endpoint).status_code == 404


@pytest.mark.parametrize("visitor", ["", "short", "has spaces in it", "x" * 65])
def test_bad_visitor_id_is_400(post, endpoint, visitor):
    response = post(endpoint, visitor=visitor)
    assert response.status_code == 400 and "visitor" in response.json()


def test_rate_limits_per_visitor_and_per_address(post, endpoint, settings):
    settings.TRACKING_DNI_VISITOR_RATE = "2/min"
    settings.TRACKING_DNI_IP_RATE = "3/min"  # a refused request is not counted
    with time_machine.travel(T0 + datetime.timedelta(seconds=15), tick=False):
        assert [post(endpoint).status_code for _ in range(3)] == [200, 200, 429]
        # Another visitor from the same address: one more, then the address limit.
        statuses = [post(endpoint, visitor="visitor-0002") for _ in range(2)]
        assert [r.status_code for r in statuses] == [200, 429]
        assert statuses[1]["Retry-After"] == "45"
        assert "Access-Control-Allow-Origin" in statuses[1]  # the page's script can read the refusal
    with time_machine.travel(T0 + datetime.timedelta(seconds=61), tick=False):
        assert post(endpoint).status_code == 200  # a new window


def test_a_spoofed_forwarded_for_does_not_get_around_the_address_limit(send, endpoint, settings):
    settings.TRACKING_DNI_IP_RATE = "2/min"
    settings.TRACKING_DNI_VISITOR_RATE = None

    def post(visitor, forwarded):
        body = urlencode({"visitor": visitor, "url": PAID})
        return send("POST", endpoint, body, HTTP_ORIGIN="https://www.example.com", HTTP_X_FORWARDED_FOR=forwarded)

    with time_machine.travel(T0 + datetime.timedelta(seconds=15), tick=False):
        statuses = [post(f"visitor-{n:04}", f"10.0.0.{n}").status_code for n in range(3)]
    assert statuses == [200, 200, 429]  # the default: no proxy is trusted, the peer address counts


def test_the_address_behind_the_trusted_proxies_is_the_client(send, endpoint, settings):
    from rest_framework.settings import api_settings

    settings.TRACKING_DNI_IP_RATE = "1/min"
    settings.TRACKING_DNI_VISITOR_RATE = None
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    api_settings.reload()

    def post(forwarded):
        body = urlencode({"visitor": "visitor-0001", "url": PAID})
        return send("POST", endpoint, body, HTTP_ORIGIN="https://www.example.com", HTTP_X_FORWARDED_FOR=forwarded)

    try:
        with time_machine.travel(T0 + datetime.timedelta(seconds=15), tick=False):
            # The client wrote "1.1.1.1, 2.2.2.2"; our one proxy appended the address it saw.
            assert post("6.6.6.6, 203.0.113.7").status_code == 200
            assert post("7.7.7.7, 203.0.113.7").status_code == 429
            assert post("203.0.113.8").status_code == 200
    finally:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
        api_settings.reload()


def test_the_endpoint_needs_no_csrf_token_or_login(post, endpoint):
    client = Client(enforce_csrf_checks=True)
    body = urlencode({"visitor": "visitor-0001", "url": PAID})
    response = client.post(endpoint, body, content_type=FORM, HTTP_ORIGIN="https://example.com")
    assert response.status_code == 200


def test_the_pool_lookup_is_remembered_but_a_change_is_seen_at_once(post, endpoint, pool):
    assert post(endpoint).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert post(endpoint).status_code == 200
    assert not [q for q in queries.captured_queries if 'FROM "pools_trackingpool"' in q["sql"]]
    services.tracking_pool_update(pool=pool, site_domains=["other.example"])
    assert post(endpoint).status_code == 403


def test_a_json_body_is_read_like_a_form(endpoint, send):
    body = json.dumps({"visitor": "visitor-0001", "url": PAID, "unknown": "ignored"})
    response = send("POST", endpoint, body, content_type="application/json", HTTP_ORIGIN="https://example.com")
    assert response.status_code == 200 and response.json()["replace"] is True


@pytest.mark.parametrize(
    ("body", "content_type", "status", "field", "message"),
    [
        ("visitor=visitor-0001", FORM, 400, "url", "This field is required."),
        ("visitor=visitor-0001&url=", FORM, 400, "url", "This field may not be blank."),
        (f"visitor=visitor-0001&url={PAID}{'x' * 2000}", FORM, 400, "url", "Ensure this field has no more than 2000"),
        ('{"visitor": 12345678, "url": "x"}', "application/json", 400, "visitor", "Not a valid string."),
        ('{"visitor": ', "application/json", 400, "detail", "JSON parse error"),
        ("[1, 2]", "application/json", 400, "detail", "Expected a JSON object."),
        ("visitor", "text/plain", 415, "detail", 'Unsupported media type "text/plain"'),
        ("x" * 40_000, FORM, 413, "detail", "The request body is larger than"),
    ],
)
def test_bad_requests_say_what_is_wrong_and_change_nothing(endpoint, send, body, content_type, status, field, message):
    response = send("POST", endpoint, body, content_type=content_type, HTTP_ORIGIN="https://example.com")
    assert response.status_code == status
    said = response.json()[field]
    assert (said[0] if field != "detail" else said).startswith(message)
    assert not DNISession.objects.exists()


def test_other_methods_are_405(endpoint, send):
    response = send("GET", endpoint)
    assert response.status_code == 405 and response["Allow"] == "POST, OPTIONS"


def test_an_unexpected_failure_is_a_json_500_and_logged(endpoint, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(services, "dni_visit", broken)
    response = _through_wsgi("POST", endpoint, urlencode({"visitor": "visitor-0001", "url": PAID}))
    assert response.status_code == 500 and response.json() == {"detail": "A server error occurred."}
    assert "database gone" in caplog.text


def test_every_other_path_is_served_by_django():
    assert _through_wsgi("GET", "/login/").status_code == 200
