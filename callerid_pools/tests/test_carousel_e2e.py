"""In the browser: "+ Add from file" in the admin through to fixing an incorrect number,
and picking several DIDs with the autocomplete."""

import pytest

from callerid_pools.models import NumberPool
from callerid_pools.services import number_pool_create, pool_members_add
from customers.tests.factories import TEST_PASSWORD, CustomerFactory, UserFactory
from dids.tests.factories import AssignedDIDFactory, ClientPackageFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def admin_login(page):
    admin = UserFactory(customer=None, is_staff=True, is_superuser=True)
    page.goto("/admin/login/")
    page.fill("#id_username", admin.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")


def numbers(pool):
    return list(pool.members.order_by("position").values_list("did__number", flat=True))


def test_add_from_file_then_fix_an_incorrect_number(page, tmp_path):
    acme = CustomerFactory(name="Acme")
    package = ClientPackageFactory(customer=acme)
    own = [AssignedDIDFactory(client_package=package, number=f"+4411740900{i:02d}") for i in range(3)]
    upload = tmp_path / "caller-ids.csv"
    upload.write_text("number,note\n0117 409 0000,first\nhello,a word\n+441174090001,second\n")
    admin_login(page)

    page.goto("/admin/callerid_pools/numberpool/")
    page.get_by_role("link", name="Add from file").click()
    page.fill("#id_name", "Spring campaign")
    page.select_option("#id_pool_type", "sequential")
    # The customer field is an autocomplete (select2); its underlying select takes the id.
    page.evaluate(
        "([id, name]) => { const s = document.querySelector('#id_customer');"
        " s.append(new Option(name, id, true, true)); }",
        [str(acme.pk), acme.name],
    )
    page.set_input_files("#id_file", str(upload))
    page.get_by_role("button", name="Next: mark up").click()

    # Markup: the header is recognised and the number column guessed.
    assert page.locator("#id_has_header").is_checked()
    assert page.locator("#id_phone_column").input_value() == "0"
    page.select_option("#id_default_region", "GB")
    assert "0117 409 0000" in page.locator("#upload-preview").inner_text()
    page.get_by_role("button", name="Save").click()

    # The pool page opens on the Incorrect numbers tab.
    assert page.locator("#incorrect-count").inner_text() == "1"
    assert page.locator("#correct-count").inner_text() == "2"
    incorrect = page.locator("#incorrect-numbers")
    assert incorrect.is_visible()
    assert "Not a number" in incorrect.inner_text()

    # Click the wrong number, type a wrong fix: it stays, with the new reason.
    page.get_by_role("button", name="hello").click()
    field = page.get_by_label("Corrected number for row 3")
    field.fill("+44 20 7946 0123")
    incorrect.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="+44 20 7946 0123").wait_for()
    assert "Not a DID" in incorrect.inner_text()

    # A valid fix moves it to Correct numbers by itself.
    page.get_by_role("button", name="+44 20 7946 0123").click()
    field.fill("01174090002")
    incorrect.get_by_role("button", name="Save").click()
    page.wait_for_function("document.getElementById('incorrect-count').textContent === '0'")
    assert page.locator("#correct-count").inner_text() == "3"
    page.locator(".pool-tab[data-tab=correct]").click()
    assert own[2].number in page.locator("#correct-numbers").inner_text()

    pool = NumberPool.objects.get(name="Spring campaign")
    assert numbers(pool) == [d.number for d in own]
    assert not pool.incorrect_numbers.exists()


def test_pick_several_dids_with_the_autocomplete_and_reorder(page):
    acme = CustomerFactory(name="Acme")
    package = ClientPackageFactory(customer=acme)
    dids = [AssignedDIDFactory(client_package=package, number=f"+4411740901{i:02d}") for i in range(3)]
    pool = number_pool_create(name="Picked", customer=acme)
    admin_login(page)
    page.goto(f"/admin/callerid_pools/numberpool/{pool.pk}/change/")
    search = page.locator("#did-search")
    search.fill("0102")
    page.locator(".did-option", has_text=dids[2].number).click()
    search.fill("0100")
    page.locator(".did-option", has_text=dids[0].number).click()
    page.get_by_role("button", name="Add selected").click()
    assert numbers(pool) == [dids[2].number, dids[0].number]
    page.get_by_role("button", name=f"Move {dids[0].number} up").click()
    page.get_by_role("button", name=f"Move {dids[2].number} up").wait_for()
    assert numbers(pool) == [dids[0].number, dids[2].number]


CONTRAST = r"""(el) => {
  const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  const lum = (c) => { const [r, g, b] = rgb(c); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  let back = el;  // the first ancestor with a background of its own
  while (back && getComputedStyle(back).backgroundColor.match(/rgba\(.*, 0\)$|transparent/)) back = back.parentElement;
  const background = back ? getComputedStyle(back).backgroundColor : "rgb(255, 255, 255)";
  const [a, b] = [lum(getComputedStyle(el).color), lum(background)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def test_member_states_are_readable_and_random_pools_have_no_order(page):
    acme = CustomerFactory(name="Acme")
    package = ClientPackageFactory(customer=acme)
    dids = [AssignedDIDFactory(client_package=package, number=f"+4411740902{i:02d}") for i in range(2)]
    pool = number_pool_create(name="Shuffled", customer=acme, pool_type="random")
    pool_members_add(pool=pool, dids=dids)
    admin_login(page)
    page.goto(f"/admin/callerid_pools/numberpool/{pool.pk}/change/")
    usable = page.locator("#correct-numbers .state-ok").first
    assert usable.inner_text() == "usable"
    assert usable.evaluate(CONTRAST) >= 4.5  # WCAG AA for normal text
    # A random pool draws any usable number: no positions, no moving.
    assert page.locator("#correct-numbers th", has_text="Move").count() == 0
    assert page.get_by_role("button", name=f"Move {dids[0].number} down").count() == 0


def test_the_pools_list_fits_the_page_and_names_global_in_the_customer_filter(page, screenshot):
    acme = CustomerFactory(name="Acme")
    number_pool_create(name="Demo sequential", customer=acme)
    number_pool_create(name="Platform random", pool_type="random", is_global=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    admin_login(page)
    page.goto("/admin/callerid_pools/numberpool/")
    screenshot(page, "admin-number-pools")
    # Every column shows without scrolling the table sideways, the last one included.
    assert page.evaluate(
        "() => { const r = document.querySelector('#changelist .results'); return r.scrollWidth <= r.clientWidth; }"
    )
    customer_filter = page.locator("#changelist-filter details", has_text="By customer").inner_text()
    assert "Global (every customer)" in customer_filter
    assert "\n-\n" not in f"\n{customer_filter}\n"
    page.get_by_role("link", name="Global (every customer)").click()
    assert page.locator("#result_list").inner_text().count("Platform random") == 1
    assert "Demo sequential" not in page.locator("#result_list").inner_text()
