"""The cross-tenant walker (DESIGN.md, "Tenancy").

It discovers every URL pattern of the dashboard and the APIs by itself, fills
each captured argument with an id of one of Alice's objects, requests it as
Bob, and reports every answer that is not a 404 (or a 405 for a method the
view does not take). Pages without arguments must not show Alice's marker.

How to make one of Alice's objects for a URL argument is registered with
``@alice_object("argument_name")`` in an app's ``tests/tenancy.py``. A URL
whose argument nobody registered is itself a failure, so a new view cannot be
forgotten.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.module_loading import autodiscover_modules

# Alice's objects carry this in their names; Bob must never see it.
MARKER = "alice-only-7f3e"

# Not customer data: the admin (staff only), authentication, health, the site's
# icon, the API schema and documentation.
EXCLUDED_PREFIXES = (
    "admin/",
    "static/",
    "media/",
    "healthz",
    "favicon.ico",
    "login/",
    "logout/",
    "password/",
    "api/schema",
    "api/docs",
)
# Public endpoints that are not scoped to a logged-in customer are listed here
# with the reason, and get tests of their own.
PUBLIC_URL_NAMES: dict[str, str] = {
    # Call tracking (call_tracking/tests/test_tracking_dni.py, test_tracking_calls.py):
    "tracking_dni": "visitors of a customer's web site, keyed by the pool's public key; answers only "
    "for pages of the pool's site domains",
    "tracking_incoming_call": "the telephone platform, authenticated by its own token (TRACKING_PLATFORM_TOKEN)",
}

MAKERS: dict[str, Callable] = {}


def alice_object(argument: str):
    """Register how to make one of Alice's objects whose id fills ``argument``."""

    def register(make: Callable) -> Callable:
        MAKERS[argument] = make
        return make

    return register


def load_makers() -> dict[str, Callable]:
    autodiscover_modules("tests.tenancy")
    return MAKERS


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, for reverse()
    route: str  # the pattern as written, for messages
    arguments: tuple[str, ...]


def discover_routes(urlconf: str | None = None) -> Iterator[Route]:
    def walk(patterns, prefix: str, namespace: str, arguments: tuple[str, ...]):
        for entry in patterns:
            text = str(entry.pattern)
            captured = tuple(entry.pattern.regex.groupindex)
            if isinstance(entry, URLResolver):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, prefix + text, ns, arguments + captured)
            elif isinstance(entry, URLPattern):
                route = prefix + text
                if route.lstrip("^").startswith(EXCLUDED_PREFIXES):
                    continue
                name = f"{namespace}{entry.name}" if entry.name else ""
                yield Route(name=name, route=route, arguments=arguments + captured)

    yield from walk(get_resolver(urlconf).url_patterns, "", "", ())


def is_api(route: Route) -> bool:
    return route.route.lstrip("^").startswith(("api/", "v3/"))


def walk(bob_client, alice, *, urlconf: str | None = None, bob_token: str | None = None) -> list[str]:
    """Request every discovered URL as Bob with Alice's ids; return what went wrong."""
    makers = load_makers()
    problems: list[str] = []
    ids: dict[str, object] = {}
    headers = {"HTTP_AUTHORIZATION": f"Bearer {bob_token}"} if bob_token else {}
    for route in discover_routes(urlconf):
        if route.name.split(":")[-1] in PUBLIC_URL_NAMES:
            continue
        if not route.name:
            problems.append(f"{route.route}: unnamed URL pattern, cannot be walked")
            continue
        missing = [arg for arg in route.arguments if arg not in makers]
        if missing:
            problems.append(f"{route.route}: no @alice_object for {', '.join(missing)}")
            continue
        kwargs = {}
        for arg in route.arguments:
            if arg not in ids:
                ids[arg] = makers[arg](alice)
            kwargs[arg] = ids[arg]
        url = reverse(route.name, urlconf=urlconf, kwargs=kwargs)
        methods = ["get", "post", "put", "patch", "delete"] if is_api(route) else ["get", "post"]
        for method in methods:
            response = getattr(bob_client, method)(url, **headers)
            if kwargs:
                if response.status_code not in (404, 405):
                    problems.append(f"{method.upper()} {url} ({route.name}) answered {response.status_code}, not 404")
            elif method == "get" and MARKER in response.content.decode(errors="replace"):
                problems.append(f"GET {url} ({route.name}) shows Alice's data")
    return problems
