from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.tenancy import customer_of


class AccountSerializer(serializers.Serializer):
    group_id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    slug = serializers.CharField()
    time_zone = serializers.CharField()


class AccountView(APIView):
    """The account the token belongs to; its ``group_id`` is the one the v3 API takes."""

    @extend_schema(responses=AccountSerializer)
    def get(self, request):
        return Response(AccountSerializer(customer_of(request)).data)
