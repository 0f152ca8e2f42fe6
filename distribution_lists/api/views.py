"""Distribution lists for the customers' software: upload a file with its markup, read state and counts."""

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from customers.tenancy import customer_of, get_scoped_or_404
from distribution_lists import selectors, services
from distribution_lists.api.serializers import DistributionListSerializer, UploadSerializer
from telephony.api_helpers import acting_user
from telephony.imports import guess_phone_column, suggest_column_names


@extend_schema(tags=["distribution lists"])
class DistributionListListView(generics.ListAPIView):
    """Your lists, newest first, with their import state and counts."""

    serializer_class = DistributionListSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.distribution_lists_of(customer_of(self.request))

    @extend_schema(
        request={"multipart/form-data": UploadSerializer},
        responses={
            201: DistributionListSerializer,
            400: OpenApiResponse(description="Field name → messages (unreadable file, too big, name taken, ...)."),
        },
        description="Upload a file with its markup. The list comes back ``processing``; the import runs in "
        "the background — read the list until its status is ``ready`` (or ``failed``, with the reason).",
    )
    def post(self, request):
        form = UploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        upload = data["file"]
        customer = customer_of(request)
        distribution_list = None
        try:
            # One transaction: a file whose markup is refused leaves no draft behind.
            with transaction.atomic():
                distribution_list = services.distribution_list_upload(
                    customer=customer,
                    name=data["name"],
                    upload=upload,
                    filename=upload.name,
                    created_by=acting_user(request),
                )
                preview = selectors.distribution_list_preview(distribution_list)
                width = max((len(row) for row in preview), default=1)
                phone_column = data.get("phone_column")
                if phone_column is None:
                    has_header = data["has_header"] and bool(preview)
                    phone_column = guess_phone_column(
                        preview[1:] if has_header else preview,
                        header=preview[0] if has_header else None,
                        default_region=distribution_list.default_region or "GB",
                    )
                if phone_column >= width:
                    raise services.DistributionListError(
                        f"phone_column: Out of range: the file has {width} column{'s' if width != 1 else ''} "
                        f"(0 to {width - 1})."
                    )
                names = data.get("column_names")
                if names is None:
                    names = suggest_column_names(preview[0] if data["has_header"] and preview else None, width)
                services.distribution_list_mark_up(
                    distribution_list=distribution_list,
                    has_header=data["has_header"],
                    phone_column=phone_column,
                    column_names=list(names),
                    default_region=data["default_region"],
                )
        except services.DistributionListNameError as exc:
            return Response({"name": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        except services.DistributionListError as exc:
            if distribution_list is not None:  # the row is rolled back; the stored file goes too
                distribution_list.job.source_file.delete(save=False)
            field, _, message = str(exc).partition(": ")
            if field == "phone_column":
                return Response({"phone_column": [message]}, status=status.HTTP_400_BAD_REQUEST)
            return Response({"file": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(DistributionListSerializer(distribution_list).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["distribution lists"])
class DistributionListDetailView(generics.RetrieveAPIView):
    serializer_class = DistributionListSerializer

    def get_object(self):
        customer = customer_of(self.request)
        return get_scoped_or_404(selectors.distribution_lists_of(customer), customer, pk=self.kwargs["list_id"])
