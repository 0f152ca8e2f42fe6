import phonenumbers
from rest_framework import serializers

from dnc.models import DncEntry
from telephony.api_helpers import ISO_REGIONS, InstantField, SchemaCharField


def _region_field(*, default: str, without: str) -> SchemaCharField:
    return SchemaCharField(
        required=False,
        default=default,
        max_length=2,
        help_text=f"Country (ISO code) a number written without a country code (07911 123456) is read in; {without}.",
        schema={"enum": ISO_REGIONS},
    )


def _region(value: str) -> str:
    region = value.upper()
    if region and region not in phonenumbers.SUPPORTED_REGIONS:
        raise serializers.ValidationError(f"Invalid: “{value}” is not a country code such as GB or US.")
    return region


class DncEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = DncEntry
        fields = ["id", "number", "is_prefix", "source", "comment", "created_at", "expires_at", "campaign_id"]
        read_only_fields = ["id", "source", "created_at", "campaign_id"]


class DncAddSerializer(serializers.Serializer):
    number = serializers.CharField(
        max_length=40,
        help_text="A number (+441174090100, or 07911 123456 with default_region) or a prefix (+44870).",
    )
    is_prefix = serializers.BooleanField(default=False)
    expires_at = InstantField(required=False, allow_null=True)
    comment = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    default_region = _region_field(default="", without="without it such a number is refused")

    def validate_default_region(self, value: str) -> str:
        return _region(value)


class DncUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV, XLS or XLSX; numbers in the first column; 'prefix:+44870' or '+44870*'."
    )
    default_region = _region_field(default="GB", without="GB when not given")

    def validate_default_region(self, value: str) -> str:
        return _region(value) or "GB"
