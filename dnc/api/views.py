"""The customer's do-not-call list: list, add, remove, check a number, upload a file."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.tenancy import customer_of, get_scoped_or_404
from dnc import selectors, services
from dnc.api.serializers import DncAddSerializer, DncEntrySerializer, DncUploadSerializer
from dnc.models import DncEntry, DncSource, DncUpload
from dnc.upload import dnc_upload
from telephony.api_helpers import acting_user


@extend_schema(tags=["do not call"])
class DncListView(generics.ListAPIView):
    """Your do-not-call entries, newest first; ``?q=`` keeps those containing the text."""

    serializer_class = DncEntrySerializer

    def get_queryset(self):
        entries = selectors.dnc_entries(customer_of(self.request))
        query = self.request.query_params.get("q", "").strip()
        return entries.filter(number__contains=query) if query else entries

    @extend_schema(request=DncAddSerializer, responses={201: DncEntrySerializer, 200: DncEntrySerializer})
    def post(self, request):
        form = DncAddSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            entry, created = services.dnc_add(
                customer=customer_of(request),
                source=DncSource.API,
                added_by=acting_user(request),
                **form.validated_data,
            )
        except services.DncError as error:
            return Response({"number": [str(error)]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            DncEntrySerializer(entry).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


@extend_schema(tags=["do not call"])
class DncEntryView(generics.RetrieveDestroyAPIView):
    """One entry; DELETE takes the number off your list."""

    serializer_class = DncEntrySerializer

    def get_object(self):
        return get_scoped_or_404(DncEntry.objects.all(), customer_of(self.request), pk=self.kwargs["entry_id"])

    def perform_destroy(self, instance):
        services.dnc_remove(entry=instance)


@extend_schema(tags=["do not call"], parameters=[OpenApiParameter("number", str, required=True)])
class DncCheckView(APIView):
    """Whether a number may be called by you: ``blocked`` and, if so, which list and entry forbid it."""

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        raw = request.query_params.get("number", "")
        try:
            number = services.clean_number(raw)
        except services.DncError as error:
            return Response({"number": [str(error)]}, status=status.HTTP_400_BAD_REQUEST)
        customer = customer_of(request)
        if customer is None:  # IsCustomer lets no such request in; kept for the type checker
            raise PermissionDenied
        entry = selectors.dnc_check(customer=customer, phone=number)
        return Response(
            {
                "number": number,
                "blocked": entry is not None,
                "list": entry.list_name if entry else None,
                "entry": str(entry) if entry else None,
            }
        )


def _upload_data(record: DncUpload) -> dict:
    return {
        "id": record.pk,
        "filename": record.original_filename,
        "rows": record.rows_total,
        "status": record.status,
        "report": record.report,
        "failure_reason": record.failure_reason,
    }


@extend_schema(tags=["do not call"], request={"multipart/form-data": DncUploadSerializer})
class DncUploadView(APIView):
    """Add the numbers of a file to your list. Small files answer with the report (added, already listed,
    incorrect rows); larger ones come back ``processing``: read ``/api/dnc/uploads/<id>/`` until ``ready``
    (or ``failed``, with ``failure_reason``). A refused file answers 400 naming what is wrong."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request={"multipart/form-data": DncUploadSerializer}, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        form = DncUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        try:
            record = dnc_upload(
                customer=customer_of(request),
                upload=upload,
                filename=upload.name,
                added_by=acting_user(request),
                default_region=form.validated_data["default_region"],
            )
        except services.DncError as error:
            return Response({"file": [str(error)]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(_upload_data(record), status=status.HTTP_201_CREATED)


@extend_schema(tags=["do not call"])
class DncUploadDetailView(APIView):
    """One upload's state and report."""

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def get(self, request, upload_id: int):
        record = get_scoped_or_404(DncUpload.objects.select_related("job"), customer_of(request), pk=upload_id)
        return Response(_upload_data(record))
