from rest_framework import serializers

from dnc.models import DncEntry
from telephony.api_helpers import InstantField


class DncEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = DncEntry
        fields = ["id", "number", "is_prefix", "source", "comment", "created_at", "expires_at", "campaign_id"]
        read_only_fields = ["id", "source", "created_at", "campaign_id"]


class DncAddSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=40, help_text="E.164 number (+441174090100) or a prefix (+44870).")
    is_prefix = serializers.BooleanField(default=False)
    expires_at = InstantField(required=False, allow_null=True)
    comment = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class DncUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV, XLS or XLSX; numbers in the first column; 'prefix:+44870' or '+44870*'."
    )
