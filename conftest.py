"""Shared fixtures: customers and their users, service checks for the integration
and e2e markers, and a Playwright browser on the system Chromium."""

import os
import shutil

import pytest

from customers.tests.factories import CustomerFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def missing(reason: str) -> None:
    """Skip with a visible reason; under CI=true a missing service is a failure."""
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def _redis_reachable() -> str | None:
    from django.conf import settings

    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        return "CELERY_BROKER_URL is not Redis (run through `make test`)"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"Redis at {url} is unreachable: {exc}"
    return None


@pytest.fixture(autouse=True)
def _require_services(request):
    if request.node.get_closest_marker("integration"):
        from django.db import connection

        if connection.vendor != "postgresql":
            missing("integration tests need PostgreSQL (DATABASE_URL); run them through `make test`")
        problem = _redis_reachable()
        if problem:
            missing(problem)
    if request.node.get_closest_marker("e2e") and not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        missing(f"e2e tests need Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture
def simulator(settings):
    """The call simulator without delays, answering every call for 30 s unless a test says otherwise.

    The one copy of these settings for every test that plays calls in-process
    (campaigns/tests/dialer, dnc, compliance, privacy use it autouse).
    """
    settings.DIALER_GATEWAY = "telephony.gateways.simulator.SimulatorGateway"
    settings.DIALER_SIM_ZERO_DELAY = True
    settings.DIALER_SIM_MIX = {"200": 1}
    settings.DIALER_SIM_TALK_SECONDS = (30, 30)
    settings.DIALER_SIM_OVERRIDES = {}
    settings.DIALER_MAX_CALLS = 200
    settings.DIALER_CALL_THREADS = 200
    settings.DIALER_MAX_CALLS_PER_SECOND = 100
    settings.DIALER_LEASE_SECONDS = 120
    return settings


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def customer_user(customer):
    return UserFactory(customer=customer)


@pytest.fixture
def customer_client(client, customer_user):
    client.force_login(customer_user)
    return client


@pytest.fixture
def admin_user(db):
    return UserFactory(is_staff=True, is_superuser=True, customer=None)


# --- Browser ----------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; Django refuses
    # ORM calls from a thread with a running loop unless told it is safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not os.path.exists(CHROMIUM):
        missing(f"e2e tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(page):
    """Log ``page`` in through the real login form."""

    def log_in(email: str, password: str) -> None:
        page.goto("/login/")
        page.fill("#id_username", email)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()

    return log_in


@pytest.fixture
def screenshot(tmp_path):
    """``screenshot(page, "name")``: a full-page PNG in ``E2E_SCREENSHOTS`` (e.g. docs/screenshots) when set,
    else in the test's temporary folder, so that a plain test run leaves the work tree alone."""
    from pathlib import Path

    def take(page, name: str) -> Path:
        folder = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(autouse=True)
def _compliance_rules(request, monkeypatch):
    """The platform's legal calling hours and contact caps apply only to tests marked ``compliance``.

    The shipped table (e.g. GB 08:00–21:00) would otherwise make every dialer
    test depend on the hour it runs at, and the caps every repeat test on the
    default of 3 attempts a day. Marked tests read their own database's rules,
    never a cache left by another test.
    """
    from django.conf import settings

    from compliance import caps, selectors

    selectors.legal_rules_forget()
    if not request.node.get_closest_marker("compliance"):
        monkeypatch.setattr(selectors, "legal_rules", lambda: ())
        monkeypatch.setattr(caps, "caps_for", lambda customer_id: (10**9, 10**9))
        monkeypatch.setattr(settings, "COMPLIANCE_A_NUMBER_CALLS_PER_DAY", 10**9)
    yield
    selectors.legal_rules_forget()
