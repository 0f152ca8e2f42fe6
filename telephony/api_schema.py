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

from django.core.validators import RegexValidator
from drf_spectacular import openapi
from drf_spectacular.plumbing import append_meta, build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers

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


# --- what a request field accepts, said in the schema ------------------------------------

# DRF's CharField refuses a NUL anywhere (ProhibitNullCharactersValidator) and, unless the field may be
# blank, a value that is only spaces once stripped (``str.strip``).
# Python's whitespace (``str.isspace``), spelled out: ``\s`` means less in ECMA regexes (no \x1c-\x1f, \x85).
SPACES = r"\t-\r\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NO_NUL = r"^[^\u0000]+$"
NON_BLANK = rf"^[^\u0000]*[^{SPACES}\u0000][^\u0000]*$"


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, saying what DRF's fields check and it leaves out.

    - A string of a request: no NUL, and when it may not be blank, something other than spaces
      (DRF strips it first, so ``"  "`` is blank: ``minLength`` alone counts the spaces). A field
      with its own pattern or an enum keeps that one. A string that may be blank gets drf-spectacular's
      ``oneOf`` with the empty string beside the pattern.
    - A file field of a request is the file's bytes (``format: binary``), not a URL.
    - A field's or serializer's ``schema_extra`` (``telephony.api_helpers.SchemaCharField``, a rule across
      fields such as ``anyOf``) is added to its schema.
    - A DELETE whose view declares its body (``extend_schema(request=...)``) documents it.
    """

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if (
            direction != "request"
            or not isinstance(field, serializers.CharField)
            or field.read_only
            or "enum" in getattr(field, "schema_extra", {})
        ):
            return meta
        if not field.allow_blank:
            meta["minLength"] = max(meta.get("minLength", 0), 1)
        if not any(isinstance(v, RegexValidator) for v in field.validators):
            meta["pattern"] = NON_BLANK if field.trim_whitespace and not field.allow_blank else NO_NUL
        return meta

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if direction == "request" and isinstance(field, serializers.FileField):
            binary = build_basic_type(OpenApiTypes.BINARY)
            assert binary is not None  # None only for a type drf-spectacular does not know
            return append_meta(binary, self._get_serializer_field_meta(field, direction))
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # What a field's own checks accept, stated by the field (telephony.api_helpers.SchemaCharField).
        extra = getattr(field, "schema_extra", None)
        return {**schema, **extra} if extra and "$ref" not in schema else schema

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        # A rule across fields that JSON Schema can state (anyOf, not), declared by the serializer.
        extra = getattr(serializer, "schema_extra", None)
        return {**schema, **extra} if extra and direction == "request" else schema

    def _get_serializer(self):
        # While a DELETE's body is looked up: only the one its view declares, not the view's own serializer.
        return None if getattr(self, "_only_declared", False) else super()._get_serializer()

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        # drf-spectacular documents no body on DELETE; one whose view names its body (extend_schema(request=))
        # reads one, so the schema says which.
        self._only_declared = True
        try:
            serializer = self.get_request_serializer()
        finally:
            self._only_declared = False
        if serializer is None:
            return None
        schema, _ = self._get_request_for_media_type(serializer, direction)
        return {"content": {media_type: {"schema": schema} for media_type in self.map_parsers()}, "required": True}
