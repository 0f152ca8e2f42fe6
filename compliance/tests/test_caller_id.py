"""Caller-ID caps and local presence, chosen by the dialer per call."""

import datetime as dt

import pytest
import time_machine

from callerid_pools.services import pool_members_add
from callerid_pools.tests.factories import NumberPoolFactory
from campaigns.causes import NO_USABLE_A_NUMBER
from campaigns.dialer import dialer_tick
from campaigns.models import CallAttempt, CallJob
from campaigns.tests.dialer.helpers import at, dialer_campaign, play_calls
from compliance.models import PoolDay, PoolPolicy
from compliance.selectors import pool_local_share
from dids.tests.factories import AssignedDIDFactory
from distribution_lists.models import Contact

pytestmark = [pytest.mark.django_db, pytest.mark.compliance, pytest.mark.usefixtures("simulator")]


def _pool(customer, *dids, **policy):
    pool = NumberPoolFactory(customer=customer)
    pool_members_add(pool=pool, dids=list(dids))
    PoolPolicy.objects.create(pool=pool, **policy)
    return pool


def _campaign_to(customer, pool, phones):
    campaign = dialer_campaign(customer, contacts=len(phones), lines=len(phones), all_day=True, launch=False)
    contacts = list(Contact.objects.filter(distribution_list=campaign.distribution_list).order_by("row_number"))
    for contact, phone in zip(contacts, phones, strict=True):
        contact.phone = phone
    Contact.objects.bulk_update(contacts, ["phone"])
    campaign.a_number_did, campaign.a_number_pool = None, pool
    campaign.save()
    from campaigns.services import campaign_launch

    return campaign_launch(campaign=campaign)


def test_a_pool_without_calls_says_only_whether_local_presence_is_on(customer, client):
    from customers.tests.factories import UserFactory

    pool = NumberPoolFactory(customer=customer)
    client.force_login(UserFactory(customer=customer))

    def presence() -> str:
        page = client.get(f"/number-pools/{pool.pk}/").content.decode()
        return " ".join(page.split('id="local-presence">')[1].split("</dd>")[0].split())

    assert presence() == "Off"
    PoolPolicy.objects.create(pool=pool, local_presence=True)
    assert presence() == "On: a number in the callee's area is preferred · no calls in the last 30 days"


def _used(campaign) -> dict[str, str]:
    jobs = dict(CallJob.objects.filter(campaign=campaign).values_list("pk", "phone"))
    return {jobs[a.job_id]: a.a_number for a in CallAttempt.objects.filter(campaign=campaign)}


def test_local_presence_prefers_the_area_code_then_the_country_then_any(customer, client):
    from customers.tests.factories import UserFactory

    bristol = AssignedDIDFactory(client_package__customer=customer, number="+441174090001", area_code="117")
    london = AssignedDIDFactory(client_package__customer=customer, number="+442074090001", area_code="20")
    new_york = AssignedDIDFactory(
        client_package__customer=customer, number="+12125550111", area_code="212", iso_country="US"
    )
    pool = _pool(customer, bristol, london, new_york, local_presence=True)
    phones = ["+442079460018", "+441179460018", "+13105550123", "+33142685300"]
    with time_machine.travel(at("2026-11-23 10:00"), tick=False):
        campaign = _campaign_to(customer, pool, phones)
        assert dialer_tick() == 4
        assert pool_local_share(pool) == (4, 2)  # what the pool page shows (last 30 days)
        client.force_login(UserFactory(customer=customer))
        page = client.get(f"/number-pools/{pool.pk}/").content.decode()
        presence = " ".join(page.split('id="local-presence">')[1].split("</dd>")[0].split())
        assert presence == (
            "On: a number in the callee's area is preferred · in the last 30 days 2 of 4 calls went out "
            "with a local number (50%)"
        )
    used = _used(campaign)
    assert used["+442079460018"] == london.number  # London callee: the London number
    assert used["+441179460018"] == bristol.number  # Bristol callee: the Bristol number
    assert used["+13105550123"] == new_york.number  # Los Angeles: no 310 member, the US one
    assert used["+33142685300"] in {bristol.number, london.number, new_york.number}  # France: any
    day = PoolDay.objects.get(pool=pool)
    assert (day.calls, day.local_calls) == (4, 2)


def test_a_pool_skips_members_at_their_cap_and_fails_p01_when_none_is_left(customer):
    dids = [AssignedDIDFactory(client_package__customer=customer) for _ in range(2)]
    pool = _pool(customer, *dids, calls_per_number_per_day=1)
    with time_machine.travel(at("2026-11-23 10:00"), tick=False):
        campaign = _campaign_to(customer, pool, ["+442079460018", "+442079460019", "+442079460020"])
        assert dialer_tick() == 3
        attempts = CallAttempt.objects.filter(campaign=campaign)
        placed = sorted(a.a_number for a in attempts if not a.cause)
        assert placed == sorted(d.number for d in dids)  # each number once, none twice
        assert [a.cause for a in attempts if a.cause] == [NO_USABLE_A_NUMBER]
        play_calls(campaign)


def test_a_single_a_number_past_the_platform_cap_places_nothing(customer, settings):
    settings.COMPLIANCE_A_NUMBER_CALLS_PER_DAY = 2
    with time_machine.travel(at("2026-11-23 10:00"), tick=False):
        campaign = dialer_campaign(customer, contacts=3, lines=3, all_day=True)
        assert dialer_tick() == 3
        causes = sorted(CallAttempt.objects.filter(campaign=campaign).values_list("cause", flat=True))
        assert causes == ["", "", NO_USABLE_A_NUMBER]


def test_the_caller_id_usage_report_shows_calls_and_answer_rate_per_number_and_day(customer, client, admin_client):
    from customers.tests.factories import CustomerFactory, UserFactory

    with time_machine.travel(at("2026-11-23 10:00"), tick=False):
        campaign = dialer_campaign(customer, contacts=2, lines=2, all_day=True)
        other = CustomerFactory()
        theirs = dialer_campaign(other, contacts=1, all_day=True)
        dialer_tick()
        play_calls()  # the simulator answers every call
        client.force_login(UserFactory(customer=customer))
        page = client.get("/caller-ids/usage/")
        admin_page = admin_client.get("/admin/compliance/anumberday/usage/")
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [(r.a_number, r.calls, r.answered, r.answer_rate) for r in rows] == [
        (campaign.a_number_did.number, 2, 2, 100.0)
    ]
    assert theirs.a_number_did.number not in page.content.decode()  # another customer's number never shows
    assert admin_page.status_code == 200
    both = {campaign.a_number_did.number, theirs.a_number_did.number}
    assert {r.a_number for r in admin_page.context["rows"]} == both


def test_a_number_whose_answer_rate_falls_is_flagged_first():
    import datetime as dt

    from compliance.selectors import CallerIdDay, caller_id_reputation

    today = dt.date(2026, 11, 23)
    rows = []
    for back in range(14):
        day = today - dt.timedelta(days=back)
        recent = back < 3
        rows.append(CallerIdDay("+441174090001", day, 20, 4 if recent else 12))  # 60% → 20%
        rows.append(CallerIdDay("+441174090002", day, 30, 15))  # steady 50%
        rows.append(CallerIdDay("+441174090003", day, 1, 0 if recent else 1))  # too few calls to tell
    numbers = caller_id_reputation(rows, now=at("2026-11-23 12:00"))
    assert [(n.a_number, n.falling) for n in numbers] == [
        ("+441174090001", True),
        ("+441174090002", False),
        ("+441174090003", False),
    ]
    falling = numbers[0]
    assert (falling.recent_calls, falling.earlier_calls) == (60, 220)
    assert round(falling.recent_rate) == 20 and round(falling.earlier_rate) == 60


def test_both_usage_tables_round_an_answer_rate_alike(customer, client, monkeypatch):
    from compliance import views
    from compliance.selectors import CallerIdDay
    from customers.tests.factories import UserFactory

    with time_machine.travel(at("2026-11-23 12:00"), tick=False):
        rows = [CallerIdDay("+441174090000", dt.date(2026, 11, 23), 8, 5)]  # 62.5%
        monkeypatch.setattr(views, "caller_id_usage", lambda customer: rows)
        client.force_login(UserFactory(customer=customer))
        page = client.get("/caller-ids/usage/").content.decode()
    by_number = page.split('id="caller-id-numbers"')[1].split("</table>")[0]
    by_day = page.split('id="caller-id-usage"')[1].split("</table>")[0]
    assert "63%" in by_number and "63%" in by_day
    assert "62.5" not in page
