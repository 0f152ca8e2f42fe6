"""A person's data held by you: export it, or erase it (optionally putting the number on your DNC list)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.tenancy import customer_of
from dnc.services import DncError, clean_number
from privacy.services import person_erase, person_export
from telephony.api_helpers import acting_user


class EraseSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=40)
    add_to_dnc = serializers.BooleanField(default=False)


def _number(raw: str):
    try:
        return clean_number(raw), None
    except DncError as error:
        return None, Response({"number": [str(error)]}, status=status.HTTP_400_BAD_REQUEST)


@extend_schema(tags=["personal data"], parameters=[OpenApiParameter("number", str, required=True)])
class PersonExportView(APIView):
    """Everything you hold about one number: contacts, incorrect rows, jobs, attempts, DNC entries, tracked calls."""

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        number, error = _number(request.query_params.get("number", ""))
        if error:
            return error
        response = Response(person_export(customer=customer_of(request), number=number))
        response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
        return response


@extend_schema(tags=["personal data"], request=EraseSerializer)
class PersonEraseView(APIView):
    """Erase a number from your data (past calls keep a one-way hash so reports stay true)."""

    @extend_schema(request=EraseSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        form = EraseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        number, error = _number(form.validated_data["number"])
        if error:
            return error
        erasure = person_erase(
            customer=customer_of(request),
            number=number,
            by=acting_user(request),
            add_to_dnc=form.validated_data["add_to_dnc"],
        )
        return Response(
            {"number_hash": erasure.number_hash, "counts": erasure.counts, "added_to_dnc": erasure.added_to_dnc},
            status=status.HTTP_201_CREATED,
        )
