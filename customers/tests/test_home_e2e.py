"""In the browser: the home page's figures for seeded data, and the outcomes chart on the home and report pages.

``UPDATE_SCREENSHOTS=1`` writes docs/screenshots/home.png and report.png as well.
"""

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from playwright.sync_api import expect

from campaigns.models import CallAttempt, Campaign
from campaigns.tallies import call_tally_rebuild
from campaigns.tests.factories import make_campaign, ready_list
from campaigns.tests.report_data import add_contacts
from customers.tests.factories import TEST_PASSWORD, CustomerFactory, UserFactory
from customers.tests.home_data import EXPECTED, seed_home, this_weeks_thursday

pytestmark = pytest.mark.e2e
LEGEND = ["Answered", "No answer", "Busy", "Failed"]


def chart_state(page) -> dict:
    """The drawn chart as Chart.js holds it: its legend and its size on the page."""
    return page.evaluate(
        """() => {
          const canvas = document.querySelector('.outcome-chart canvas');
          const chart = Chart.getChart(canvas);
          const box = canvas.getBoundingClientRect();
          return {legend: chart.legend.legendItems.map((i) => i.text), width: box.width, height: box.height,
                  bars: chart.data.labels.length};
        }"""
    )


def keep(page, name: str, *, full_page: bool = True) -> None:
    path = Path(settings.BASE_DIR) / "docs" / "screenshots" / name
    if os.environ.get("UPDATE_SCREENSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=full_page)


def test_home_shows_the_figures_and_the_chart(page, login):
    now = this_weeks_thursday()
    customer = CustomerFactory(name="Northwind Deliveries", time_zone="Europe/London")
    user = UserFactory(customer=customer, email="ops@northwind.example")
    seeded = seed_home(customer, now=now)
    with time_machine.travel(now, tick=True):
        page.set_viewport_size({"width": 1440, "height": 1000})
        login(user.email, TEST_PASSWORD)
        page.goto("/")
        expect(page.locator("[data-figure=today-placed]")).to_have_text(str(EXPECTED["today_placed"]))
        expect(page.locator("[data-figure=today-answered]")).to_have_text(str(EXPECTED["today_answered"]))
        expect(page.locator("[data-figure=today-rate]")).to_have_text(f"{EXPECTED['today_rate']}%")
        expect(page.locator("[data-figure=week-placed]")).to_have_text(str(EXPECTED["week_placed"]))
        expect(page.locator("[data-figure=week-rate]")).to_have_text(f"{EXPECTED['week_rate']}%")
        expect(page.locator("[data-figure=tracking-today]")).to_have_text("2")
        expect(page.locator("[data-figure=numbers-hold]")).to_have_text("1")
        expect(page.locator("[data-figure=group-id]")).to_have_text(str(customer.pk))
        running = page.locator(f"#running [data-campaign='{seeded['running'].pk}']")
        expect(running).to_contain_text("Black Friday reminders")
        expect(running.locator("[data-stat=stat_called]")).to_have_text("14")  # polled live, same value
        expect(page.locator("#lists")).to_contain_text("December leads")
        expect(page.locator("#lists [data-list-status]")).to_have_text("Checking numbers 25%")

        chart = page.locator(".outcome-chart")
        expect(chart).to_have_attribute("data-rendered", "today")
        expect(page.locator(".outcome-chart canvas")).to_be_visible()
        state = chart_state(page)
        assert state["legend"] == LEGEND and state["bars"] == 24
        assert state["width"] > 700 and state["height"] >= 250
        # Hovering a bar names its local hour and sums it up: the first calls, 09:00 and 09:30 UTC.
        first = now.replace(hour=9).astimezone(ZoneInfo(customer.time_zone))
        canvas = page.locator(".outcome-chart canvas")
        point = page.evaluate(
            "(i) => { const c = Chart.getChart(document.querySelector('.outcome-chart canvas'));"
            " const bar = c.getDatasetMeta(0).data[i]; return {x: bar.x, y: bar.y}; }",
            first.hour,
        )
        canvas.hover(position={"x": point["x"], "y": point["y"] + 2})
        page.wait_for_function(
            "() => Chart.getChart(document.querySelector('.outcome-chart canvas')).tooltip.opacity > 0"
        )
        tooltip = page.evaluate(
            "() => { const t = Chart.getChart(document.querySelector('.outcome-chart canvas')).tooltip;"
            " return {title: t.title, footer: t.footer}; }"
        )
        assert tooltip["title"][0].endswith(f", {first:%H}:00–{first.hour + 1:02d}:00"), tooltip
        assert tooltip["footer"] == ["2 calls, 100% answered"], tooltip
        page.get_by_role("button", name="Last 7 days").click()
        expect(chart).to_have_attribute("data-rendered", "week")
        assert chart_state(page)["bars"] == 56
        page.get_by_role("button", name="Today").click()
        expect(chart).to_have_attribute("data-rendered", "today")
        # On a phone the time axis keeps fewer labels instead of overlapping them.
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_function("() => Chart.getChart(document.querySelector('.outcome-chart canvas')).width < 400")
        labels = page.evaluate(
            "() => Chart.getChart(document.querySelector('.outcome-chart canvas')).scales.x.ticks"
            ".map((t) => t.label).filter((l) => l && l.length)"
        )
        assert 2 <= len(labels) <= 6, labels
        if os.environ.get("UPDATE_SCREENSHOTS"):
            page.screenshot(path="/tmp/home_phone.png", full_page=True)
        page.set_viewport_size({"width": 1440, "height": 1000})


def busy_day(campaign, now: dt.datetime, contacts: int = 150) -> None:
    """A working day of calls up to ``now``: a morning ramp, a lunch dip, a busy afternoon."""
    campaign.distribution_list = ready_list(campaign.customer, contacts=contacts)
    campaign.save(update_fields=["distribution_list"])
    pattern = [["answered"], ["no_answer", "answered"], ["answered"], ["busy", "answered"], ["failed"], ["no_answer"]]
    add_contacts(campaign, (pattern * contacts)[:contacts], start=now)
    attempts = list(CallAttempt.objects.filter(campaign=campaign).order_by("pk"))
    # Calls per hour from 08:00 UTC: a curve a dialer with a few lines draws in a day.
    weights = [6, 14, 22, 25, 12, 16, 24]
    times = []
    for hour, weight in enumerate(weights):
        share = round(len(attempts) * weight / sum(weights))
        times += [now.replace(hour=8 + hour) + dt.timedelta(minutes=60 * i / share) for i in range(share)]
    for attempt, moment in zip(attempts, times, strict=False):
        attempt.started_at = moment
    CallAttempt.objects.bulk_update(attempts[: len(times)], ["started_at"])
    CallAttempt.objects.filter(pk__in=[a.pk for a in attempts[len(times) :]]).delete()
    jobs = campaign.jobs
    Campaign.objects.filter(pk=campaign.pk).update(
        stat_contacts=contacts,
        stat_called=jobs.filter(attempts_made__gt=0).count(),
        stat_done=jobs.filter(status="done").count(),
        stat_answered=jobs.filter(last_outcome="answered").count(),
        stat_no_answer=jobs.filter(last_outcome="no_answer").count(),
        stat_busy=jobs.filter(last_outcome="busy").count(),
        stat_failed=jobs.filter(last_outcome="failed").count(),
    )
    call_tally_rebuild(campaign=campaign)


def test_report_chart_renders_full_width_with_a_legend(page, login):
    now = this_weeks_thursday()
    customer = CustomerFactory(name="Northwind Deliveries", time_zone="Europe/London")
    user = UserFactory(customer=customer, email="ops@northwind.example")
    seed_home(customer, now=now)
    campaign = make_campaign(customer, status="launched", name="Delivery slot confirmations")
    Campaign.objects.filter(pk=campaign.pk).update(lines=8, launched_at=now.replace(hour=8))
    busy_day(campaign, now)
    with time_machine.travel(now, tick=True):
        page.set_viewport_size({"width": 1440, "height": 1000})
        login(user.email, TEST_PASSWORD)
        response = page.goto(f"/campaigns/{campaign.pk}/report/")
        assert response.ok
        chart = page.locator(".outcome-chart")
        expect(chart).to_have_attribute("data-rendered", "all")
        expect(page.locator(".outcome-chart canvas")).to_be_visible()
        state = chart_state(page)
        assert state["legend"] == LEGEND and state["width"] > 700 and state["height"] >= 250
        assert 20 <= state["bars"] <= 48  # 10-minute bars over the day
        expect(page.locator("[data-chart-caption]")).to_contain_text("Europe/London")
        expect(page.locator("[data-chart-error]")).to_be_hidden()
        keep(page, "report.png", full_page=False)
        # The same chart on the home page, from the tallies.
        page.goto("/")
        expect(chart).to_have_attribute("data-rendered", "today")
        assert chart_state(page)["legend"] == LEGEND
        keep(page, "home.png")


@pytest.mark.django_db(transaction=True)
def test_home_without_campaigns_keeps_its_cards_short_and_its_links_whole(page, login, screenshot):
    user = UserFactory(customer=CustomerFactory(name="Fresh Ltd"))
    page.set_viewport_size({"width": 1280, "height": 900})
    login(user.email, TEST_PASSWORD)
    page.goto("/")
    screenshot(page, "home-empty")
    running = page.locator("#running")
    expect(running).to_contain_text("No campaign is running.")
    # As tall as what it says, not as tall as the column of cards beside it.
    assert running.bounding_box()["height"] < 200
    links = page.locator("#numbers .more-links")
    assert "·" not in links.inner_text()
    tops = {round(box["y"]) for box in (a.bounding_box() for a in links.locator("a").all())}
    heights = {round(a.bounding_box()["height"]) for a in links.locator("a").all()}
    assert len(heights) == 1 and len(tops) <= 3  # each link on one line, whichever row it wraps to
    expect(page.locator("#kpi-tracking .sub")).to_have_text("0 attributed · this week: 0 calls, 0 attributed")
