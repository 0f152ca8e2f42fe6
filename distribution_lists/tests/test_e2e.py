"""In the browser: upload, mark up, watch the progress bar reach ready, fix a row and see it move.

The import runs in the test process instead of a Celery worker (the
integration test runs a real worker).
"""

import pytest
from playwright.sync_api import expect

from customers.tests.factories import TEST_PASSWORD, UserFactory
from distribution_lists import services, tasks

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
    monkeypatch.setattr(tasks.import_distribution_list, "delay", queued.append)
    real_run_import = services.run_import

    class Worker:
        def run(self, check):
            checked = []

            def run_import(table, markup, consumer, *, on_progress, **kwargs):
                def progress(done, total):
                    on_progress(done, total)
                    if not checked:
                        checked.append(done)
                        check()

                return real_run_import(table, markup, consumer, on_progress=progress, **kwargs)

            monkeypatch.setattr(services, "run_import", run_import)
            while queued:
                services.distribution_list_import(list_id=queued.pop(0))
            assert checked, "the import never reported progress"

    return Worker()


def test_upload_markup_progress_and_fix(page, login, worker, tmp_path):
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

    expect(page.locator("#progress-text")).to_have_text("0 of 302 rows read")

    def first_chunk_is_shown():
        expect(page.locator("#progress-text")).to_have_text("100 of 301 rows read")
        expect(page.locator(".progress")).to_have_attribute("aria-valuenow", "33")

    # The bar follows the import while it runs...
    worker.run(first_chunk_is_shown)
    # ...and the page turns to ready by itself when the import ends.
    expect(page.locator("#list-status .badge")).to_have_text("ready")
    expect(page.locator("#correct-rows")).to_contain_text("+447400100000")
    expect(page.locator("#tab-incorrect")).to_have_text("Incorrect (1)")

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
