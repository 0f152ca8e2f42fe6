"""Request and response bodies of the v3 number-pool API, as seed 002 writes them.

Unknown fields are ignored (the seed's clients send more than we read);
every refusal names its field, nested as in the request body.
"""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from call_tracking import rules
from call_tracking.api import dni
from call_tracking.models import ExhaustionPolicy, TrackingPool
from dids.models import DIDStatus
from telephony.api_helpers import ISO_REGIONS, InstantField, SchemaCharField, StrictCharField
from telephony.api_schema import NON_BLANK, SPACES

# What the rules accept, as the schema states it (a subset where the rules read more, e.g. a URL as a domain).
DOMAIN_PATTERN = r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
REFERRER_PATTERN = (
    "^(?:Any|" + "|".join(label for label, _ in rules.SEARCH_ENGINES.values()) + "|" + DOMAIN_PATTERN[1:-1] + ")$"
)
TRIGGER_PATTERN = rf"^[^={SPACES}\u0000]+(?:=[^{SPACES}\u0000]*)?$"
# A character that call_tracking.api.dni.NOT_TEXT allows (JSON Schema's \u escapes), and one that is not a space either.
_CONTROLS = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f"
TEXT = f"[^{_CONTROLS}]"
NOT_SPACE = f"[^{SPACES}{_CONTROLS}]"
# An area code that no country's trunk prefix (0, 06, 1, 8) begins: never all zeros once read, in any country.
AREA_CODE_PATTERN = rf"^[{SPACES}()-]*[2-79][0-9{SPACES}()-]*$"
SITE_NUMBER_PATTERN = r"^[ +().-]*(?:[A-Za-z0-9][ +().-]*){3,}$"


class LowerChoiceField(serializers.CharField):
    """A choice compared case-insensitively (``Geographic`` is ``geographic``)."""

    def __init__(self, *, choices, **kwargs):
        self.allowed = tuple(choices)
        # The schema names the choices as stored (lower case); other cases are read as these.
        self.schema_extra = {"enum": list(self.allowed)}
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data).strip().lower()
        if value not in self.allowed:
            raise serializers.ValidationError(f"{data!r} is not one of: {', '.join(self.allowed)}.")
        return value


def _rule(check, value):
    try:
        return check(value)
    except rules.RuleError as exc:
        raise serializers.ValidationError(str(exc)) from None


class PhoneNumberRequestSerializer(serializers.Serializer):
    # ``validate`` below, for the schema: a geographic request names a city or an area code.
    schema_extra = {
        "anyOf": [
            {"properties": {"match_type": {"not": {"enum": ["geographic"]}}}},
            {"required": ["city"], "properties": {"city": {"pattern": NON_BLANK}}},
            {"required": ["area_code"], "properties": {"area_code": {"minLength": 1}}},
        ]
    }
    number_type = LowerChoiceField(choices=rules.NUMBER_TYPES, required=False, default="international")
    match_type = LowerChoiceField(choices=rules.MATCH_TYPES)
    iso_country = SchemaCharField(max_length=2, min_length=2, schema={"enum": ISO_REGIONS})
    city = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    region = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    area_code = SchemaCharField(
        required=False, allow_blank=True, max_length=10, default="", schema={"pattern": AREA_CODE_PATTERN}
    )

    def validate_iso_country(self, value: str) -> str:
        value = value.strip().upper()
        if value not in phonenumbers.SUPPORTED_REGIONS:
            raise serializers.ValidationError(f"{value!r} is not an ISO 3166 country code such as GB.")
        return value

    def validate(self, data):
        data["city"], data["region"] = data["city"].strip(), data["region"].strip()
        if data["match_type"] != "geographic":
            # A toll-free or national number has no place: a city sent along is ignored, not a filter.
            data["city"] = data["region"] = ""
        if data["area_code"].strip():
            try:
                rules.normalise_area_code(data["area_code"], data["iso_country"])
            except rules.RuleError as exc:
                raise serializers.ValidationError({"area_code": [str(exc)]}) from None
        if data["match_type"] == "geographic" and not data["city"] and not data["area_code"].strip():
            raise serializers.ValidationError(
                {"city": ["A geographic number request needs a city (with its region if needed) or an area_code."]}
            )
        return data


class TrackingSourceSerializer(serializers.Serializer):
    referrer_domain = SchemaCharField(max_length=253, schema={"pattern": REFERRER_PATTERN})
    url_triggers = serializers.ListField(
        child=SchemaCharField(max_length=200, schema={"pattern": TRIGGER_PATTERN}), required=False, default=list
    )
    track_organic = serializers.BooleanField(required=False, default=False)

    def validate_referrer_domain(self, value: str) -> str:
        return _rule(rules.normalise_referrer_domain, value)

    def validate_url_triggers(self, value: list[str]) -> list[str]:
        return [_rule(rules.check_url_trigger, trigger) for trigger in value]


class ReplacementConfigurationSerializer(serializers.Serializer):
    # ``validate`` below, for the schema: not replace_all_numbers true with numbers_to_replace given.
    schema_extra = {
        "not": {
            "required": ["replace_all_numbers", "numbers_to_replace"],
            "properties": {"replace_all_numbers": {"enum": [True]}, "numbers_to_replace": {"minItems": 1}},
        }
    }
    numbers_to_replace = serializers.ListField(
        child=SchemaCharField(max_length=32, schema={"pattern": SITE_NUMBER_PATTERN}), required=False, max_length=100
    )
    replace_all_numbers = serializers.BooleanField(required=False)
    tracking_sources = serializers.ListField(child=TrackingSourceSerializer(), required=False, max_length=50)

    def validate_numbers_to_replace(self, value: list[str]) -> list[str]:
        for number in value:
            alnum = "".join(ch for ch in number if ch.isalnum())
            if len(alnum) < 3 or any(not (ch.isalnum() or ch in " +-().") for ch in number):
                raise serializers.ValidationError(f"{number!r} is not a phone number such as 4045553434 or 905219CARS.")
        return [number.strip() for number in value]

    def validate(self, data):
        if data.get("replace_all_numbers") and data.get("numbers_to_replace"):
            raise serializers.ValidationError(
                {"replace_all_numbers": ["replace_all_numbers cannot be used together with numbers_to_replace."]}
            )
        return data


class RouteSerializer(serializers.Serializer):
    termination_number = serializers.CharField(max_length=32)

    def validate_termination_number(self, value: str) -> str:
        return _rule(rules.parse_termination_number, value)


class CallRoutesSerializer(serializers.Serializer):
    route_type = SchemaCharField(max_length=16, schema={"enum": ["Basic"]})
    route = RouteSerializer()

    def validate_route_type(self, value: str) -> str:
        if value.strip().lower() != "basic":
            raise serializers.ValidationError(
                f"{value!r} is not supported: only Basic routing exists for number pools."
            )
        return "Basic"


def max_quantity() -> int:
    return settings.TRACKING_POOL_MAX_QUANTITY


class QuantityField(serializers.IntegerField):
    def __init__(self, **kwargs):
        self.schema_extra = {"maximum": max_quantity()}
        super().__init__(min_value=1, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value > max_quantity():
            raise serializers.ValidationError(f"Ensure this value is less than or equal to {max_quantity()}.")
        return value


@extend_schema_serializer(component_name="NumberPoolCreate")  # the schema's name since v3 shipped
class TrackingPoolCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    match_period = serializers.IntegerField(min_value=1, max_value=7 * 24 * 60, required=False, default=30)
    quantity = QuantityField()
    phone_number_request = PhoneNumberRequestSerializer()
    replacement_configuration = ReplacementConfigurationSerializer(required=False)
    call_routes = CallRoutesSerializer()
    # Extensions of this product (not in the seed): where the pool's numbers may be shown.
    site_domains = serializers.ListField(
        child=SchemaCharField(max_length=253, schema={"pattern": DOMAIN_PATTERN}), required=False, max_length=50
    )
    exhaustion_policy = serializers.ChoiceField(choices=ExhaustionPolicy.choices, required=False)

    def validate_name(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("A name is required.")
        return value

    def validate_site_domains(self, value: list[str]) -> list[str]:
        return [_rule(rules.normalise_domain, domain) for domain in value]


@extend_schema_serializer(component_name="NumberPoolUpdate")  # the schema's name since v3 shipped
class TrackingPoolUpdateSerializer(TrackingPoolCreateSerializer):
    """Every field optional; numbers change through ``/numbers`` (quantity and request are ignored here)."""

    name = serializers.CharField(max_length=200, required=False)
    match_period = serializers.IntegerField(min_value=1, max_value=7 * 24 * 60, required=False)
    # Removed from the inherited fields (DRF's documented way); the stubs type them as fields.
    quantity = None  # type: ignore[assignment]
    phone_number_request = None  # type: ignore[assignment]
    call_routes = CallRoutesSerializer(required=False)

    def validate_call_routes(self, value):
        # A partial update is partial at the top only: a nested object given is validated whole
        # (DRF's partial=True reaches nested serializers and would let a half route through).
        whole = CallRoutesSerializer(data=self.initial_data.get("call_routes"))
        whole.is_valid(raise_exception=True)
        return whole.validated_data

    def validate_replacement_configuration(self, value):
        whole = ReplacementConfigurationSerializer(data=self.initial_data.get("replacement_configuration"))
        whole.is_valid(raise_exception=True)
        return whole.validated_data


class NumbersAddSerializer(serializers.Serializer):
    quantity = QuantityField()
    phone_number_request = PhoneNumberRequestSerializer(required=False)


class NumberRemoveSerializer(serializers.Serializer):
    """Remove by ``id`` (of the pool's number) or ``phone_number``."""

    schema_extra = {"anyOf": [{"required": ["id"]}, {"required": ["phone_number"]}]}
    id = serializers.IntegerField(required=False, min_value=1)
    phone_number = serializers.CharField(required=False, max_length=32)

    def validate(self, data):
        if not data.get("id") and not data.get("phone_number"):
            raise serializers.ValidationError({"phone_number": ["Give the id or the phone_number of the number."]})
        return data


# --- responses (documentation of the shape; bodies are built by pool_body) -------------


class NumberOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    phone_number = serializers.CharField()


class TrackingSourceOutSerializer(serializers.Serializer):
    referrer_domain = serializers.CharField()
    url_triggers = serializers.ListField(child=serializers.CharField())
    track_organic = serializers.BooleanField()


class ReplacementOutSerializer(serializers.Serializer):
    numbers_to_replace = serializers.ListField(child=serializers.CharField())
    tracking_sources = TrackingSourceOutSerializer(many=True)
    replace_all_numbers = serializers.BooleanField()


class SmsRoutesOutSerializer(serializers.Serializer):
    route_type = serializers.CharField()


@extend_schema_serializer(component_name="NumberPoolOut")  # the schema's name since v3 shipped
class TrackingPoolOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    group_id = serializers.IntegerField()
    status = serializers.ChoiceField(
        choices=["active", "hold", "deleted"], help_text="hold: active, but a number is in Hold and routes no calls."
    )
    match_period = serializers.IntegerField()
    quantity = serializers.IntegerField()
    numbers = NumberOutSerializer(many=True)
    replacement_configuration = ReplacementOutSerializer()
    sms_routes = SmsRoutesOutSerializer()
    call_routes = CallRoutesSerializer()
    # Extensions of this product, after the seed's keys: what the DNI snippet needs.
    public_key = serializers.CharField(help_text="The key of the pool's DNI endpoint and snippet.")
    site_domains = serializers.ListField(child=serializers.CharField())
    exhaustion_policy = serializers.ChoiceField(choices=ExhaustionPolicy.choices)


@extend_schema_serializer(component_name="NumberPoolPage")  # the schema's name since v3 shipped
class TrackingPoolPageSerializer(serializers.Serializer):
    """One page of the pool list (``?page=``)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = TrackingPoolOutSerializer(many=True)


def _status(pool: TrackingPool, numbers) -> str:
    """``hold`` when the pool is active but one of its numbers is in Hold (it does not route calls)."""
    if pool.status == "active" and any(number.did.status == DIDStatus.HOLD for number in numbers):
        return "hold"
    return pool.status


def pool_body(pool: TrackingPool) -> dict:
    """The pool as seed 002 shows it, key for key."""
    numbers = getattr(pool, "current_numbers", None)
    if numbers is None:
        numbers = list(pool.numbers.filter(removed_at__isnull=True).select_related("did").order_by("did__number"))
    return {
        "id": pool.pk,
        "name": pool.name,
        "group_id": pool.customer_id,
        "status": _status(pool, numbers),
        "match_period": pool.match_period,
        "quantity": len(numbers),
        "numbers": [{"id": n.pk, "phone_number": n.did.number} for n in numbers],
        "replacement_configuration": {
            "numbers_to_replace": list(pool.numbers_to_replace),
            "tracking_sources": [
                {
                    "referrer_domain": s["referrer_domain"],
                    "url_triggers": list(s.get("url_triggers") or []),
                    "track_organic": bool(s.get("track_organic", False)),
                }
                for s in pool.tracking_sources
            ],
            "replace_all_numbers": pool.replace_all_numbers,
        },
        "sms_routes": {"route_type": "None"},
        "call_routes": {"route_type": pool.route_type, "route": {"termination_number": pool.termination_number}},
        "public_key": pool.public_key,
        "site_domains": list(pool.site_domains),
        "exhaustion_policy": pool.exhaustion_policy,
    }


# --- DNI and incoming calls -----------------------------------------------------------


class VisitSerializer(serializers.Serializer):
    """The DNI request body, for the OpenAPI schema: ``call_tracking.api.dni`` reads and checks it."""

    visitor = serializers.RegexField(f"^{dni.VISITOR.pattern}$")
    # No control characters (dni.NOT_TEXT); the url has more than spaces.
    referrer = SchemaCharField(
        required=False, allow_blank=True, default="", max_length=dni.MAX_LENGTH, schema={"pattern": f"^{TEXT}+$"}
    )
    url = SchemaCharField(max_length=dni.MAX_LENGTH, schema={"pattern": f"^{TEXT}*{NOT_SPACE}{TEXT}*$"})


class IncomingCallSerializer(serializers.Serializer):
    called = StrictCharField(max_length=32)
    caller = StrictCharField(required=False, allow_blank=True, default="", max_length=32)
    time = InstantField(required=False)


class IncomingCallOutSerializer(serializers.Serializer):
    route = serializers.ChoiceField(choices=["forward", "unreachable", "unknown"])
    termination_number = serializers.CharField(required=False)
    call_id = serializers.IntegerField(required=False)
    ambiguous = serializers.BooleanField(required=False)
    attribution = serializers.DictField(required=False)
