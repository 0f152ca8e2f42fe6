"""A new user's walk through the demo: every dashboard page answers, with no broken request.

Found by hand before (QA pass): an empty report chart captioned "calls per 0 days ... times in ",
and every dashboard page asking for a /favicon.ico that does not exist.
"""

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_demo_customer_walks_every_menu_page_without_a_broken_request(page, login):
    call_command("seed_demo", verbosity=0)
    call_command("dialer_demo", verbosity=0)
    failed = []
    page.on("response", lambda response: response.status >= 400 and failed.append((response.status, response.url)))
    login("demo@example.com", "demo")
    menu = page.locator("nav a, .sidebar a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    pages = [href for href in menu if href and href.startswith("/") and href not in ("/logout/",)]
    assert "/campaigns/" in pages and "/caller-ids/usage/" in pages
    for href in pages:
        response = page.goto(href)
        assert response.status == 200, href
        page.wait_for_load_state("networkidle")

    page.goto("/campaigns/")
    page.locator(".campaign-card .card-link").first.click()
    page.get_by_role("link", name="Report").click()
    caption = page.locator("[data-chart-caption]")
    caption.wait_for()
    page.wait_for_function("document.querySelector('[data-chart-caption]').textContent.length > 0")
    assert "0 days" not in caption.inner_text() and caption.inner_text().endswith("times in Europe/London")
    assert failed == []
