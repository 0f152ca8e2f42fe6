"""In the browser: the wizard with a mistake in each block, then fixed; the status buttons."""

import pytest
from playwright.sync_api import expect

from campaigns.models import Campaign
from campaigns.tests.factories import campaign_world
from customers.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.e2e


def badge(page, key: str):
    return page.locator(f"#block-{key} .block-state")


def expect_invalid(page, key: str, field: str):
    expect(badge(page, key)).to_have_text("!")
    expect(page.locator(f"#id_{key}-{field}")).to_have_class("invalid")
    expect(page.locator(f"[data-errors-for='{key}-{field}'] li").first).not_to_be_empty()


def expect_valid(page, key: str):
    expect(badge(page, key)).to_have_text("✓")
    expect(page.locator(f"#block-{key}")).to_have_attribute("data-state", "valid")


def test_wizard_mistakes_then_fixed_then_launch_pause_finish(page, login):
    user = UserFactory()
    world = campaign_world(user.customer)
    login(user.email, TEST_PASSWORD)
    page.goto("/campaigns/")
    page.get_by_role("link", name="+ New campaign").click()
    expect(page.locator("#id_main-name")).not_to_have_value("")  # the generated default name

    # 1. Main: a name with a forbidden character, no A-number.
    page.fill("#id_main-name", "Spring sale!")
    expect_invalid(page, "main", "name")
    expect(page.locator("[data-errors-for='main-name']")).to_contain_text("Invalid")
    expect(page.locator("#block-main button.next")).to_be_disabled()
    page.fill("#id_main-name", "Spring sale (e2e)")
    expect_invalid(page, "main", "a_number")
    page.select_option("#id_main-a_number", f"did:{world['did'].pk}")
    expect_valid(page, "main")
    page.locator("#block-main button.next").click()

    # 2. App: nothing chosen yet.
    expect_invalid(page, "app", "app")
    page.select_option("#id_app-app", str(world["app"].pk))
    expect_valid(page, "app")
    page.locator("#block-app button.next").click()

    # 3. Distribution list: none chosen, then the variables left unmapped.
    expect_invalid(page, "list", "distribution_list")
    page.select_option("#id_list-distribution_list", str(world["list"].pk))
    expect_invalid(page, "list", "var_name")
    page.select_option("#id_list-var_name", "name")
    page.select_option("#id_list-var_code", "code")
    expect_valid(page, "list")
    page.locator("#block-list button.next").click()
    # A block head opens and closes from the keyboard as well.
    page.locator("#block-main .block-head").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#block-main")).not_to_have_class("card block collapsed")
    page.keyboard.press("Enter")
    expect(page.locator("#block-main")).to_have_class("card block collapsed")

    # 4. Settings: lines out of range, a repeat count out of range.
    page.fill("#id_settings-lines", "51")
    expect_invalid(page, "settings", "lines")
    expect(page.locator("[data-errors-for='settings-lines']")).to_contain_text("at most 50")
    expect(page.get_by_role("button", name="Save as draft")).to_be_disabled()
    page.fill("#id_settings-lines", "5")
    page.fill("#id_settings-repeat_busy_count", "0")
    expect_invalid(page, "settings", "repeat_busy_count")
    page.fill("#id_settings-repeat_busy_count", "3")
    for key in ["main", "app", "list", "settings"]:
        expect_valid(page, key)
    page.get_by_role("button", name="Save as draft").click()

    expect(page).to_have_url("/campaigns/")
    campaign = Campaign.objects.get(name="Spring sale (e2e)")
    assert (campaign.status, campaign.lines, campaign.repeat_busy_count) == ("draft", 5, 3)
    assert campaign.variable_mapping == {"name": "name", "code": "code"}

    card = page.locator(f"article[data-campaign='{campaign.pk}']")
    expect(card).to_contain_text("Draft")
    card.click()  # anywhere on the card but "Details" opens the campaign page
    status = page.locator("#campaign-status")
    expect(status).to_have_text("Draft")
    # Launching asks first, in the page, saying how many contacts will be called.
    page.get_by_role("button", name="Launch").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    contacts = world["list"].correct_count
    expect(dialog.locator("h2")).to_have_text("Launch “Spring sale (e2e)”?")
    expect(dialog.locator("p")).to_have_text(
        f"{contacts} contacts of “{world['list'].name}” will be called, up to 5 at once."
    )
    # Cancel has the focus: Escape or Enter does not launch anything.
    expect(dialog.locator("#confirm-cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(status).to_have_text("Draft")
    campaign.refresh_from_db()
    assert campaign.status == "draft"
    page.get_by_role("button", name="Launch").click()
    dialog.get_by_role("button", name=f"Launch: call {contacts} contacts").click()
    expect(status).to_have_text("Launched")
    expect(page.locator("#edit-refusal")).to_contain_text("pause it first")
    page.get_by_role("button", name="Pause").click()
    expect(status).to_have_text("Paused")
    expect(page.get_by_role("link", name="Edit")).to_be_visible()

    page.get_by_role("button", name="Finish").click()
    expect(dialog.locator("p")).to_contain_text("cannot be undone")
    dialog.get_by_role("button", name="Finish the campaign").click()
    expect(status).to_have_text("Finished")
    # What was not called is cancelled now, not "remaining".
    expect(page.locator("dt", has_text="Cancelled")).to_be_visible()
    expect(page.locator("dt", has_text="Remaining")).to_have_count(0)
    campaign.refresh_from_db()
    assert campaign.status == "finished"
    assert list(campaign.transitions.values_list("to_status", flat=True)) == ["launched", "paused", "finished"]

    page.get_by_role("link", name="Report").click()
    expect(page.locator("h1")).to_contain_text("Report: Spring sale (e2e)")
    expect(page.locator("#legend")).to_contain_text("486")


def test_finish_dismissed_keeps_the_campaign(page, login):
    from campaigns.tests.factories import make_campaign

    user = UserFactory()
    campaign = make_campaign(user.customer, status="launched", name="Keep going")
    login(user.email, TEST_PASSWORD)
    page.goto(f"/campaigns/{campaign.pk}/")
    page.get_by_role("button", name="Finish").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Cancel").click()
    expect(page.locator("#confirm-dialog")).to_be_hidden()
    expect(page.locator("#campaign-status")).to_have_text("Launched")
    campaign.refresh_from_db()
    assert campaign.status == "launched"
