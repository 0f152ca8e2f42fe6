"""The DNI endpoint: swap.js asks, once per page view, which site numbers become which tracking number.

Every page view of every customer site calls it, so it is served without
Django's middleware and DRF. ``telephony/wsgi.py`` hands ``/v3/api/dni/<key>``
to ``serve_first`` before Django sees the request. The Django URL
(``views.DNIView``, for the test client, the live server and the OpenAPI
schema) calls the same ``page_view``.

Through the full stack a page view cost about 2.9 ms of CPU, and the answer
itself (its statement and its JSON) was under a third of that. None of the
middleware applies here: there is no session, user, CSRF (a public POST),
redirect or HTML. The headers the security middleware would add to a JSON
answer are set here. The Host header is not checked against ALLOWED_HOSTS
because the answer builds no URL from it.

Public, keyed by the pool's public key. It answers only for a page of one of
the pool's site domains (the landing URL, and the Origin when a browser sends
one), so the key alone does not reveal the pool's numbers elsewhere.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import close_old_connections

from call_tracking import rules, selectors, services
from call_tracking.api import rate_limits
from telephony.api_errors import envelope

PATH_PREFIX = "/v3/api/dni/"
# Three fields of at most 2,000 characters, percent-encoded, with room to spare.
MAX_BODY_BYTES = 32 * 1024
VISITOR = re.compile(r"[A-Za-z0-9_-]{8,64}")
# What ``new_public_key`` makes (URL-safe base64): anything else is no pool's key, answered without a query.
PUBLIC_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Characters no URL or referrer holds and PostgreSQL cannot store (NUL), or that are not text (lone surrogates).
NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
MAX_LENGTH = 2000
FORM = "application/x-www-form-urlencoded"

logger = logging.getLogger("django.request")


@dataclass
class Reply:
    """An answer; an error's ``body`` is in the API's one envelope (``error``)."""

    status: int
    body: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def content(self) -> bytes:
        if self.body is None:
            return b""
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":"), default=_iso).encode()


def error(status: int, detail: str | dict, headers: dict[str, str] | None = None) -> Reply:
    """An error in the envelope of every other API answer (``telephony.api_errors``): ``detail``, and
    the fields named beside it when ``detail`` is DRF's field map."""
    return Reply(status, envelope(detail, fallback=_REASONS.get(status, "Error")), headers or {})


def _iso(value) -> str:
    # As DRF writes a datetime: ISO 8601, UTC as "Z".
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def page_view(
    *, method: str, public_key: str, origin: str, content_type: str, body: bytes, ip: str | None, ident: str
) -> Reply:
    """The answer to one request from the peer ``ip``; ``ident`` names the client for the rate limits."""
    pool = selectors.tracking_pool_by_public_key(public_key) if PUBLIC_KEY.fullmatch(public_key) else None
    site = pool is not None and bool(origin) and site_allows(pool, origin)
    reply = _answer(pool, method, public_key, origin, site, content_type, body, ip, ident)
    if site:
        # Refusals too: the page's script can read why.
        reply.headers.update(
            {
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": "POST, OPTIONS",
                "Access-Control-Allow-Headers": "Content-Type",
                "Access-Control-Max-Age": "86400",
            }
        )
    reply.headers.update({"Vary": "Origin", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
    return reply


def site_allows(pool, url_or_origin: str) -> bool:
    host = rules._host(url_or_origin)
    return bool(host) and any(host == d or host.endswith("." + d) for d in pool.site_domains)


def _answer(pool, method, public_key, origin, site, content_type, body, ip, ident) -> Reply:
    if pool is None:
        return error(404, "Not found.")
    if method == "OPTIONS":  # a CORS preflight (a JSON body); swap.js itself sends a simple form POST
        return Reply(204)
    if method != "POST":
        return error(405, f'Method "{method}" not allowed.', {"Allow": "POST, OPTIONS"})
    data = _read(content_type, body)
    if isinstance(data, Reply):
        return data
    wait = rate_limits.refused(public_key=public_key, visitor=str(data.get("visitor", "")), ident=ident)
    if wait is not None:
        return error(429, f"Request was throttled. Expected available in {wait} seconds.", {"Retry-After": str(wait)})
    errors = _errors(data)
    if errors:
        return error(400, errors)
    visitor, referrer, url = data["visitor"], data.get("referrer", ""), data["url"]
    if (origin and not site) or not site_allows(pool, url):
        return error(403, "This site is not one of the pool's site domains.")
    answer = services.dni_visit(pool=pool, visitor_id=visitor, referrer=referrer, landing_url=url, ip=ip)
    if not answer.replace:
        return Reply(200, {"replace": False, "reason": answer.reason})
    country = (pool.phone_number_request or {}).get("iso_country", "")
    return Reply(
        200,
        {
            "replace": True,
            "tracking_number": answer.tracking_number,
            "formats": rules.number_formats(answer.tracking_number),
            "replace_all_numbers": pool.replace_all_numbers,
            "numbers_to_replace": [
                {"number": number, "variants": rules.number_variants(number, country)}
                for number in pool.numbers_to_replace
            ],
            "expires_at": answer.expires_at,
            "visitor": visitor,
        },
    )


def _read(content_type: str, body: bytes) -> dict | Reply:
    """The fields of a form or JSON body (first value of each), or the refusal."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if len(body) > MAX_BODY_BYTES:
        return error(413, f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    text = body.decode("utf-8", errors="replace")
    if media_type == FORM:
        return {name: value for name, value in reversed(urllib.parse.parse_qsl(text, keep_blank_values=True))}
    if media_type == "application/json":
        try:
            data = json.loads(text or "{}")
        except RecursionError:
            return error(400, "JSON parse error: nested too deep.")
        except ValueError as exc:
            return error(400, f"JSON parse error - {exc}")
        return data if isinstance(data, dict) else error(400, "Expected a JSON object.")
    return error(415, f'Unsupported media type "{media_type}" in request. Send {FORM} or application/json.')


def _errors(data: dict) -> dict[str, list[str]]:
    """DRF's shape: each field with its messages. Unknown fields are ignored."""
    errors = {}
    for name, required in (("visitor", True), ("url", True), ("referrer", False)):
        value = data.get(name)
        if value is None:
            if required:
                errors[name] = ["This field is required."]
            continue
        if not isinstance(value, str):
            errors[name] = ["Not a valid string."]
            continue
        value = data[name] = value.strip()
        if name == "visitor" and not VISITOR.fullmatch(value):
            errors[name] = ["8 to 64 letters, digits, - or _."]
        elif required and not value:
            errors[name] = ["This field may not be blank."]
        elif len(value) > MAX_LENGTH:
            errors[name] = [f"Ensure this field has no more than {MAX_LENGTH} characters."]
        elif NOT_TEXT.search(value):
            errors[name] = ["Contains control characters or invalid Unicode."]
    return errors


# --- WSGI ------------------------------------------------------------------------------------------

_REASONS = {200: "OK", 204: "No Content", 400: "Bad Request", 403: "Forbidden", 404: "Not Found"}
_REASONS |= {405: "Method Not Allowed", 413: "Content Too Large", 415: "Unsupported Media Type"}
_REASONS |= {429: "Too Many Requests", 500: "Internal Server Error"}


def serve_first(django_app: Callable) -> Callable:
    """A WSGI application: DNI requests answered here, everything else by ``django_app``."""

    def application(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(PATH_PREFIX):
            return django_app(environ, start_response)
        reply = _serve(environ, path[len(PATH_PREFIX) :])
        content = reply.content()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(content)))]
        start_response(f"{reply.status} {_REASONS.get(reply.status, 'Error')}", headers + list(reply.headers.items()))
        return [content]

    return application


def _serve(environ, public_key: str) -> Reply:
    # What Django's request signals do that matters here: a database
    # connection past CONN_MAX_AGE, or left broken, is closed. Called, not
    # sent: the signals' other receivers (query log, URL conf, caches) do
    # nothing for a page view and cost CPU on the fast path (README, "Call
    # tracking", the benchmark).
    close_old_connections()
    try:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error(400, "The Content-Length header is not a number.")
        body = environ["wsgi.input"].read(min(length, MAX_BODY_BYTES + 1)) if length > 0 else b""
        return page_view(
            method=environ.get("REQUEST_METHOD", "GET").upper(),
            public_key=public_key,
            origin=environ.get("HTTP_ORIGIN", ""),
            content_type=environ.get("CONTENT_TYPE", ""),
            body=body,
            ip=environ.get("REMOTE_ADDR") or None,  # empty behind a Unix socket
            ident=rate_limits.client_ident(environ),
        )
    except Exception:
        logger.exception("Internal Server Error: %s", environ.get("PATH_INFO", ""))
        return error(500, "A server error occurred.")
    finally:
        close_old_connections()
