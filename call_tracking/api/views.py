"""The v3 API: a customer's call-tracking pools (the seed's "number pools of a group"), DNI and incoming calls.

Views only check access, read input and call ``call_tracking.services``.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from call_tracking import rules, selectors, services
from call_tracking.api import dni, rate_limits
from call_tracking.api import serializers as s
from call_tracking.models import TrackingNumber
from customers.tenancy import customer_of, get_scoped_or_404
from telephony.api_auth import BearerTokenAuthentication
from telephony.api_errors import BoundedJSONParser
from telephony.api_helpers import acting_user

DETAIL = OpenApiResponse(description="A message saying what is wrong.")


def _error_body(field: str, message: str) -> dict:
    """``a.b`` → ``{"a": {"b": [message]}}``, nested like DRF's own validation errors."""
    parts = field.split(".")
    body: dict = {parts[-1]: [message]}
    for part in reversed(parts[:-1]):
        body = {part: body}
    return body


def _refusal(exc: services.TrackingError) -> Response:
    if isinstance(exc, services.TrackingFieldError):
        return Response(_error_body(exc.field, str(exc)), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, services.ProvisioningError):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)


class CustomerInUrlMixin:
    # The seed calls the customer account a "group": ``group_id`` in the URL is a customer's id.
    # (The docstring below is the schema's description of these views.)
    """The group in the URL must be the caller's own customer account; anything else is 404."""

    # Pool bodies nest objects (phone_number_request, call_routes): JSON only. A form cannot carry
    # them, and DRF reads a missing nested object of a form as "not given" (a PATCH ignored in silence).
    parser_classes = [BoundedJSONParser]

    def customer_in_url(self, request, group_id: int):
        customer = customer_of(request)
        if customer is None or customer.pk != int(group_id):
            raise Http404("Not found.")
        return customer

    def pool_in_url(self, request, group_id: int, numberpool_id: int):
        customer = self.customer_in_url(request, group_id)
        return get_scoped_or_404(selectors.tracking_pools_for(customer), customer, pk=numberpool_id)


REPLACEMENT_DEFAULTS = {"numbers_to_replace": [], "replace_all_numbers": False, "tracking_sources": []}


def _update_fields(data: dict, *, whole: bool) -> dict:
    """The service's changes; with ``whole`` (PUT) a replacement block given replaces the stored one."""
    changes: dict = {}
    for name in ("name", "match_period", "site_domains", "exhaustion_policy"):
        if name in data:
            changes[name] = data[name]
    replacement = data.get("replacement_configuration")
    if replacement is not None:
        if whole:
            replacement = {**REPLACEMENT_DEFAULTS, **replacement}
        for name in ("numbers_to_replace", "replace_all_numbers", "tracking_sources"):
            if name in replacement:
                changes[name] = replacement[name]
    if "call_routes" in data:
        changes["termination_number"] = data["call_routes"]["route"]["termination_number"]
    return changes


@extend_schema(tags=["numberpools"])
class TrackingPoolListView(CustomerInUrlMixin, APIView):
    """The number pools of a group; POST provisions a new pool."""

    @extend_schema(operation_id="numberpools_list", responses={200: s.TrackingPoolPageSerializer})
    def get(self, request, group_id: int):
        customer = self.customer_in_url(request, group_id)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.tracking_pools_for(customer), request, view=self)
        return paginator.get_paginated_response([s.pool_body(pool) for pool in page])

    @extend_schema(
        operation_id="numberpools_create",
        request=s.TrackingPoolCreateSerializer,
        responses={201: s.TrackingPoolOutSerializer, 400: DETAIL, 409: DETAIL},
    )
    def post(self, request, group_id: int):
        customer = self.customer_in_url(request, group_id)
        serializer = s.TrackingPoolCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        replacement = data.get("replacement_configuration") or {}
        try:
            pool = services.tracking_pool_create(
                customer=customer,
                name=data["name"],
                match_period=data["match_period"],
                quantity=data["quantity"],
                phone_number_request=dict(data["phone_number_request"]),
                termination_number=data["call_routes"]["route"]["termination_number"],
                numbers_to_replace=replacement.get("numbers_to_replace", []),
                replace_all_numbers=replacement.get("replace_all_numbers", False),
                tracking_sources=[dict(source) for source in replacement.get("tracking_sources", [])],
                site_domains=data.get("site_domains", []),
                **({"exhaustion_policy": data["exhaustion_policy"]} if "exhaustion_policy" in data else {}),
                user=acting_user(request),
            )
        except services.TrackingError as exc:
            return _refusal(exc)
        return Response(s.pool_body(pool), status=status.HTTP_201_CREATED)


@extend_schema(tags=["numberpools"])
class TrackingPoolDetailView(CustomerInUrlMixin, APIView):
    @extend_schema(operation_id="numberpools_retrieve", responses={200: s.TrackingPoolOutSerializer})
    def get(self, request, group_id: int, numberpool_id: int):
        return Response(s.pool_body(self.pool_in_url(request, group_id, numberpool_id)))

    @extend_schema(
        operation_id="numberpools_partial_update",
        request=s.TrackingPoolUpdateSerializer,
        responses={200: s.TrackingPoolOutSerializer, 400: DETAIL},
    )
    def patch(self, request, group_id: int, numberpool_id: int, *, whole: bool = False):
        pool = self.pool_in_url(request, group_id, numberpool_id)
        serializer = s.TrackingPoolUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            services.tracking_pool_update(pool=pool, **_update_fields(serializer.validated_data, whole=whole))
        except services.TrackingError as exc:
            return _refusal(exc)
        return Response(s.pool_body(self.pool_in_url(request, group_id, numberpool_id)))

    @extend_schema(
        operation_id="numberpools_update",
        request=s.TrackingPoolUpdateSerializer,
        responses={200: s.TrackingPoolOutSerializer, 400: DETAIL},
    )
    def put(self, request, group_id: int, numberpool_id: int):
        # The seed's clients send the whole body back; numbers change through /numbers only.
        return self.patch(request, group_id, numberpool_id, whole=True)

    @extend_schema(operation_id="numberpools_destroy", responses={204: None})
    def delete(self, request, group_id: int, numberpool_id: int):
        pool = self.pool_in_url(request, group_id, numberpool_id)
        try:
            services.tracking_pool_delete(pool=pool, user=acting_user(request))
        except services.TrackingError as exc:
            return _refusal(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["numberpools"])
class TrackingPoolNumbersView(CustomerInUrlMixin, APIView):
    """The pool's numbers: GET lists, POST adds (quantity, phone_number_request), DELETE removes one."""

    @extend_schema(operation_id="numberpools_numbers_list", responses={200: s.NumberOutSerializer(many=True)})
    def get(self, request, group_id: int, numberpool_id: int):
        return Response(s.pool_body(self.pool_in_url(request, group_id, numberpool_id))["numbers"])

    @extend_schema(
        operation_id="numberpools_numbers_add",
        request=s.NumbersAddSerializer,
        responses={201: s.TrackingPoolOutSerializer, 409: DETAIL},
    )
    def post(self, request, group_id: int, numberpool_id: int):
        pool = self.pool_in_url(request, group_id, numberpool_id)
        serializer = s.NumbersAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.tracking_numbers_add(
                pool=pool,
                quantity=data["quantity"],
                phone_number_request=dict(data["phone_number_request"]) if "phone_number_request" in data else None,
                user=acting_user(request),
            )
        except services.TrackingError as exc:
            return _refusal(exc)
        return Response(s.pool_body(self.pool_in_url(request, group_id, numberpool_id)), status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="numberpools_numbers_remove",
        request=s.NumberRemoveSerializer,
        responses={200: s.TrackingPoolOutSerializer, 404: DETAIL},
    )
    def delete(self, request, group_id: int, numberpool_id: int):
        pool = self.pool_in_url(request, group_id, numberpool_id)
        serializer = s.NumberRemoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        numbers = TrackingNumber.objects.filter(pool=pool, removed_at__isnull=True)
        if data.get("id"):
            numbers = numbers.filter(pk=data["id"])
        if data.get("phone_number"):
            try:
                e164 = rules.parse_termination_number(data["phone_number"])
            except rules.RuleError as exc:
                return Response({"phone_number": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
            numbers = numbers.filter(did__number=e164)
        number = numbers.first()
        if number is None:
            raise Http404("This pool has no such number.")
        try:
            services.tracking_number_remove(number=number, user=acting_user(request))
        except services.TrackingError as exc:
            return _refusal(exc)
        return Response(s.pool_body(self.pool_in_url(request, group_id, numberpool_id)))


@extend_schema(tags=["numberpools"])
class TrackingPoolNumberView(CustomerInUrlMixin, APIView):
    @extend_schema(operation_id="numberpools_number_retrieve", responses={200: s.NumberOutSerializer})
    def get(self, request, group_id: int, numberpool_id: int, tracking_number_id: int):
        number = self._number(request, group_id, numberpool_id, tracking_number_id)
        return Response({"id": number.pk, "phone_number": number.did.number})

    @extend_schema(operation_id="numberpools_number_destroy", responses={204: None})
    def delete(self, request, group_id: int, numberpool_id: int, tracking_number_id: int):
        number = self._number(request, group_id, numberpool_id, tracking_number_id)
        try:
            services.tracking_number_remove(number=number, user=acting_user(request))
        except services.TrackingError as exc:
            return _refusal(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _number(self, request, group_id, numberpool_id, tracking_number_id) -> TrackingNumber:
        pool = self.pool_in_url(request, group_id, numberpool_id)
        number = (
            TrackingNumber.objects.select_related("did")
            .filter(pool=pool, pk=tracking_number_id, removed_at__isnull=True)
            .first()
        )
        if number is None:
            raise Http404("Not found.")
        return number


# --- dynamic number insertion (public) ---------------------------------------------------


class DNIView(APIView):
    """The DNI endpoint through Django: ``call_tracking.api.dni.page_view`` answers.

    Production traffic does not come here (``telephony/wsgi.py`` serves it
    first); the test client, the live server and the OpenAPI schema do.
    """

    # What the schema says: public. page_view does the rest (rate limits, JSON
    # whatever the Accept header), so DRF's checks and negotiation are skipped.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    # What page_view reads (a form from swap.js, or JSON): the schema offers no other body.
    parser_classes = [FormParser, BoundedJSONParser]

    def initial(self, request, *args, **kwargs):
        pass

    @extend_schema(
        tags=["dni"],
        request=s.VisitSerializer,
        responses={200: OpenApiResponse(description="replace, tracking_number, formats, numbers_to_replace, ...")},
    )
    def post(self, request, public_key: str):
        return self._answer(request, public_key)

    def options(self, request, public_key: str):
        return self._answer(request, public_key)

    def http_method_not_allowed(self, request, *args, **kwargs):
        return self._answer(request, kwargs.get("public_key", ""))

    @staticmethod
    def _answer(request, public_key: str) -> HttpResponse:
        reply = dni.page_view(
            method=request.method,
            public_key=public_key,
            origin=request.headers.get("Origin", ""),
            content_type=request.content_type or "",
            body=request._request.body,
            ip=request.META.get("REMOTE_ADDR") or None,
            ident=rate_limits.client_ident(request.META),
        )
        response = HttpResponse(reply.content(), status=reply.status, content_type="application/json")
        for name, value in reply.headers.items():
            response[name] = value
        return response


# --- incoming calls (the telephone platform) ------------------------------------------------


class PlatformClient:
    is_authenticated = True
    is_anonymous = False

    def __str__(self) -> str:
        return "telephone platform"


class PlatformTokenAuthentication(BearerTokenAuthentication):
    """``Authorization: Bearer <TRACKING_PLATFORM_TOKEN>``; customers' tokens are not accepted."""

    realm = "platform"
    refused_message = "Invalid platform token."
    schema_name = "PlatformToken"
    schema_description = "The telephone platform's token."

    def principal_for(self, raw_token: str) -> tuple[PlatformClient, None] | None:
        expected = settings.TRACKING_PLATFORM_TOKEN
        if not expected or not hmac.compare_digest(raw_token.encode(), expected.encode()):
            return None
        return PlatformClient(), None


class IsPlatform(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.user, PlatformClient)


class IncomingCallView(APIView):
    """The telephone platform reports a call to a tracking number and asks where to route it."""

    authentication_classes = [PlatformTokenAuthentication]
    permission_classes = [IsPlatform]

    @extend_schema(tags=["platform"], request=s.IncomingCallSerializer, responses={200: s.IncomingCallOutSerializer})
    def post(self, request):
        serializer = s.IncomingCallSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            route = services.tracked_call_record(called=data["called"], caller=data["caller"], at=data.get("time"))
        body: dict = {"route": route.route}
        if route.call is not None:
            call = route.call
            body.update(
                termination_number=route.termination_number,
                call_id=call.pk,
                ambiguous=call.ambiguous,
                attribution={
                    "attributed": call.session_id is not None,
                    "source": call.source,
                    "referrer": call.referrer,
                    "landing_url": call.landing_url,
                    "url_params": call.url_params,
                    "sessions": list(call.sessions.values_list("pk", flat=True)),
                },
            )
        return Response(body)
