"""In the browser: upload, mark up, watch the progress bar reach ready, fix a row and see it move.

The import runs in a background thread of the test process instead of a
Celery worker (the integration test runs a real worker). It pauses after its
first chunk until the page has shown that progress, so the bar is seen moving
without any sleeping or timing.
"""

import threading

import pytest
from playwright.sync_api import expect

from customers.tests.factories import TEST_PASSWORD, UserFactory
from distribution_lists import services, tasks

pytestmark = pytest.mark.e2e


@pytest.fixture
def paused_worker(monkeypatch, settings):
    settings.DISTRIBUTION_LIST_CHUNK_ROWS = 100
    first_chunk_saved = threading.Event()
    resume = threading.Event()
    real_run_import = services.run_import

    def run_import(table, markup, consumer, *, on_progress, **kwargs):
        def progress(done, total):
            on_progress(done, total)
            if not first_chunk_saved.is_set():
                first_chunk_saved.set()
                resume.wait(timeout=30)

        return real_run_import(table, markup, consumer, on_progress=progress, **kwargs)

    monkeypatch.setattr(services, "run_import", run_import)
    threads = []

    def delay(list_id):
        def work():
            from django.db import connection

            try:
                services.distribution_list_import(list_id=list_id)
            finally:
                connection.close()

        thread = threading.Thread(target=work, daemon=True)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr(tasks.import_distribution_list, "delay", delay)
    yield resume
    resume.set()
    for thread in threads:
        thread.join(timeout=30)


def test_upload_markup_progress_and_fix(page, login, paused_worker, tmp_path):
    user = UserFactory()
    path = tmp_path / "customers.csv"
    lines = ["Phone;Name"] + [f"07400 1{n:05d};Person {n}" for n in range(300)] + ["07400 12;Short Number"]
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

    # The bar shows the first chunk read while the import is paused...
    expect(page.locator("#progress-text")).to_have_text("100 of 301 rows read")
    expect(page.locator(".progress")).to_have_attribute("aria-valuenow", "33")
    paused_worker.set()
    # ...and the page turns to ready by itself when the import ends.
    expect(page.locator("#list-status .badge")).to_have_text("ready")
    expect(page.locator("#correct-rows")).to_contain_text("+447400100000")
    expect(page.locator("#tab-incorrect")).to_have_text("Incorrect (1)")

    page.locator("#tab-incorrect").click()
    expect(page.locator("#incorrect-rows")).to_contain_text("is not a valid number for GB")
    page.locator("#incorrect-rows a.fix-row").first.click()
    expect(page.locator("body")).to_contain_text("Short Number")
    page.fill("#id_phone", "07400 123")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".errors")).to_contain_text("is not a valid number for GB")
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
