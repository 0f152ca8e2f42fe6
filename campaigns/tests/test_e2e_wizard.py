"""In the browser: the wizard with a mistake in each block, then fixed; the status buttons."""

import os
from pathlib import Path

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


def expect_neutral(page, key: str, number: int, field: str):
    """Nothing red: the block shows its number, the field no error (the user has not tried to go on)."""
    expect(badge(page, key)).to_have_text(str(number))
    expect(page.locator(f"#block-{key}")).to_have_attribute("data-state", "pending")
    expect(page.locator(f"#id_{key}-{field}")).not_to_have_class("invalid")
    expect(page.locator(f"[data-errors-for='{key}-{field}'] li")).to_have_count(0)


def shot(page, name: str) -> None:
    """A screenshot for review when SCREENSHOTS_DIR is set (the tests do not need it)."""
    if os.environ.get("SCREENSHOTS_DIR"):
        Path(os.environ["SCREENSHOTS_DIR"]).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(os.environ["SCREENSHOTS_DIR"]) / name), full_page=True)


def test_wizard_mistakes_then_fixed_then_launch_pause_finish(page, login):
    user = UserFactory()
    world = campaign_world(user.customer)
    login(user.email, TEST_PASSWORD)
    page.goto("/campaigns/")
    page.get_by_role("link", name="+ New campaign").click()
    expect(page.locator("#id_main-name")).not_to_have_value("")  # the generated default name

    # 1. Main: a name with a forbidden character, no A-number.
    page.fill("#id_main-name", "Spring sale!")
    expect_invalid(page, "main", "name")  # the user typed it: its error shows at once
    expect(page.locator("[data-errors-for='main-name']")).to_contain_text("Invalid")
    page.fill("#id_main-name", "Spring sale (e2e)")
    expect_neutral(page, "main", 1, "a_number")  # not chosen yet, not touched: no red
    page.locator("#block-main button.next").click()  # trying to go on shows what is missing, and stays
    expect_invalid(page, "main", "a_number")
    expect(page.locator("#block-main")).not_to_have_class("card block collapsed")
    page.select_option("#id_main-a_number", f"did:{world['did'].pk}")
    expect_valid(page, "main")
    page.locator("#block-main button.next").click()

    # 2. App: nothing chosen yet — neutral until the user tries to go on.
    expect_neutral(page, "app", 2, "app")
    page.select_option("#id_app-app", str(world["app"].pk))
    expect_valid(page, "app")
    page.locator("#block-app button.next").click()

    # 3. Distribution list: none chosen; then its columns "name" and "code" fill {name} and {code}.
    expect_neutral(page, "list", 3, "distribution_list")
    page.select_option("#id_list-distribution_list", str(world["list"].pk))
    expect_valid(page, "list")
    expect(page.locator("#id_list-var_name")).to_have_value("name")
    expect(page.locator("#id_list-var_code")).to_have_value("code")
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
    page.get_by_role("button", name="Save as draft").click()  # checked first: nothing is saved
    expect_invalid(page, "settings", "lines")
    expect(page).to_have_url("/campaigns/new/")
    assert not Campaign.objects.exists()
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


def _balance_app_and_lists(customer):
    """An app saying {name} and {balance}; a list whose columns are "Name" and "amount"."""
    from campaigns.tests.factories import AppFactory, ready_list

    world = campaign_world(customer)
    world["app"] = AppFactory(
        customer=customer,
        name="Delivery reminder",
        scenario=[
            {"id": "greet", "type": "say", "text": "Hello {name}, you owe {balance}."},
            {"id": "end", "type": "hangup"},
        ],
    )
    world["list"] = ready_list(customer, name="QA list", columns=("phone", "Name", "amount"), contacts=3)
    return world


def _to_the_list_block(page, world):
    page.goto("/campaigns/new/")
    page.select_option("#id_main-a_number", f"did:{world['did'].pk}")
    expect_valid(page, "main")
    page.locator("#block-main button.next").click()
    page.select_option("#id_app-app", str(world["app"].pk))
    expect_valid(page, "app")
    page.locator("#block-app button.next").click()


def test_choosing_a_list_marks_nothing_missing_before_the_user_goes_on(page, login):
    """QA pass 3, item 4: no red "Missing" on choosing a list; {name} takes the column "Name"."""
    user = UserFactory()
    world = _balance_app_and_lists(user.customer)
    login(user.email, TEST_PASSWORD)
    _to_the_list_block(page, world)
    page.select_option("#id_list-distribution_list", str(world["list"].pk))
    expect(page.locator("#id_list-var_name")).to_have_value("Name")  # its header, case aside
    expect_neutral(page, "list", 3, "var_balance")
    expect(page.locator("[data-field='list-var_balance'] .help")).to_have_text(
        "Required: the list column that fills this variable."
    )
    expect(page.locator(".errorlist li")).to_have_count(0)
    shot(page, "wizard_list_chosen.png")

    page.locator("#block-list button.next").click()
    expect_invalid(page, "list", "var_balance")
    expect(page.locator("[data-errors-for='list-var_balance']")).to_have_text("Missing: this field is required.")
    expect(page.locator("#block-settings")).to_have_class("card block collapsed")  # it stayed on the list
    shot(page, "wizard_list_next_tried.png")

    page.select_option("#id_list-var_balance", "amount")
    expect_valid(page, "list")
    page.locator("#block-list button.next").click()
    expect(page.locator("#block-settings")).not_to_have_class("card block collapsed")


def test_a_list_nobody_can_be_called_from_is_refused_beside_the_list(page, login):
    """QA pass 3, item 1: said on choosing the list, and again when Launch is refused."""
    from campaigns.tests.factories import ready_list

    user = UserFactory()
    world = _balance_app_and_lists(user.customer)
    wrong = ready_list(user.customer, name="All wrong", columns=("phone", "name", "balance"), contacts=0)
    wrong.incorrect_count = 10
    wrong.save(update_fields=["incorrect_count"])
    login(user.email, TEST_PASSWORD)
    _to_the_list_block(page, world)
    page.select_option("#id_list-distribution_list", str(wrong.pk))
    notice = page.locator("#list-not-callable")
    expect(notice).to_contain_text(
        "Distribution list “All wrong” has no contacts that can be called: all 10 rows were incorrect."
    )
    expect_valid(page, "list")  # {name} and {balance} found their columns; a draft may still be saved
    page.locator("#block-list button.next").click()
    page.get_by_role("button", name="Launch").click()
    expect(page.locator(".message.error")).to_contain_text("cannot be launched")
    expect(page.locator("#list-not-callable")).to_contain_text("all 10 rows were incorrect")
    expect(page.locator("#id_list-distribution_list")).to_have_value(str(wrong.pk))
    shot(page, "wizard_launch_refused.png")
    assert not Campaign.objects.exists()


def test_what_is_typed_before_the_script_runs_counts_as_changed(page, login):
    """The script is deferred: a slow one must still show the error of a field typed into before it ran,
    and only that one (the untouched selects stay neutral)."""
    user = UserFactory()
    campaign_world(user.customer)
    login(user.email, TEST_PASSWORD)
    held = []
    page.route("**/wizard*.js", lambda route: held.append(route))
    page.goto("/campaigns/new/", wait_until="commit")  # a deferred script holds DOMContentLoaded back
    page.fill("#id_main-name", "Spring sale!")
    page.wait_for_timeout(100)
    for route in held:
        route.continue_()
    page.unroute("**/wizard*.js")
    expect_invalid(page, "main", "name")
    expect(page.locator("#id_main-a_number")).not_to_have_class("invalid")
