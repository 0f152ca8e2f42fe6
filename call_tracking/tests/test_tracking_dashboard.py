"""The dashboard's Call tracking pages: figures, utilisation warning, chart, snippet, settings."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from call_tracking import selectors, services
from call_tracking.models import ExhaustionPolicy, TrackingNumber
from call_tracking.tests.factories import TrackingPoolFactory

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
PAID = "https://www.example.com/?gclid=1"


def visit(pool, visitor):
    return services.dni_visit(pool=pool, visitor_id=visitor, referrer="https://www.bing.com/", landing_url=PAID)


def test_list_shows_the_customers_pools_with_figures_and_the_warning(customer_client, customer):
    busy = TrackingPoolFactory(customer=customer, name="Busy pool", numbers=4)
    quiet = TrackingPoolFactory(customer=customer, name="Quiet pool", numbers=4)
    TrackingPoolFactory(name="Someone else's pool", numbers=1)
    with time_machine.travel(T0, tick=False):
        for n in range(4):
            visit(busy, f"visitor-{n:04d}")
        visit(quiet, "visitor-quiet")
    with time_machine.travel(T0 + datetime.timedelta(minutes=5), tick=False):
        response = customer_client.get(reverse("dashboard:call_tracking"))
    assert response.status_code == 200
    rows = {row.pool.name: row for row in response.context["rows"]}
    assert set(rows) == {"Busy pool", "Quiet pool"}
    assert (rows["Busy pool"].peak, rows["Busy pool"].size, rows["Busy pool"].warning) == (4, 4, True)
    assert (rows["Quiet pool"].peak, rows["Quiet pool"].warning) == (1, False)
    html = response.content.decode()
    assert html.count("above 75%") == 1 and "Someone else" not in html
    assert 'aria-current="page"' in html  # the menu item lights up


def test_list_runs_a_fixed_number_of_queries(customer_client, customer, django_assert_max_num_queries):
    for n in range(5):
        pool = TrackingPoolFactory(customer=customer, numbers=2)
        visit(pool, f"visitor-{n:04d}")
    with django_assert_max_num_queries(12):
        assert customer_client.get(reverse("dashboard:call_tracking")).status_code == 200


def test_pool_page_shows_calls_by_source_chart_and_snippet(customer_client, customer, settings):
    settings.TRACKING_PLATFORM_TOKEN = "t"
    pool = TrackingPoolFactory(customer=customer, name="Spring", numbers=2)
    with time_machine.travel(T0, tick=False):
        visit(pool, "visitor-0001")
        number = TrackingNumber.objects.filter(pool=pool, held_until__isnull=False).get().did.number
        services.tracked_call_record(called=number, caller="+447700900123")
        services.tracked_call_record(called=TrackingNumber.objects.filter(pool=pool).last().did.number)
        response = customer_client.get(reverse("dashboard:call_tracking_pool", args=[pool.pk]))
    html = response.content.decode()
    figures = response.context["figures"]
    assert (figures.calls, figures.attributed_calls, figures.calls_by_source) == (2, 1, [("Bing", 1)])
    assert f"data-pool=&quot;{pool.public_key}&quot;" in html and "/static/js/swap.js" in html
    assert html.count("<rect") == 24
    assert "not attributed" in html and "+447700900123" in html


def test_settings_form_saves_domains_and_policy_and_names_a_bad_domain(customer_client, customer):
    pool = TrackingPoolFactory(customer=customer)
    url = reverse("dashboard:call_tracking_pool", args=[pool.pk])
    response = customer_client.post(
        url, {"site_domains": "https://www.shop.example\nblog.example.org", "exhaustion_policy": "replace_nothing"}
    )
    assert response.status_code == 302
    pool.refresh_from_db()
    assert pool.site_domains == ["shop.example", "blog.example.org"]
    assert pool.exhaustion_policy == ExhaustionPolicy.REPLACE_NOTHING
    bad = customer_client.post(url, {"site_domains": "not a domain", "exhaustion_policy": "replace_nothing"})
    assert bad.status_code == 200 and "is not a domain name" in bad.content.decode()
    pool.refresh_from_db()
    assert pool.site_domains == ["shop.example", "blog.example.org"]


def test_peak_counts_overlapping_sessions_per_hour():
    start = T0
    hour = datetime.timedelta(hours=1)
    intervals = [
        (start + hour * 0.5, start + hour * 2.5),  # spans hours 0-2
        (start + hour * 1.2, start + hour * 1.4),
        (start + hour * 1.3, start + hour * 1.5),
        (start - hour, start + hour * 0.1),  # began before the window
    ]
    peak, series = selectors._peaks(intervals, start, 4)
    assert peak == 3
    assert [value for _, value in series] == [1, 3, 1, 0]  # the first two never overlap
