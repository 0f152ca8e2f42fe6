import phonenumbers
from rest_framework import serializers

from distribution_lists.models import DistributionList
from telephony.api_helpers import ISO_REGIONS, SchemaCharField
from telephony.imports.jobs import SPREADSHEET_EXTENSIONS, type_names


class DistributionListSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display")
    progress_percent = serializers.IntegerField()
    variables = serializers.ListField(
        child=serializers.CharField(), help_text="Columns other than the phone: what campaigns map."
    )

    class Meta:
        model = DistributionList
        fields = [
            "id",
            "name",
            "status",
            "status_display",
            "failure_reason",
            "original_filename",
            "file_kind",
            "has_header",
            "phone_column",
            "column_names",
            "variables",
            "default_region",
            "rows_total",
            "rows_read",
            "correct_count",
            "incorrect_count",
            "duplicate_count",
            "progress_percent",
            "created_at",
            "finished_at",
        ]


class UploadSerializer(serializers.Serializer):
    """A file and its markup; the import runs in the background (poll the list until ``ready``)."""

    name = serializers.CharField(max_length=200)
    file = serializers.FileField(
        help_text=f"{type_names(SPREADSHEET_EXTENSIONS)}: one row per person; another extension is refused."
    )
    has_header = serializers.BooleanField(default=True, help_text="The first row names the columns.")
    phone_column = serializers.IntegerField(
        min_value=0, required=False, help_text="0-based; guessed from the first rows when left out."
    )
    column_names = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=63),
        required=False,
        help_text="A variable name per column, in order (repeat the field, or one comma-separated value); "
        "taken from the header when left out.",
    )
    default_region = SchemaCharField(
        default="GB",
        max_length=2,
        help_text="Country (ISO code) for numbers without a country code.",
        schema={"enum": ISO_REGIONS},
    )

    def validate_default_region(self, value: str) -> str:
        region = value.upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise serializers.ValidationError(f"Invalid: “{value}” is not a country code such as GB or US.")
        return region

    def to_internal_value(self, data):
        # Multipart sends a list as repeated fields; accept one comma-separated value too.
        if hasattr(data, "getlist") and "column_names" in data:
            names = data.getlist("column_names")
            if len(names) == 1 and "," in names[0]:
                data = data.copy()
                data.setlist("column_names", [name.strip() for name in names[0].split(",")])
        return super().to_internal_value(data)
