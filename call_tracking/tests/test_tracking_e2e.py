"""swap.js in a real browser: a page of the customer's site gets its number replaced."""

import http.server
import re
import threading

import pytest

from call_tracking.models import DNISession
from call_tracking.rules import number_formats
from call_tracking.tests.factories import TrackingPoolFactory

pytestmark = pytest.mark.e2e

SITE_PAGE = """<!doctype html>
<html><head><title>Shop</title></head>
<body>
  <p id="text">Call us on 0101 123 1234 today, or on 020 7946 0000.</p>
  <p id="international">From abroad: +44 (101) 123-1234</p>
  <a id="link" href="tel:+441011231234">Call now</a>
  <a id="other" href="tel:02079460000">Head office</a>
  <script src="{script}" data-pool="{key}" async></script>
</body></html>"""


@pytest.fixture
def customer_site():
    """The customer's web site: another origin (127.0.0.1, another port) serving one page."""
    pages: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages["html"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", pages
    server.shutdown()
    server.server_close()


def test_swap_js_replaces_the_number_in_text_and_tel_links(page, live_server, customer_site):
    site, pages = customer_site
    pool = TrackingPoolFactory(numbers=2, numbers_to_replace=["01011231234"], site_domains=["127.0.0.1"])
    pages["html"] = SITE_PAGE.format(script=f"{live_server.url}/static/js/swap.js", key=pool.public_key)

    page.goto(f"{site}/landing?gclid=test-click")
    page.wait_for_selector("html[data-dialtone-number]", state="attached")

    session = DNISession.objects.get()
    formats = number_formats(session.number.did.number)
    assert page.locator("#text").inner_text() == f"Call us on {formats['national']} today, or on 020 7946 0000."
    bracketed = re.sub(r"^(\+\d+) (\d+) ", r"\1 (\2) ", formats["international"])
    assert page.locator("#international").inner_text() == f"From abroad: {bracketed}"
    assert page.locator("#link").get_attribute("href") == f"tel:{formats['e164']}"
    assert page.locator("#other").get_attribute("href") == "tel:02079460000"
    assert session.url_params == {"gclid": "test-click"}
    # Content added after the swap gets the tracking number too.
    page.evaluate(
        """() => { const p = document.createElement("p"); p.id = "late";
                   p.innerHTML = 'Late: <a href="tel:01011231234">0101-123-1234</a>';
                   document.body.appendChild(p); }"""
    )
    page.wait_for_function("document.querySelector('#late a').getAttribute('href') !== 'tel:01011231234'")
    assert page.locator("#late").inner_text() == f"Late: {formats['national'].replace(' ', '-')}"
    assert page.locator("#late a").get_attribute("href") == f"tel:{formats['e164']}"
    # The visitor id is kept in a first-party cookie: the next page view keeps the number.
    cookie = {c["name"]: c["value"] for c in page.context.cookies()}["dt_visitor"]
    assert session.visitor_id == cookie
    page.goto(f"{site}/contact")
    page.wait_for_selector("html[data-dialtone-number]", state="attached")
    assert DNISession.objects.count() == 1 and DNISession.objects.get().page_views == 2


def test_swap_js_replaces_every_phone_number_with_replace_all_numbers(page, live_server, customer_site):
    site, pages = customer_site
    pool = TrackingPoolFactory(numbers=1, numbers_to_replace=[], replace_all_numbers=True, site_domains=["127.0.0.1"])
    pages["html"] = SITE_PAGE.format(script=f"{live_server.url}/static/js/swap.js", key=pool.public_key)

    page.goto(f"{site}/?gclid=x")
    page.wait_for_selector("html[data-dialtone-number]", state="attached")

    formats = number_formats(DNISession.objects.get().number.did.number)
    assert page.locator("#text").inner_text() == (
        f"Call us on {formats['national']} today, or on {formats['national']}."
    )
    assert page.locator("#other").get_attribute("href") == f"tel:{formats['e164']}"


# How a site writes its number, and how the tracking number must then read:
# the whole written number goes, the page's style stays.
WRITTEN_FORMS = [
    ("+44 (0)1011 231 234", lambda f: f["international"].replace("+44 ", "+44 (0)")),
    ("+44 1011 231234", lambda f: f["international"]),
    ("+44 (101) 123-1234", lambda f: re.sub(r"^(\+\d+) (\d+) ", r"\1 (\2) ", f["international"])),
    ("0044 101 123 1234", lambda f: "00" + f["international"][1:]),
    ("+441011231234", lambda f: f["e164"]),
    ("01011231234", lambda f: f["national"].replace(" ", "")),
    ("0101 123 1234", lambda f: f["national"]),
    ("0101.123.1234", lambda f: f["national"].replace(" ", ".")),
    ("0101-123-1234", lambda f: f["national"].replace(" ", "-")),
    ("(0101) 123 1234", lambda f: re.sub(r"^(\d+) ", r"(\1) ", f["national"])),
    ("0044.101.123.1234", lambda f: "00" + f["international"][1:].replace(" ", ".")),
    ("+44.101.123.1234", lambda f: f["international"].replace(" ", ".")),
]


def test_swap_js_replaces_the_whole_number_in_every_formatting(page, live_server, customer_site):
    site, pages = customer_site
    pool = TrackingPoolFactory(numbers=1, numbers_to_replace=["01011231234"], site_domains=["127.0.0.1"])
    paragraphs = "".join(f'<p id="n{i}">Call [{written}] now</p>' for i, (written, _) in enumerate(WRITTEN_FORMS))
    pages["html"] = (
        f"<!doctype html><html><body>{paragraphs}"
        f'<script src="{live_server.url}/static/js/swap.js" data-pool="{pool.public_key}" async></script>'
        "</body></html>"
    )

    page.goto(f"{site}/?gclid=x")
    page.wait_for_selector("html[data-dialtone-number]", state="attached")

    formats = number_formats(DNISession.objects.get().number.did.number)
    seen = {written: page.locator(f"#n{i}").inner_text() for i, (written, _) in enumerate(WRITTEN_FORMS)}
    assert seen == {written: f"Call [{expected(formats)}] now" for written, expected in WRITTEN_FORMS}
