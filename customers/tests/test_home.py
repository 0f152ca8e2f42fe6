"""The customer's home page: figures for seeded data, a fixed number of queries, nothing of another customer."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from campaigns.charts import series
from campaigns.models import CallTally
from campaigns.tests.factories import make_campaign
from customers.overview import HOME_QUERIES, home_overview
from customers.tests.factories import CustomerFactory
from customers.tests.home_data import EXPECTED, NOW, seed_home

pytestmark = pytest.mark.django_db


def test_overview_counts_today_and_this_week_in_the_customers_zone(customer):
    seed_home(customer)
    seed_home(CustomerFactory())  # another customer's week changes nothing
    overview = home_overview(customer, now=NOW)
    assert (overview.today.placed, overview.today.answered, overview.today.answer_rate) == (
        EXPECTED["today_placed"],
        EXPECTED["today_answered"],
        EXPECTED["today_rate"],
    )
    assert (overview.week.placed, overview.week.answered, overview.week.answer_rate) == (
        EXPECTED["week_placed"],
        EXPECTED["week_answered"],
        EXPECTED["week_rate"],
    )
    assert overview.today.busy == 1 and overview.week.failed == 4
    assert [c.name for c in overview.running] == ["Black Friday reminders", "Renewals (paused)"]
    assert overview.campaigns_by_status == {"launched": 1, "paused": 1, "draft": 1}
    assert [lst.name for lst in overview.imports] == ["December leads"]
    assert overview.numbers_total == 5 and overview.numbers_on_hold == 1  # 3 campaigns' DIDs + 2 tracking numbers
    assert overview.pools == {"own": 1, "shared": 0, "members": 3, "members_on_hold": 1}
    assert overview.tracking == {
        "calls_today": 2,
        "attributed_today": 1,
        "calls_week": 3,
        "attributed_week": 2,
        "pools": 1,
        "numbers": 2,
    }


def test_overview_in_a_zone_east_of_utc_moves_the_day(customer):
    """At 15:00 UTC it is already 04:00 on Friday 27 in Auckland (UTC+13): its day began at 11:00 UTC."""
    seed_home(customer)
    customer.time_zone = "Pacific/Auckland"
    overview = home_overview(customer, now=NOW)
    assert overview.today.placed == 4  # the calls from 11:00 UTC on
    assert overview.week.placed == EXPECTED["week_placed"]  # Monday 23 00:00 in Auckland is before Tuesday's calls
    hours = series(overview.chart_today)
    assert hours["titles"][0] == "Fri 27 Nov, 00:00–01:00" and hours["zone"] == "Pacific/Auckland"


def test_chart_bars_are_local_hours_and_three_hour_blocks(customer):
    seed_home(customer)
    overview = home_overview(customer, now=NOW)
    today = series(overview.chart_today)
    assert len(today["titles"]) == 24 and today["bucket"] == "hour"
    answered = next(d for d in today["datasets"] if d["key"] == "answered")["data"]
    assert answered[9] == 2 and answered[10] == 1 and sum(answered) == 4  # 09:00 and 09:30 → the 09:00 bar
    assert today["ticks"][0] == "00:00" and today["ticks"][1] == ""  # a label every 2 hours at most 12
    week = series(overview.chart_week)
    assert len(week["titles"]) == 7 * 8 and week["bucket"] == "3 hours" and week["total"] == 14
    assert week["titles"][0] == "Fri 20 Nov, 00:00–03:00"
    assert week["ticks"][0] == ["00:00", "Fri 20 Nov"]


@pytest.mark.parametrize("extra_campaigns", [1, 12])
def test_home_runs_a_fixed_number_of_queries(customer, django_assert_num_queries, extra_campaigns):
    seed_home(customer)
    # More campaigns (each with its number, app and list), each with a tally every hour of the week.
    for n in range(extra_campaigns):
        campaign = make_campaign(customer, status="launched", name=f"More {n}")
        CallTally.objects.bulk_create(
            CallTally(campaign=campaign, customer=customer, slot=NOW - dt.timedelta(hours=h), answered=2, busy=1)
            for h in range(7 * 24)
        )
    with django_assert_num_queries(HOME_QUERIES):
        overview = home_overview(customer, now=NOW)
    assert overview.campaigns_by_status["launched"] == 1 + extra_campaigns
    assert overview.today.answered == EXPECTED["today_answered"] + 2 * 16 * extra_campaigns  # 00:00–15:00 hourly


def test_home_page_shows_the_figures(customer_client, customer, django_assert_max_num_queries):
    seed_home(customer)
    # session, user, customer, then the overview's own queries
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(HOME_QUERIES + 3):
        response = customer_client.get(reverse("dashboard:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-figure="today-placed">8<' in html and 'data-figure="today-rate">50%<' in html
    assert 'data-figure="week-placed">12<' in html and 'data-figure="numbers-hold"' in html
    assert "Black Friday reminders" in html and "December leads" in html
    assert f'data-figure="group-id">{customer.pk}<' in html
    assert f"/v3/api/groups/{customer.pk}/numberpools" in html.replace("<wbr>", "")  # wraps after a slash
    assert 'id="home-chart-data"' in html and "chart.js-4.6.1/chart.umd.min.js" in html
