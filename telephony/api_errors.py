"""One error envelope for every API answer (``/api/`` and ``/v3/api/``), whatever raised the error.

Every error is a JSON object with a ``detail`` string saying what is wrong; an
invalid request adds its field errors beside it, keyed as in the request body
(``{"detail": "...", "name": ["..."], "call_routes": {"route": {...}}}``).
A throttled request (429) says in ``Retry-After`` and ``detail`` when to retry.

Three places produce it: DRF's exception handler (errors of API views), the
JSON parser (bodies nested too deep for the decoder), and a middleware for
what never reaches a view (unknown URLs, bodies over the size limit, Django's
own error pages).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import JsonResponse
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

API_PREFIXES = ("/api/", "/v3/api/")
# Pages under the prefixes that are not the API's JSON (the schema is YAML or JSON, the docs HTML).
NOT_JSON = ("/api/docs/",)

TOO_LARGE = "The request body is larger than {limit} bytes."
TOO_DEEP = "JSON parse error: nested deeper than {depth} levels."
INVALID = "Invalid input: see the fields named."


def max_json_depth() -> int:
    return settings.API_MAX_JSON_DEPTH


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def _too_large() -> str:
    return TOO_LARGE.format(limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def _depth_exceeds(value, limit: int) -> bool:
    """Whether ``value`` nests lists or objects deeper than ``limit``, walked without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, refusing (400) a body nested deeper than ``API_MAX_JSON_DEPTH``.

    The decoder itself recurses: thousands of levels raise ``RecursionError``,
    which DRF's parser does not catch (a 500).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(TOO_DEEP.format(depth=max_json_depth())) from None
        if _depth_exceeds(data, max_json_depth()):
            raise exceptions.ParseError(TOO_DEEP.format(depth=max_json_depth()))
        return data


def envelope(detail, *, fallback: str) -> dict:
    """DRF's error data (a string, a list or a field map) in the one envelope."""
    if isinstance(detail, dict):
        if set(detail) == {"detail"}:
            return {"detail": str(detail["detail"])}
        return {"detail": INVALID, **detail}
    if isinstance(detail, list):
        return {"detail": str(detail[0]) if detail else fallback, "non_field_errors": detail}
    return {"detail": str(detail) if detail else fallback}


def api_exception_handler(exc, context):
    """DRF's handler, then the envelope; a body over the size limit is 413."""
    from rest_framework.views import exception_handler  # not at import: DRF's settings import this module

    if isinstance(exc, (RequestDataTooBig, TooManyFieldsSent)):
        exc = PayloadTooLarge(_too_large())
    elif isinstance(exc, RecursionError):  # any other parser of a body nested too deep
        exc = exceptions.ParseError(TOO_DEEP.format(depth=max_json_depth()))
    response = exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's handler answers, the middleware makes it JSON
    response.data = envelope(response.data, fallback=response.status_text)
    return response


def is_api(path: str) -> bool:
    return path.startswith(API_PREFIXES) and not path.startswith(NOT_JSON)


class ApiErrorMiddleware:
    """API paths: refuse an over-size body before anything reads it (413), and answer JSON on every error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api(request.path_info):
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": "The Content-Length header is not a number."}, status=400)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        # Django's own rule: the limit is on bodies read whole; a multipart upload's files are
        # streamed to disk and limited by their own setting.
        multipart = request.content_type == "multipart/form-data"
        if limit is not None and length > limit and not multipart:
            return JsonResponse({"detail": _too_large()}, status=413)
        response = self.get_response(request)
        if response.status_code < 400:
            return response
        if not _is_json(response):
            return _as_json(response)
        return _with_detail(response)


def _is_json(response) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def _with_detail(response):
    """A view's own error body (a field map it built) put in the envelope."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return response
    if not isinstance(body, dict) or isinstance(body.get("detail"), str):
        return response
    response.content = json.dumps(envelope(body, fallback=response.reason_phrase))
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
    return response


def _as_json(response) -> JsonResponse:
    answer = JsonResponse({"detail": response.reason_phrase + "."}, status=response.status_code)
    for name in ("Allow", "Retry-After", "WWW-Authenticate"):
        if response.has_header(name):
            answer[name] = response[name]
    return answer
