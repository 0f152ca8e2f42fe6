"""The campaigns API: apps (read), campaigns (create, read, update, status changes, statistics).

Every campaign write is read by ``CampaignWriteSerializer`` (the contract the
wizard's forms share) and made by the services of ``campaigns.services``;
objects of another customer are 404.
"""

from django.db import IntegrityError
from django.db.models import Count
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns import selectors, services
from campaigns.api.serializers import (
    AppSerializer,
    CampaignSerializer,
    CampaignStatisticsSerializer,
    CampaignWriteSerializer,
    ErrorSerializer,
)
from campaigns.contract import edit_refusal
from campaigns.models import CallAttempt, Campaign
from customers.tenancy import customer_of, get_scoped_or_404
from telephony.api_errors import BoundedJSONParser as JSONParser
from telephony.api_helpers import acting_user

FIELD_ERRORS = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="Field name → list of messages (the wizard's messages: missing, invalid, out of range). "
    "A variable's mapping is reported as `variable_mapping.<variable>`.",
)
CONFLICT = OpenApiResponse(response=ErrorSerializer, description="Not allowed in the campaign's status.")


def _campaigns(customer):
    return selectors.campaigns_of(customer).select_related("a_number_did", "a_number_pool")


def _campaign(request, campaign_id: int) -> Campaign:
    customer = customer_of(request)
    return get_scoped_or_404(_campaigns(customer), customer, pk=campaign_id)


@extend_schema(tags=["apps"])
class AppListView(generics.ListAPIView):
    """Your apps and the global ones."""

    serializer_class = AppSerializer

    def get_queryset(self):
        return selectors.apps_for(customer_of(self.request))


@extend_schema(tags=["apps"])
class AppDetailView(generics.RetrieveAPIView):
    serializer_class = AppSerializer

    def get_object(self):
        customer = customer_of(self.request)
        return get_scoped_or_404(selectors.apps_for(customer), customer, include_global=True, pk=self.kwargs["app_id"])


def _save(request, *, campaign: Campaign | None, launch: bool = False) -> Response:
    customer = customer_of(request)
    refusal = edit_refusal(campaign) if campaign is not None else None
    if refusal:
        return Response({"detail": refusal}, status=status.HTTP_409_CONFLICT)
    serializer = CampaignWriteSerializer(data=request.data, context={"customer": customer, "campaign": campaign})
    if not serializer.is_valid():
        return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
    data = serializer.validated_data
    try:
        if campaign is None:
            campaign = services.campaign_create(customer=customer, data=data, user=acting_user(request), launch=launch)
            code = status.HTTP_201_CREATED
        else:
            campaign = services.campaign_update(campaign=campaign, data=data, user=acting_user(request))
            code = status.HTTP_200_OK
    except services.CampaignStateError as exc:
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    except IntegrityError:
        return Response(
            {"name": ["Invalid: another campaign with this name was saved meanwhile."]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    campaign = _campaigns(customer).get(pk=campaign.pk)
    return Response(CampaignSerializer(campaign).data, status=code)


@extend_schema(tags=["campaigns"])
class CampaignListView(generics.ListAPIView):
    """Your campaigns, newest first; ``?status=draft|launched|paused|finished`` narrows them."""

    serializer_class = CampaignSerializer
    parser_classes = [JSONParser]

    def get_queryset(self):
        campaigns = _campaigns(customer_of(self.request)).order_by("-created_at", "-pk")
        wanted = self.request.query_params.get("status")
        return campaigns.filter(status=wanted) if wanted else campaigns

    @extend_schema(
        request=CampaignWriteSerializer,
        responses={201: CampaignSerializer, 400: FIELD_ERRORS},
        description="Create a draft with the wizard's validation; fields left out take the wizard's defaults. "
        "`?launch=true` launches it at once.",
    )
    def post(self, request):
        return _save(request, campaign=None, launch=request.query_params.get("launch") in ("1", "true", "yes"))


@extend_schema(tags=["campaigns"])
class CampaignDetailView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(responses=CampaignSerializer)
    def get(self, request, campaign_id: int):
        return Response(CampaignSerializer(_campaign(request, campaign_id)).data)

    @extend_schema(
        request=CampaignWriteSerializer,
        responses={200: CampaignSerializer, 400: FIELD_ERRORS, 409: CONFLICT},
        description="Change the fields given: every field of a draft; Main (name, comment, a_number) and "
        "Settings of a paused campaign; nothing once launched or finished.",
    )
    def patch(self, request, campaign_id: int):
        return _save(request, campaign=_campaign(request, campaign_id))


def _action_view(name: str, service, summary: str):
    @extend_schema(
        tags=["campaigns"], request=None, responses={200: CampaignSerializer, 409: CONFLICT}, summary=summary
    )
    def post(self, request, campaign_id: int):
        campaign = _campaign(request, campaign_id)
        try:
            service(campaign=campaign, user=acting_user(request))
        except services.CampaignStateError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(CampaignSerializer(_campaign(request, campaign_id)).data)

    return type(name, (APIView,), {"post": post, "__doc__": summary})


CampaignLaunchView = _action_view("CampaignLaunchView", services.campaign_launch, "Launch a draft.")
CampaignPauseView = _action_view("CampaignPauseView", services.campaign_pause, "Pause a launched campaign.")
CampaignResumeView = _action_view("CampaignResumeView", services.campaign_resume, "Resume a paused campaign.")
CampaignFinishView = _action_view(
    "CampaignFinishView",
    services.campaign_finish,
    "Finish a launched or paused campaign; calls not made yet are cancelled.",
)


@extend_schema(tags=["campaigns"])
class CampaignStatisticsView(APIView):
    @extend_schema(responses=CampaignStatisticsSerializer)
    def get(self, request, campaign_id: int):
        campaign = _campaign(request, campaign_id)
        ended = CallAttempt.objects.filter(campaign=campaign).exclude(outcome="").order_by()
        by_outcome: dict[str, int] = {}
        by_cause: dict[str, int] = {}
        for outcome, cause, n in (
            ended.values_list("outcome", "cause").annotate(n=Count("pk")).values_list("outcome", "cause", "n")
        ):
            by_outcome[outcome] = by_outcome.get(outcome, 0) + n
            by_cause[cause] = by_cause.get(cause, 0) + n
        campaign.attempts_by_outcome = by_outcome
        campaign.attempts_by_cause = by_cause
        return Response(CampaignStatisticsSerializer(campaign).data)
