"""The OpenAPI schema documents the API's one error envelope (``telephony.api_errors``) on every operation.

A drf-spectacular post-processing hook: each operation gets the error answers
it can give, each with the ``Error`` schema (a ``detail`` string, field errors
beside it), so a client and schemathesis know every status an operation
answers. Which ones:

- 400: an operation with parameters or a body (invalid input);
- 401: a secured operation (no token, or a wrong one);
- 403: every operation (not allowed: a user without a customer, a DNI request from another site);
- 404: an operation with path ids (another customer's or an unknown id) or pages;
- 413, 415: an operation with a body (too large; a media type it does not read);
- 429: every operation (``API_RATE``; the DNI endpoint's own limits).

An operation's own description of a status is kept; its body schema becomes the envelope.
"""

from __future__ import annotations

ERROR = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": "The API's one error envelope: `detail` says what is wrong; an invalid request adds "
    "its field errors beside it, keyed and nested as in the request body.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "additionalProperties": True,
}
DESCRIPTIONS = {
    "400": "Invalid input: `detail`, and the fields named beside it.",
    "401": "No API token, or a wrong or revoked one.",
    "403": "Not allowed.",
    "404": "Not found (an unknown id, or another customer's).",
    "413": "The request body is too large.",
    "415": "The request body's media type is not one this operation reads.",
    "429": "Too many requests: `Retry-After` says in how many seconds to try again.",
}
METHODS = {"get", "put", "post", "patch", "delete", "options", "head", "trace"}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR] = ERROR_SCHEMA
    secured_by_default = bool(result.get("security"))
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in METHODS:
                continue
            _document(operation, secured_by_default)
    return result


def _document(operation: dict, secured_by_default: bool) -> None:
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    security = operation.get("security")
    # An empty requirement ({}) in the list means "no token needed" (a public operation).
    secured = bool(security) and {} not in security if security is not None else secured_by_default
    codes = ["403", "429"]
    if parameters or has_body:
        codes.append("400")
    if secured:
        codes.append("401")
    # A path id that is unknown or another customer's; a ?page= past the last page ("Invalid page.").
    if any(p.get("in") == "path" or (p.get("in") == "query" and p.get("name") == "page") for p in parameters):
        codes.append("404")
    if has_body:
        codes += ["413", "415"]
    responses = operation.setdefault("responses", {})
    for code in sorted(codes):
        response = responses.setdefault(code, {"description": DESCRIPTIONS[code]})
    for code, response in responses.items():
        if code.startswith("4") or code.startswith("5"):
            response["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR}"}}}
            if code == "429":
                response.setdefault("headers", {})["Retry-After"] = {
                    "schema": {"type": "integer"},
                    "description": "Seconds until a request is allowed again.",
                }
