"""In the browser: upload, mark up (the phone column guessed and highlighted), watch the import's
phases reach ready, see the duplicates, fix a row and see it move.

The import runs in the test process instead of a Celery worker (the
integration test runs a real worker).
"""

import pytest
from playwright.sync_api import expect

from customers.tests.factories import TEST_PASSWORD, UserFactory
from distribution_lists import services
from telephony.imports import jobs as import_jobs
from telephony.imports import running, tasks

pytestmark = pytest.mark.e2e


@pytest.fixture
def worker(monkeypatch, settings):
    """Collects the queued imports; ``worker.run(check)`` runs them here, calling ``check`` after the first chunk.

    The import runs in the test's own thread on the test database's
    connection (the live server shares it), and ``check`` looks at the
    browser while the import is half-way, so the progress bar is seen moving
    without any sleeping or timing.
    """
    settings.DISTRIBUTION_LIST_CHUNK_ROWS = 100
    queued: list[int] = []
    monkeypatch.setattr(tasks.run_import_job, "delay", queued.append)
    real_run_import = import_jobs.run_import

    class Worker:
        def run(self, check, check_saving=None):
            checked = []
            if check_saving:

                class Saving(services.SavingProgress):
                    def __enter__(self):
                        check_saving()
                        return super().__enter__()

                monkeypatch.setattr(services, "SavingProgress", Saving)

            def run_import(table, markup, consumer, *, on_progress, **kwargs):
                def progress(done, total):
                    on_progress(done, total)
                    if not checked:
                        checked.append(done)
                        check()

                return real_run_import(table, markup, consumer, on_progress=progress, **kwargs)

            monkeypatch.setattr(import_jobs, "run_import", run_import)
            while queued:
                running.import_job_run(job_id=queued.pop(0))
            assert checked, "the import never reported progress"

    return Worker()


def phase(page, key):
    return page.locator(f"#progress [data-phase='{key}']")


def test_upload_markup_progress_and_fix(page, login, worker, tmp_path, screenshot):
    user = UserFactory()
    path = tmp_path / "customers.csv"
    lines = ["Phone;Name"] + [f"07400 1{n:05d};Person {n}" for n in range(300)]
    lines += ["07400 12;Short Number", "+44 7400 100007;Person 7 again"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    login(user.email, TEST_PASSWORD)
    page.get_by_role("link", name="Distribution lists").click()
    page.fill("#id_name", "Spring customers")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="Upload and mark up").click()

    # The markup step: a preview, the phone column guessed, names suggested.
    expect(page.locator("#preview")).to_contain_text("Person 0")
    expect(page.locator("#id_phone_column")).to_have_value("0")
    expect(page.locator("#id_column_1")).to_have_value("name")
    page.fill("#id_column_1", "customer_name")
    page.select_option("#id_default_region", "GB")
    page.get_by_role("button", name="Save and import").click()

    # Queued: no phase has started, nothing claims a percentage.
    expect(page.locator("#list-status .badge")).to_have_text("queued")
    for key in ["reading", "checking", "saving"]:
        expect(phase(page, key)).to_have_class("phase waiting")

    def first_chunk_is_shown():
        expect(phase(page, "reading")).to_have_class("phase done")
        expect(phase(page, "checking")).to_have_class("phase current")
        expect(phase(page, "checking").locator(".phase-text")).to_have_text("100 of 302 rows")
        expect(phase(page, "checking").locator(".progress")).to_have_attribute("aria-valuenow", "33")
        expect(phase(page, "saving")).to_have_class("phase waiting")
        # The badge follows the phase (it used to stay at "processing 0%").
        expect(page.locator("#list-status .badge")).to_have_text("checking numbers 33%")

    def saving_is_shown():
        expect(phase(page, "checking")).to_have_class("phase done")
        expect(phase(page, "checking").locator(".phase-text")).to_have_text("302 rows checked")
        expect(phase(page, "saving")).to_have_class("phase current")
        expect(phase(page, "saving").locator(".phase-text")).to_have_text("302 rows")
        expect(page.locator("#list-status .badge")).to_have_text("saving 0%")

    # Each phase follows the import while it runs...
    worker.run(first_chunk_is_shown, saving_is_shown)
    # ...and the page turns to ready by itself when the import ends.
    expect(page.locator("#list-status .badge")).to_have_text("ready")
    expect(page.locator("#correct-rows")).to_contain_text("+447400100000")
    expect(page.locator("#tab-incorrect")).to_have_text("Incorrect (1)")

    # The duplicate is listed with the row it repeats.
    expect(page.locator("#tab-duplicates")).to_have_text("Duplicates (1)")
    page.locator("#tab-duplicates").click()
    duplicate = page.locator("#duplicate-rows tbody tr")
    expect(duplicate).to_have_count(1)
    expect(duplicate.locator("td").nth(0)).to_have_text("303")
    expect(duplicate.locator("td").nth(1)).to_have_text("+44 7400 100007")
    expect(duplicate.locator("td.repeats")).to_have_text("row 9 · +447400100007")
    # The same columns for both rows: the variables, without the phone.
    expect(duplicate.locator("td").nth(3)).to_have_text("Person 7 again")
    expect(duplicate.locator("td").nth(4)).to_have_text("Person 7")
    screenshot(page, "list-duplicates")

    page.locator("#tab-incorrect").click()
    expect(page.locator("#incorrect-rows")).to_contain_text("is not valid for GB")
    page.locator("#incorrect-rows a.fix-row").first.click()
    expect(page.locator("body")).to_contain_text("Short Number")
    page.fill("#id_phone", "07400 123")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".errors")).to_contain_text("is not valid for GB")
    page.fill("#id_phone", "07400 999999")
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".messages")).to_contain_text("moved to Correct")
    expect(page.locator("#tab-incorrect")).to_have_text("Incorrect (0)")
    expect(page.locator("#incorrect-rows")).to_contain_text("No incorrect rows")
    page.locator("#tab-correct").click()
    page.fill("input[name=q]", "7400999999")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#correct-rows")).to_contain_text("+447400999999")
    expect(page.locator("#correct-rows")).to_contain_text("Short Number")


def markup_page_of(page, customer, tmp_path, header, rows, name):
    """Upload a file as the customer would (service) and open its markup step."""
    path = tmp_path / f"{name}.csv"
    path.write_text("\n".join(";".join(row) for row in [header, *rows]) + "\n", encoding="utf-8")
    with path.open("rb") as handle:
        distribution_list = services.distribution_list_upload(
            customer=customer, name=name, upload=handle, filename=path.name
        )
    page.goto(f"/distribution-lists/{distribution_list.pk}/markup/")


def highlighted(page) -> list[str]:
    """The column indexes the preview highlights, header cell first then each row's."""
    return page.locator("#preview .phone-column").evaluate_all("cells => cells.map(c => c.dataset.column)")


# A reference column of phone-like numbers comes first: only the header's word can pick the third column.
GUESS_ROWS = [[f"07400 2000{n:02d}", f"2026121{n}", f"07400 1000{n:02d}", f"Person {n}"] for n in range(4)]


HEADER_WORDS = [
    *["Phone", "Number", "Tel.", "MSISDN", "Mobile"],
    *["Телефон", "Handynummer", "Téléphone", "Teléfono", "Móvil"],  # Russian, German, French, Spanish
]


def test_markup_guesses_the_phone_column_from_the_header_and_highlights_it(page, login, tmp_path):
    user = UserFactory()
    login(user.email, TEST_PASSWORD)
    for n, word in enumerate(HEADER_WORDS):
        header = ["Reference", "Delivery date", word, "Name"]
        markup_page_of(page, user.customer, tmp_path, header, GUESS_ROWS, f"Guess {n}")
        expect(page.locator("#id_phone_column")).to_have_value("2")
        # The column's input, the file's header row and each data row.
        assert highlighted(page) == ["2"] * (2 + len(GUESS_ROWS)), word
        expect(page.locator("#preview th.phone-column")).to_have_css("background-color", "rgb(232, 240, 254)")


def test_markup_guesses_from_the_content_and_the_highlight_follows_the_choice(page, login, tmp_path):
    user = UserFactory()
    login(user.email, TEST_PASSWORD)
    # The file: no phone word in the header, a delivery_date column of 8-digit dates last.
    rows = [[f"Person {n}", f"A-{n}", f"07400 1000{n:02d}", f"2026121{n}"] for n in range(4)]
    markup_page_of(page, user.customer, tmp_path, ["name", "code", "contact", "delivery_date"], rows, "Content")
    expect(page.locator("#id_phone_column")).to_have_value("2")
    assert highlighted(page) == ["2"] * 6
    page.select_option("#id_phone_column", "3")
    expect(page.locator("#preview th.phone-column")).to_have_attribute("data-column", "3")
    assert highlighted(page) == ["3"] * 6


def test_a_file_of_another_type_is_refused_by_its_extension(page, login, tmp_path, screenshot):
    user = UserFactory()
    path = tmp_path / "notes.pdf"
    path.write_text("hello\n", encoding="utf-8")
    login(user.email, TEST_PASSWORD)
    page.get_by_role("link", name="Distribution lists").click()
    page.fill("#id_name", "Notes")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="Upload and mark up").click()
    expect(page.locator("#upload-form")).to_contain_text(
        "notes.pdf is a .pdf file; upload a CSV, TXT, TSV, XLS, XLSX or ODS file."
    )
    screenshot(page, "list-upload-pdf")
