"""Login throttling (django-axes): wrong passwords lock an email out from one address; an administrator unlocks."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from customers import services
from customers.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

WRONG = "not the password"


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def _try(client, url, email, password, **extra):
    return client.post(url, {"username": email, "password": password}, **extra)


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_fifty_wrong_passwords_then_the_right_one_is_refused(client, url):
    user = UserFactory(is_staff=True)
    answers = [_try(client, url, user.email, WRONG).status_code for _ in range(50)]
    assert answers[:4] == [200] * 4  # the form again, with its error
    assert set(answers[5:]) == {429}
    response = _try(client, url, user.email, TEST_PASSWORD)
    assert response.status_code == 429
    assert not _logged_in(client)
    page = response.content.decode()
    assert "Too many failed log-ins" in page
    assert "try again in <strong>15 minutes</strong>" in page
    assert "contact your administrator" in page
    assert response["Retry-After"] == "900"


def test_the_count_ignores_the_emails_case_and_a_spoofed_forwarded_for(client):
    user = UserFactory()
    for n in range(5):
        _try(client, "/login/", user.email.upper(), WRONG, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert _try(client, "/login/", user.email, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429


def test_trusted_proxies_name_the_client_address(client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    user = UserFactory()
    for _ in range(5):
        _try(client, "/login/", user.email, WRONG, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert _try(client, "/login/", user.email, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    # Another client behind the same proxy is not locked out.
    assert _try(client, "/login/", user.email, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 302


def test_a_lockout_is_for_that_email_from_that_address_only(client):
    user, other = UserFactory(), UserFactory()
    for _ in range(5):
        _try(client, "/login/", user.email, WRONG)
    assert _try(client, "/login/", other.email, TEST_PASSWORD).status_code == 302
    client.logout()
    assert _try(client, "/login/", user.email, TEST_PASSWORD, REMOTE_ADDR="198.51.100.9").status_code == 302


def test_the_lock_ends_after_the_cool_off(client):
    user = UserFactory()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            _try(client, "/login/", user.email, WRONG)
        clock.shift(timedelta(minutes=14))
        assert _try(client, "/login/", user.email, TEST_PASSWORD).status_code == 429
        # That try started the wait again.
        clock.shift(timedelta(minutes=16))
        assert _try(client, "/login/", user.email, TEST_PASSWORD).status_code == 302
    assert _logged_in(client)


def test_without_a_cool_off_the_page_says_to_contact_the_administrator(client, settings):
    settings.AXES_COOLOFF_TIME = None
    user = UserFactory()
    for _ in range(5):
        response = _try(client, "/login/", user.email, WRONG)
    assert response.status_code == 429
    assert "Contact your administrator to unlock the account." in response.content.decode()
    assert not response.has_header("Retry-After")


def test_an_administrator_unlocks_a_user(client, admin_user):
    user = UserFactory()
    for _ in range(5):
        _try(client, "/login/", user.email, WRONG)
    assert _try(client, "/login/", user.email, TEST_PASSWORD).status_code == 429

    client.force_login(admin_user)
    response = client.post(
        "/admin/customers/user/", {"action": "unlock_login", "_selected_action": [user.pk]}, follow=True
    )
    assert "Log-in unlocked for 1 user" in response.content.decode()
    client.logout()
    assert _try(client, "/login/", user.email, TEST_PASSWORD).status_code == 302
    assert _logged_in(client)


def test_unlock_service_lifts_every_address(client):
    user = UserFactory()
    for address in ("198.51.100.1", "198.51.100.2"):
        for _ in range(5):
            _try(client, "/login/", user.email, WRONG, REMOTE_ADDR=address)
    assert services.user_login_unlock(user=user) == 2
    assert _try(client, "/login/", user.email, TEST_PASSWORD, REMOTE_ADDR="198.51.100.2").status_code == 302


def test_api_token_of_a_locked_out_users_customer_still_works(client):
    user = UserFactory()
    issued = services.api_token_issue(customer=user.customer, name="x")
    for _ in range(10):
        _try(client, "/login/", user.email, WRONG)
    assert _try(client, "/login/", user.email, TEST_PASSWORD).status_code == 429
    response = client.get("/api/account/", HTTP_AUTHORIZATION=f"Bearer {issued.raw}")
    assert response.status_code == 200
    assert response.json()["slug"] == user.customer.slug
    # A wrong token is the API's own 401, never counted as a login failure nor answered with the lockout page.
    for _ in range(10):
        assert client.get("/api/account/", HTTP_AUTHORIZATION="Bearer dt_wrong").status_code == 401
    assert client.get("/api/account/", HTTP_AUTHORIZATION=f"Bearer {issued.raw}").status_code == 200
