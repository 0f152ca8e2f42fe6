import datetime as dt

from django.urls import reverse
from django.utils import timezone

from customers import services
from customers.models import ApiToken
from customers.tests.factories import TEST_PASSWORD


def test_dashboard_requires_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_with_email_shows_the_menu(client, customer_user):
    response = client.post("/login/", {"username": customer_user.email, "password": TEST_PASSWORD}, follow=True)
    html = response.content.decode()
    for item in ["Campaigns", "Distribution lists", "Numbers", "Number pools", "Apps", "Call tracking", "API tokens"]:
        assert item in html
    assert customer_user.customer.name in html


def test_staff_user_without_customer_gets_no_dashboard(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/").status_code == 404


def test_dates_are_shown_in_the_customers_time_zone(customer_client, customer):
    customer.time_zone = "Asia/Tokyo"
    customer.save()
    token = services.api_token_issue(customer=customer, name="tz").token
    ApiToken.objects.filter(pk=token.pk).update(created_at=dt.datetime(2026, 1, 1, 23, 30, tzinfo=dt.UTC))
    html = customer_client.get(reverse("dashboard:api_tokens")).content.decode()
    assert "2 Jan 2026 08:30" in html  # 23:30 UTC is 08:30 the next day in Tokyo
    assert timezone.get_current_timezone_name() == "UTC"  # and nothing leaks past the request


def test_issue_a_token_shows_it_once(customer_client, customer):
    response = customer_client.post(reverse("dashboard:api_tokens"), {"name": "CRM"})
    html = response.content.decode()
    token = ApiToken.objects.get(customer=customer, name="CRM")
    raw = html.split('class="token"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert raw.startswith(token.prefix)
    assert services.api_token_authenticate(raw_token=raw) == token
    assert raw not in customer_client.get(reverse("dashboard:api_tokens")).content.decode()


def test_revoke_a_token(customer_client, customer):
    token = services.api_token_issue(customer=customer, name="old").token
    response = customer_client.post(reverse("dashboard:api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_password_change(client, customer_user):
    client.force_login(customer_user)
    response = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "a-new-Pass-2026", "new_password2": "a-new-Pass-2026"},
    )
    assert response.status_code == 302
    customer_user.refresh_from_db()
    assert customer_user.check_password("a-new-Pass-2026")
