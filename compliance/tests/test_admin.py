"""Administrators edit the legal-hours table (days as checkboxes) and the dialer reads the edit at once."""

import datetime as dt

import pytest

from compliance.admin import days_text
from compliance.models import LegalWindow
from compliance.selectors import legal_rules, zone_legal_open
from compliance.services import legal_windows_reset

pytestmark = [pytest.mark.django_db, pytest.mark.compliance]

MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)  # 10:00 in London, 19:00 in Tokyo


@pytest.mark.parametrize(
    ("days", "text"),
    [(0b0011111, "Mon–Fri"), (0b1111111, "Mon–Sun"), (0b1011111, "Mon–Fri, Sun"), (0b0100000, "Sat"), (0, "never")],
)
def test_days_read_as_names(days, text):
    assert days_text(days) == text


def test_an_added_window_takes_effect_without_waiting_for_the_cache(admin_client):
    legal_rules()  # cached: Japan has no rule yet
    assert zone_legal_open("Asia/Tokyo", MONDAY_10)
    response = admin_client.post(
        "/admin/compliance/legalwindow/add/",
        {"country": "jp", "region": "", "zones": "", "start": "09:00", "end": "18:00", "weekdays": ["0", "1", "2",
         "3", "4"], "note": "test"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()
    window = LegalWindow.objects.get(country="JP")
    assert window.days == 0b0011111
    assert not zone_legal_open("Asia/Tokyo", MONDAY_10)  # 19:00 in Tokyo: closed
    page = admin_client.get("/admin/compliance/legalwindow/").content.decode()
    assert "Mon–Fri" in page
    admin_client.post(f"/admin/compliance/legalwindow/{window.pk}/delete/", {"post": "yes"})
    assert zone_legal_open("Asia/Tokyo", MONDAY_10)


def test_a_window_ending_before_it_starts_and_no_day_are_named(admin_client):
    response = admin_client.post(
        "/admin/compliance/legalwindow/add/",
        {"country": "JP", "zones": "Asia/Tokyo, Mars/Olympus", "start": "18:00", "end": "09:00", "note": ""},
    )
    form = response.context["adminform"].form
    assert "must end after it starts" in str(form.errors["end"]) and "weekdays" in form.errors
    assert "Unknown time zone(s): Mars/Olympus" in str(form.errors["zones"])
    assert not LegalWindow.objects.filter(country="JP").exists()


def test_the_edit_form_shows_the_stored_days_and_the_reset_action_restores_the_shipped_table(admin_client):
    legal_windows_reset()
    shipped = LegalWindow.objects.count()
    saturday_de = LegalWindow.objects.get(country="DE")
    form = admin_client.get(f"/admin/compliance/legalwindow/{saturday_de.pk}/change/").context["adminform"].form
    assert form.initial["weekdays"] == ["0", "1", "2", "3", "4", "5"]  # Monday to Saturday
    LegalWindow.objects.filter(country="GB").delete()
    response = admin_client.post(
        "/admin/compliance/legalwindow/",
        {"action": "reset_to_shipped_table", "_selected_action": [saturday_de.pk]},
        follow=True,
    )
    assert f"shipped one again: {shipped} windows" in response.content.decode()
    assert LegalWindow.objects.count() == shipped and LegalWindow.objects.filter(country="GB").exists()


def test_the_pool_admin_page_sets_local_presence_and_the_pools_cap(admin_client, customer):
    from callerid_pools.tests.factories import NumberPoolFactory
    from compliance.models import PoolPolicy

    pool = NumberPoolFactory(customer=customer)
    page = admin_client.get(f"/admin/callerid_pools/numberpool/{pool.pk}/change/").content.decode()
    assert "local presence and daily cap per number" in page
    prefix = "compliance_policy"
    response = admin_client.post(
        f"/admin/callerid_pools/numberpool/{pool.pk}/change/",
        {
            "name": pool.name,
            "pool_type": pool.pool_type,
            "customer": customer.pk,
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1",
            f"{prefix}-0-local_presence": "on",
            f"{prefix}-0-calls_per_number_per_day": "40",
        },
    )
    assert response.status_code == 302
    policy = PoolPolicy.objects.get(pool=pool)
    assert policy.local_presence and policy.calls_per_number_per_day == 40


def test_the_customer_admin_page_carries_its_caps(admin_client, customer):
    from compliance.models import CustomerCaps

    CustomerCaps.objects.create(customer=customer, calls_per_day=2)
    response = admin_client.get(f"/admin/customers/customer/{customer.pk}/change/")
    page = response.content.decode()
    assert "attempts to one number per day and per week" in page
    assert 'name="compliance_caps-0-calls_per_day" value="2"' in page


def test_the_pools_compliance_block_has_one_title_and_says_what_a_blank_cap_means(admin_client, customer, settings):
    from callerid_pools.tests.factories import NumberPoolFactory
    from compliance.models import PoolPolicy

    settings.COMPLIANCE_A_NUMBER_CALLS_PER_DAY = 300
    pool = NumberPoolFactory(customer=customer)
    for _ in ("before the policy is saved", "after"):
        page = admin_client.get(f"/admin/callerid_pools/numberpool/{pool.pk}/change/").content.decode()
        assert page.count(">Compliance: local presence and daily cap per number<") == 1
        assert "daily cap per number:" not in page and "policy of pool" not in page
        assert "Calls a day from one member; blank: the platform default, 300." in page
        assert "COMPLIANCE_A_NUMBER_CALLS_PER_DAY" not in page
        PoolPolicy.objects.get_or_create(pool=pool)

    settings.COMPLIANCE_CALLS_PER_DAY, settings.COMPLIANCE_CALLS_PER_WEEK = 3, 10
    page = admin_client.get(f"/admin/customers/customer/{customer.pk}/change/").content.decode()
    assert "Attempts to one number per ISO week; blank: the platform default, 10." in page
    assert "COMPLIANCE_CALLS_PER" not in page
