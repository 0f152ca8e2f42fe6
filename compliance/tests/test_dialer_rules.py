"""Legal calling hours and contact caps, enforced by the dialer whatever the campaign says."""

import datetime as dt

import pytest
import time_machine

from campaigns.dialer import dialer_tick
from campaigns.models import CallAttempt, CallJob, JobStatus
from campaigns.tests.dialer.helpers import at, dialer_campaign, play_calls
from compliance.models import CustomerCaps, LegalWindow
from compliance.services import legal_windows_reset
from customers.tests.factories import CustomerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.compliance, pytest.mark.usefixtures("simulator")]


@pytest.fixture(autouse=True)
def _rules(simulator):
    legal_windows_reset()


def test_the_shipped_table_covers_the_countries_the_issue_names():
    countries = set(LegalWindow.objects.values_list("country", flat=True))
    assert {"GB", "US", "CA", "AU", "DE", "FR", "RU"} <= countries
    assert LegalWindow.objects.filter(country="US").exclude(region="").exists()  # states that differ


def test_legal_hours_block_a_campaign_that_calls_all_day_in_its_own_zone(customer):
    # The campaign's window is open all day in Tokyo and ignores the subscriber's zone:
    # legal hours in the subscriber's zone (London, 08:00–21:00) still decide.
    with time_machine.travel(at("2026-11-23 22:30"), tick=False):
        campaign = dialer_campaign(
            customer, contacts=3, all_day=True, subscriber_time_zone=False, time_zone="Asia/Tokyo"
        )
        assert dialer_tick() == 0
        assert not CallAttempt.objects.filter(campaign=campaign).exists()
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        assert dialer_tick() == 3


def test_no_sunday_calls_where_the_table_says_so(customer):
    # Sunday 2026-11-22 00:00 UTC is 11:00 on Sunday in Sydney: the AU table has no Sunday row.
    with time_machine.travel(at("2026-11-22 00:00"), tick=False):
        dialer_campaign(customer, contacts=2, all_day=True, zones=["Australia/Sydney"])
        assert dialer_tick() == 0
    with time_machine.travel(at("2026-11-23 00:00"), tick=False):  # Monday 11:00 in Sydney
        assert dialer_tick() == 2


def test_a_number_with_several_candidate_zones_needs_legal_hours_in_all(customer):
    perth = "Australia/Adelaide,Australia/Perth"
    # 23:30 UTC Monday: Adelaide Tuesday 10:00 (legal), Perth Tuesday 07:30 (not yet).
    with time_machine.travel(at("2026-11-23 23:30"), tick=False):
        dialer_campaign(customer, contacts=2, all_day=True, zones=[perth])
        assert dialer_tick() == 0
    with time_machine.travel(at("2026-11-24 02:00"), tick=False):  # Perth 10:00, Adelaide 12:30
        assert dialer_tick() == 2


def test_an_administrator_edit_of_the_table_applies(customer):
    from compliance.selectors import legal_rules_forget

    with time_machine.travel(at("2026-11-23 10:00"), tick=False):
        dialer_campaign(customer, contacts=1, all_day=True)
        LegalWindow.objects.filter(country="GB").update(start=dt.time(11), end=dt.time(12))
        legal_rules_forget()  # what the admin's save does
        assert dialer_tick() == 0


def test_caps_hold_across_two_campaigns_of_a_customer_and_the_job_waits_for_the_next_day(customer):
    CustomerCaps.objects.create(customer=customer, calls_per_day=1, calls_per_week=5)
    other = CustomerFactory()
    with time_machine.travel(at("2026-11-23 10:00"), tick=False):
        first = dialer_campaign(customer, contacts=3, all_day=True)
        assert dialer_tick() == 3
        play_calls(first)
        second = dialer_campaign(customer, contacts=3, all_day=True)  # the same three numbers
        theirs = dialer_campaign(other, contacts=3, all_day=True)  # another customer's caps are its own
        assert dialer_tick() == 3
        assert not CallAttempt.objects.filter(campaign=second).exists()
        assert CallAttempt.objects.filter(campaign=theirs).count() == 3
        waiting = CallJob.objects.filter(campaign=second)
        assert set(waiting.values_list("status", flat=True)) == {JobStatus.PENDING}
        assert set(waiting.values_list("next_attempt_at", flat=True)) == {at("2026-11-24 00:00")}
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        assert dialer_tick() == 3
        assert CallAttempt.objects.filter(campaign=second).count() == 3


def test_the_weekly_cap_defers_to_next_monday(customer, settings):
    settings.COMPLIANCE_CALLS_PER_DAY = 5
    settings.COMPLIANCE_CALLS_PER_WEEK = 1
    with time_machine.travel(at("2026-11-25 10:00"), tick=False):  # Wednesday
        first = dialer_campaign(customer, contacts=1, all_day=True)
        dialer_tick()
        play_calls(first)
        second = dialer_campaign(customer, contacts=1, all_day=True)
        assert dialer_tick() == 0
        assert CallJob.objects.get(campaign=second).next_attempt_at == at("2026-11-30 00:00")


def test_the_campaign_page_warns_how_many_contacts_legal_hours_affect(customer, client):
    from customers.tests.factories import UserFactory

    # 07:00–22:00 London every day: outside GB's 08:00–21:00 for the first and last hour.
    campaign = dialer_campaign(
        customer,
        contacts=3,
        launch=False,
        all_day=False,
        work_start=dt.time(7),
        work_end=dt.time(22),
        work_days=0b1111111,
    )
    client.force_login(UserFactory(customer=customer))
    page = client.get(f"/campaigns/{campaign.pk}/")
    assert page.context["legal_conflict"].contacts == 3
    warning = " ".join(page.content.decode().split('id="legal-hours-warning">')[1].split("</p>")[0].split())
    assert warning == (
        "Legal calling hours: for 3 contacts in the London time zone the work period is partly outside the legal "
        "calling hours. They are called only while the work period and their local legal hours are both open."
    )

    campaign.work_start, campaign.work_end = dt.time(9), dt.time(17)
    campaign.save()
    page = client.get(f"/campaigns/{campaign.pk}/")
    assert page.context["legal_conflict"].contacts == 0
    assert 'id="legal-hours-warning"' not in page.content.decode()


def test_the_legal_hours_warning_names_any_number_of_zones(customer, client):
    from customers.tests.factories import UserFactory

    zones = ["America/New_York", "Europe/Berlin", "Europe/London", "Europe/Paris"]
    campaign = dialer_campaign(customer, contacts=4, zones=zones, launch=False, all_day=True, work_days=0b1111111)
    client.force_login(UserFactory(customer=customer))
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    warning = " ".join(page.split('id="legal-hours-warning">')[1].split("</p>")[0].split())
    assert "for 4 contacts in 4 time zones (Berlin, London, New York and Paris) the work period" in warning

    campaign.distribution_list.contacts.exclude(time_zone="Europe/Paris").delete()
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    warning = " ".join(page.split('id="legal-hours-warning">')[1].split("</p>")[0].split())
    assert "for 1 contact in the Paris time zone the work period is partly outside" in warning
    assert "It is called only while the work period and its local legal hours are both open." in warning


def test_the_legal_hours_warning_counts_many_zones_and_names_a_few(customer, client):
    from customers.tests.factories import UserFactory

    # Keys of several candidate zones count each zone once.
    zones = [
        "America/Adak,America/Anchorage",
        "America/Los_Angeles",
        "America/New_York",
        "Asia/Vladivostok",
        "Australia/Sydney",
        "Europe/Berlin",
        "Europe/London",
    ]
    campaign = dialer_campaign(customer, contacts=7, zones=zones, launch=False, all_day=True, work_days=0b1111111)
    client.force_login(UserFactory(customer=customer))
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    warning = " ".join(page.split('id="legal-hours-warning">')[1].split("</p>")[0].split())
    assert "for 7 contacts in 8 time zones (Adak, Anchorage, Berlin, London and 4 more) the work period" in warning
    assert "/" not in warning and "`" not in page
