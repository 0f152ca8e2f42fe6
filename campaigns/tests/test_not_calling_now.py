"""The campaign page says when nobody can be called now, and when calling starts (QA pass 3, items 2 and 3).

The selector asks the dialer's own test of the dialer's own jobs: each case checks that the
dialer places no call at the moment the page says nobody can be called, and places calls from
the minute the page gives, not a minute before.
"""

import datetime as dt
import html

import pytest
import time_machine

from campaigns import selectors
from campaigns.dialer import dialer_tick
from campaigns.models import CallJob, CampaignStatus
from campaigns.tests.dialer.helpers import at, dialer_campaign
from compliance.selectors import legal_rules_forget
from compliance.services import legal_windows_reset
from customers.tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.compliance, pytest.mark.usefixtures("simulator")]

LONDON_NEW_YORK = ["Europe/London", "America/New_York"]


@pytest.fixture(autouse=True)
def _rules(simulator):
    legal_windows_reset()
    legal_rules_forget()


def notice(client, campaign) -> str:
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    if 'id="not-calling-now"' not in page:
        return ""
    text = page.split('id="not-calling-now"')[1].split(">", 1)[1].split("</p>")[0]
    return " ".join(html.unescape(text.replace("<strong>", "").replace("</strong>", "")).split())


def starts_exactly_then(start: dt.datetime) -> None:
    """The dialer agrees: no call a minute before ``start``, calls at ``start``."""
    with time_machine.travel(start - dt.timedelta(minutes=1), tick=False):
        assert dialer_tick() == 0
    with time_machine.travel(start, tick=False):
        assert dialer_tick() > 0


def test_at_5_in_london_nobody_is_called_before_8(customer, client):
    # The QA case: 05:00 in London on a Monday, contacts in London and New York, all day, UTC.
    client.force_login(UserFactory(customer=customer))
    with time_machine.travel(at("2026-12-07 05:00"), tick=False):
        campaign = dialer_campaign(customer, contacts=19, zones=LONDON_NEW_YORK, all_day=True, time_zone="UTC")
        assert dialer_tick() == 0
        blocked = selectors.not_calling_now(campaign)
        assert blocked is not None
        assert (blocked.waiting, blocked.outside_legal, blocked.outside_period, blocked.outside_both) == (19, 19, 0, 0)
        assert blocked.next_start == at("2026-12-07 08:00")
        assert notice(client, campaign) == (
            "Nobody can be called now: it is outside legal calling hours for all 19 contacts' time zones. "
            "Calling starts at 08:00 Europe/London (in 3 h)."
        )
    starts_exactly_then(at("2026-12-07 08:00"))
    with time_machine.travel(at("2026-12-07 08:00"), tick=False):
        # London's contacts are being called; New York's wait: someone can be called, no notice.
        assert selectors.not_calling_now(campaign) is None
        assert notice(client, campaign) == ""


def test_outside_the_work_period_says_so_and_when_it_opens(customer, client):
    client.force_login(UserFactory(customer=customer))
    with time_machine.travel(at("2026-12-07 10:00"), tick=False):  # Monday, inside legal hours in London
        campaign = dialer_campaign(
            customer, contacts=3, all_day=False, work_start=dt.time(14), work_end=dt.time(18), work_days=0b1111111
        )
        assert dialer_tick() == 0
        assert notice(client, campaign) == (
            "Nobody can be called now: it is outside the campaign's work period (hours and days) for all 3 "
            "contacts. Calling starts at 14:00 Europe/London (in 4 h)."
        )
    starts_exactly_then(at("2026-12-07 14:00"))


def test_work_days_and_legal_hours_together_name_the_day(customer, client):
    # Friday 21:30 London, 16:30 New York; the campaign works Monday to Friday 09:00–21:00 on
    # London's clock (its own zone) for contacts in London and New York.
    client.force_login(UserFactory(customer=customer))
    with time_machine.travel(at("2026-12-11 21:30"), tick=False):
        campaign = dialer_campaign(
            customer,
            contacts=4,
            zones=LONDON_NEW_YORK,
            all_day=False,
            work_start=dt.time(9),
            work_end=dt.time(21),
            work_days=0b0011111,
            subscriber_time_zone=False,
        )
        assert dialer_tick() == 0
        blocked = selectors.not_calling_now(campaign)
        # London: outside legal hours (after 21:00) and the period; New York: legal, outside the period.
        assert (blocked.outside_legal, blocked.outside_period, blocked.outside_both) == (0, 2, 2)
        assert notice(client, campaign) == (
            "Nobody can be called now: it is outside the campaign's work period (hours and days) for 2 contacts "
            "and outside both legal calling hours and the campaign's work period (hours and days) for 2 contacts. "
            "Calling starts on Mon 14 Dec at 09:00 Europe/London (in 2 days 11 h)."
        )
    starts_exactly_then(at("2026-12-14 09:00"))


def test_legal_hours_only_for_some_and_the_period_for_the_others(customer, client):
    # Monday 12:00 UTC: London 12:00 (legal), New York 07:00 (not yet); the campaign works
    # 06:00–10:00 on each subscriber's clock: London waits for the period, New York for legal hours.
    client.force_login(UserFactory(customer=customer))
    with time_machine.travel(at("2026-12-07 12:00"), tick=False):
        campaign = dialer_campaign(
            customer,
            contacts=4,
            zones=LONDON_NEW_YORK,
            all_day=False,
            work_start=dt.time(6),
            work_end=dt.time(10),
            work_days=0b1111111,
            subscriber_time_zone=True,
        )
        assert notice(client, campaign) == (
            "Nobody can be called now: it is outside legal calling hours for 2 contacts "
            "and outside the campaign's work period (hours and days) for 2 contacts. "
            "Calling starts at 13:00 Europe/London (in 1 h)."
        )
    starts_exactly_then(at("2026-12-07 13:00"))


def test_no_notice_when_someone_can_be_called_or_the_campaign_is_not_running(customer, client):
    client.force_login(UserFactory(customer=customer))
    with time_machine.travel(at("2026-12-07 12:00"), tick=False):
        open_now = dialer_campaign(customer, contacts=2, zones=LONDON_NEW_YORK, all_day=True)
        assert selectors.not_calling_now(open_now) is None  # London is open
        draft = dialer_campaign(customer, contacts=2, zones=["America/New_York"], all_day=True, launch=False)
        assert selectors.not_calling_now(draft) is None
        scheduled = dialer_campaign(
            customer, contacts=2, zones=["America/New_York"], all_day=True, scheduled_at=at("2026-12-08 12:00")
        )
        assert selectors.not_calling_now(scheduled) is None  # the page says when it starts
        waiting = dialer_campaign(customer, contacts=2, zones=["America/New_York"], all_day=True)
        assert selectors.not_calling_now(waiting) is not None  # 07:00 in New York
        CallJob.objects.filter(campaign=waiting).update(status="done")
        assert selectors.not_calling_now(waiting) is None  # nobody waits


def test_reading_it_costs_one_query_whatever_the_list(customer, django_assert_num_queries):
    with time_machine.travel(at("2026-12-07 05:00"), tick=False):
        # 05:00 London, 06:00 Berlin, 00:00 New York, 23:00 Chicago, 21:00 Los Angeles: all closed.
        zones = ["Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago", "America/Los_Angeles"]
        campaign = dialer_campaign(customer, contacts=200, zones=zones, all_day=True)
        selectors.not_calling_now(campaign)  # the legal rules are read once, then cached (as for the dialer)
        with django_assert_num_queries(1):  # no zone open now: one grouped count of the waiting jobs
            blocked = selectors.not_calling_now(campaign)
        assert blocked.outside_legal == 200 and blocked.next_start == at("2026-12-07 07:00")  # 08:00 Berlin
    # Berlin open: one index probe finds a job waiting there.
    with time_machine.travel(at("2026-12-07 07:00"), tick=False), django_assert_num_queries(1):
        assert selectors.not_calling_now(campaign) is None


def test_the_legal_hours_warning_is_gone_once_the_campaign_is_finished(customer, client):
    client.force_login(UserFactory(customer=customer))
    # 07:00–22:00 London: partly outside GB's 08:00–21:00.
    period = {"all_day": False, "work_start": dt.time(7), "work_end": dt.time(22), "work_days": 0b1111111}
    for status in (CampaignStatus.DRAFT, CampaignStatus.LAUNCHED, CampaignStatus.PAUSED):
        campaign = dialer_campaign(customer, contacts=2, launch=False, status=status, **period)
        page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
        assert 'id="legal-hours-warning"' in page, status
    finished = dialer_campaign(customer, contacts=2, launch=False, status=CampaignStatus.FINISHED, **period)
    page = client.get(f"/campaigns/{finished.pk}/")
    assert 'id="legal-hours-warning"' not in page.content.decode()
    assert page.context["legal_conflict"] is None
