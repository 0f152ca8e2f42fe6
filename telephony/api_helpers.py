"""Small helpers shared by the apps' REST APIs."""

import datetime as dt

import phonenumbers
from django.utils import timezone
from rest_framework import serializers
from rest_framework.utils import html

from customers.models import User

# ISO 3166 codes that phone numbers are read for: the schema's enum of a country field (CountryEnum).
ISO_REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)


def acting_user(request) -> User | None:
    """The person behind a request, or None when none is (an API token, the telephone platform, anonymous)."""
    user = getattr(request, "user", None)
    return user if isinstance(user, User) else None


class SchemaCharField(serializers.CharField):
    """A string field whose own checks (``validate_<name>``, a rule) the schema states: ``schema`` (an enum,
    a pattern) is added to the field's schema. It documents; the checks stay where they are."""

    def __init__(self, *, schema: dict, **kwargs):
        self.schema_extra = schema
        super().__init__(**kwargs)


class StrictCharField(serializers.CharField):
    """A string field that refuses numbers (DRF's ``CharField`` turns ``0`` into ``"0"``; the schema says string)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class InstantField(serializers.DateTimeField):
    """Any RFC 3339 date-time, which is what the schema's ``format: date-time`` allows.

    DRF refuses two kinds that the format allows: an instant outside Python's years 1 to 9999 once
    its offset is applied (``0001-01-01T00:00:00+01:00``, ``9999-12-31T23:30:00-01:00``), which is
    taken as the first or last representable instant (no caller means anything else by it); and,
    in a form, the text ``null`` of a nullable field, read as null as DRF's ``BooleanField`` does.
    A form's empty value is refused like any other text that is not a date-time.
    """

    NULL_TEXTS = {"null", "Null", "NULL"}

    def __init__(self, **kwargs):
        # Read into UTC: an instant near the ends of the range stays representable.
        kwargs.setdefault("default_timezone", dt.UTC)
        super().__init__(**kwargs)

    def get_value(self, dictionary):
        # A form's empty field is no date-time: DRF reads it as "not given" (or null), the schema does not.
        if html.is_html_input(dictionary) and dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)

    def validate_empty_values(self, data):
        if self.allow_null and isinstance(data, str) and data in self.NULL_TEXTS:
            data = None
        return super().validate_empty_values(data)

    def enforce_timezone(self, value):
        if timezone.is_aware(value):
            try:
                value.astimezone(dt.UTC)
            except OverflowError:
                edge = dt.datetime.max if value.year == dt.MAXYEAR else dt.datetime.min
                value = edge.replace(tzinfo=dt.UTC)
        return super().enforce_timezone(value)
