"""In the browser: the rough edges a new user's walk-through of the demo found, each checked as drawn."""

import pytest
from playwright.sync_api import expect

from campaigns.tests.factories import make_campaign, ready_list
from campaigns.tests.report_data import add_contacts
from customers.tests.factories import TEST_PASSWORD, CustomerFactory, UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def user(page, login):
    user = UserFactory(customer=CustomerFactory(name="Northwind Deliveries", time_zone="Europe/London"))
    page.set_viewport_size({"width": 1400, "height": 900})
    login(user.email, TEST_PASSWORD)
    return user


def background(locator) -> str:
    return locator.evaluate("(e) => getComputedStyle(e).backgroundColor + ' ' + getComputedStyle(e).color")


def test_outcome_badges_have_the_colours_of_the_outcome_chart(page, user):
    campaign = make_campaign(user.customer, status="launched", name="Spring")
    campaign.distribution_list = ready_list(user.customer, contacts=4)
    campaign.save(update_fields=["distribution_list"])
    add_contacts(campaign, [["answered"], ["no_answer"], ["busy"], ["failed"]])
    page.goto(f"/campaigns/{campaign.pk}/report/")
    colours = {
        outcome: background(page.locator(f"#contacts .badge.outcome-{outcome}").first)
        for outcome in ["answered", "no_answer", "busy", "failed"]
    }
    # Answered reads as success (green, like a launched campaign's badge); failed as an error (red).
    assert colours["answered"] == "rgb(227, 244, 234) rgb(31, 138, 76)"
    assert colours["failed"] == "rgb(253, 232, 232) rgb(197, 48, 48)"
    assert len(set(colours.values())) == 4  # and no two outcomes look alike


def test_the_digits_search_box_shows_its_whole_hint(page, user):
    page.goto("/numbers/")
    digits = page.locator("#numbers-filter input[placeholder]")
    room, needed = digits.evaluate(
        """(input) => {
          const style = getComputedStyle(input);
          const context = document.createElement("canvas").getContext("2d");
          context.font = `${style.fontSize} ${style.fontFamily}`;
          const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
          return [room, context.measureText(input.placeholder).width];
        }"""
    )
    assert needed <= room, f"the hint needs {needed:.0f} px, the box has {room:.0f}"


def test_the_peak_chart_spans_its_card(page, user):
    from customers.tests.home_data import seed_home

    pool = seed_home(user.customer)["tracking"]
    page.goto(f"/call-tracking/{pool.pk}/")
    chart = page.locator("#peak-chart svg")
    expect(chart).to_be_visible()
    card = page.locator("#peak-chart").evaluate("(e) => e.parentElement.clientWidth")
    width = chart.bounding_box()["width"]
    assert width >= card - 2 * 20 - 2, f"chart {width:.0f} px in a card of {card} px"
    labels = page.locator("#peak-chart .peak-chart-axis span")
    expect(labels).to_have_count(2)


def test_the_pools_api_address_wraps_between_path_segments(page, user):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto("/")
    address = page.locator("[data-address=pools-api]")
    expect(address).to_contain_text(f"/v3/api/groups/{user.customer.pk}/numberpools")
    # Every piece between two break opportunities (after each "/") sits on one line: no word is cut.
    broken = address.evaluate(
        """(code) => [...code.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE).filter((node) => {
          const range = document.createRange();
          range.selectNodeContents(node);
          return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size > 1;
        }).map((node) => node.textContent)"""
    )
    assert broken == []
    box = page.locator("#developers")
    assert box.evaluate("(e) => e.scrollWidth <= e.clientWidth")


def test_the_distribution_list_page_links_back_to_the_lists(page, user):
    lst = ready_list(user.customer, name="December leads", contacts=2)
    page.goto(f"/distribution-lists/{lst.pk}/")
    page.get_by_role("link", name="← Distribution lists").click()
    expect(page).to_have_url(f"{page.url.split('/distribution-lists/')[0]}/distribution-lists/")
    expect(page.locator("h1")).to_have_text("Distribution lists")


def test_the_admin_did_changelist_fits_beside_its_filters_at_1400_px(page):
    from dids.tests.factories import AssignedDIDFactory, DIDFactory

    admin = UserFactory(customer=None, is_staff=True, is_superuser=True)
    DIDFactory.create_batch(20, locality="Newcastle upon Tyne", tag="local")
    AssignedDIDFactory(client_package__customer__name="Northwind Deliveries International", locality="Stoke-on-Trent")
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto("/admin/login/")
    page.fill("#id_username", admin.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.goto("/admin/dids/did/")
    results = page.locator(".results")
    expect(results.locator("#result_list tbody tr")).to_have_count(21)
    assert results.evaluate("(e) => e.scrollWidth <= e.clientWidth"), "the table scrolls sideways"
    # What admins read in a row is still there: number, state, operator, tag, customer, country, type, place, date.
    row = results.locator("#result_list tbody tr", has_text="Stoke-on-Trent")
    for text in ["+44117", "Assigned", "Northwind Deliveries International", "GB · Geographic", "Stoke-on-Trent"]:
        expect(row).to_contain_text(text)
