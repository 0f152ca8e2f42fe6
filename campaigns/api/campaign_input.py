"""A campaign's fields as the API takes them: one serializer that checks them and writes their schema.

It reads with the contract of ``campaigns/contract.py`` — the same messages,
ranges and rules as the wizard's forms — and gives the services a
``CampaignInput``. What a client leaves out keeps the wizard's defaults (a
new campaign) or the campaign's values (an edit); the rules run on the
result, block by block, for the blocks the campaign's status lets change.
What JSON Schema can say of those rules, the schema says: types, ranges,
patterns, the time zones, and "without all_day, the hours and a weekday".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import get_error_detail

from campaigns import contract, selectors
from campaigns.contract import BLOCK_FIELDS, BLOCK_KEYS, MESSAGES, RANGES, Errors
from campaigns.models import App, Campaign, RepeatOutcome
from distribution_lists.models import DistributionList
from distribution_lists.selectors import ready_distribution_lists_of
from telephony.api_helpers import InstantField, SchemaCharField
from telephony.api_schema import SPACES

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

REQUIRED, INVALID, CHOICE = MESSAGES["required"], MESSAGES["invalid"], MESSAGES["invalid_choice"]
NOT_AN_OBJECT = "Invalid: send a JSON object of campaign fields."
MAPPING = "variable_mapping"

NAME_PATTERN = rf"^[{SPACES}]*(?:[^\W_]|[()\-])(?:[^\W_]|[()\-{SPACES}])*$"
A_NUMBER_PATTERN = rf"^{contract.A_NUMBER_RULE.pattern}$"
TIME_RULE = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?")
# Without all_day, a campaign calls in its hours on its weekdays: a request that turns all_day off gives them.
WORK_PERIOD = {
    "anyOf": [
        {"not": {"required": ["all_day"]}},
        {"properties": {"all_day": {"type": "boolean", "enum": [True]}}, "required": ["all_day"]},
        {
            "properties": {
                "work_start": {"type": "string"},
                "work_end": {"type": "string"},
                "work_days": {"type": "array", "minItems": 1},
            },
            "required": ["work_start", "work_end", "work_days"],
        },
    ]
}


def _messages(**extra: str) -> dict[str, str | _StrPromise]:
    return {"required": REQUIRED, "null": REQUIRED, "blank": REQUIRED, "invalid": INVALID, **extra}


def _optional(**extra: str) -> dict[str, str | _StrPromise]:
    return _messages(**extra) | {"null": INVALID, "blank": INVALID}


def _whole(bounds: tuple[int, int], *, optional: bool = False, help_text: str = "") -> serializers.IntegerField:
    messages = _optional if optional else _messages
    return serializers.IntegerField(
        min_value=bounds[0],
        max_value=bounds[1],
        required=False,
        allow_null=optional,
        help_text=help_text or None,
        error_messages=messages(max_string_length=INVALID, **contract.range_messages(bounds)),
    )


def _flag(help_text: str = "") -> serializers.BooleanField:
    return serializers.BooleanField(
        required=False, allow_null=True, help_text=help_text or None, error_messages=_optional()
    )


class WallTimeField(SchemaCharField):
    """A time of day, ``HH:MM`` or ``HH:MM:SS[.ffffff]``, in the campaign's zone (no offset)."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("error_messages", _optional())
        super().__init__(schema={"pattern": f"^{TIME_RULE.pattern}$"}, trim_whitespace=False, allow_null=True, **kwargs)

    def to_internal_value(self, data: Any) -> dt.time:  # type: ignore[override]  # a time, not its text
        if not isinstance(data, str) or not TIME_RULE.fullmatch(data):
            self.fail("invalid")
        return dt.time.fromisoformat(data)


def _one_of(queryset: QuerySet[Any], help_text: str | _StrPromise | None) -> serializers.PrimaryKeyRelatedField[Any]:
    """The id of one of ``queryset``'s rows (the customer's own, by the selector that made it)."""
    return serializers.PrimaryKeyRelatedField(
        queryset=queryset,
        required=False,
        help_text=help_text,
        error_messages=_messages(does_not_exist=CHOICE, incorrect_type=CHOICE),
    )


@extend_schema_field({"type": "array", "items": {"type": "integer", "enum": list(contract.ALL_DAYS)}, "nullable": True})
class WeekdaysField(serializers.MultipleChoiceField):
    """Weekday numbers, 0 is Monday (null: none); read as a set."""


class VariableMappingField(serializers.DictField):
    """App variable → list column; null or an empty column leaves the variable unmapped."""

    def __init__(self, **kwargs: Any):
        child = serializers.CharField(allow_blank=True, allow_null=True, trim_whitespace=False)
        messages = _optional(not_a_dict="Invalid: an object of app variable → list column.")
        super().__init__(child=child, error_messages=messages, **kwargs)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            self.fail("not_a_dict", input_type=type(data).__name__)
        return dict(data)


class CampaignWriteSerializer(serializers.Serializer):
    """A campaign's fields, any subset: missing fields keep the wizard's defaults (create) or the campaign's
    values (update). ``context``: ``customer``, and ``campaign`` for an update."""

    schema_extra = {**WORK_PERIOD, "additionalProperties": False}  # an unknown field is refused

    name = SchemaCharField(
        schema={"pattern": NAME_PATTERN, "maxLength": contract.NAME_MAX_LENGTH},
        required=False,
        help_text="Letters of any alphabet, digits, spaces, -, ( and ); unique among yours.",
        error_messages=_messages(),
    )
    comment = serializers.CharField(required=False, allow_blank=True, allow_null=True, error_messages=_optional())
    a_number = SchemaCharField(
        schema={"pattern": A_NUMBER_PATTERN},
        required=False,
        trim_whitespace=False,
        help_text="`did:<id>` of one of your assigned numbers, or `pool:<id>`.",
        error_messages=_messages(),
    )
    app = _one_of(App.objects.none(), "Id of your app or a global one.")
    distribution_list = _one_of(DistributionList.objects.none(), "Id of one of your ready lists.")
    variable_mapping = VariableMappingField(
        required=False, allow_null=True, help_text="Every variable of the app → a column of the list."
    )
    all_day = _flag()
    work_start = WallTimeField(required=False, help_text="HH:MM; with all_day false.")
    work_end = WallTimeField(required=False, help_text="HH:MM; earlier than the start crosses midnight.")
    work_days = WeekdaysField(
        choices=contract.WEEKDAYS,
        required=False,
        allow_null=True,
        help_text="0 is Monday.",
        error_messages=_optional(invalid_choice=CHOICE, not_a_list=INVALID),
    )
    lines = _whole(RANGES["lines"])
    short_call_seconds = _whole(RANGES["short_call_seconds"])
    repeat_total_cap = _whole(contract.REPEAT_CAP_RANGE, optional=True)
    scheduled_at = InstantField(
        required=False,
        allow_null=True,
        error_messages=_optional(date=INVALID, make_aware=INVALID, overflow=INVALID),
    )
    subscriber_time_zone = _flag()
    time_zone = SchemaCharField(
        schema={"enum": [*contract.TIME_ZONES, ""]},
        required=False,
        allow_blank=True,
        allow_null=True,
        trim_whitespace=False,
        help_text="IANA zone; empty: your account's.",
        error_messages=_optional(),
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for outcome, label in RepeatOutcome.choices:
            fields[f"repeat_{outcome}"] = _flag(f"Repeat “{label}” calls.")
            fields[f"repeat_{outcome}_count"] = _whole(RANGES[f"repeat_{outcome}_count"])
            fields[f"repeat_{outcome}_period"] = _whole(RANGES[f"repeat_{outcome}_period"], help_text="Minutes.")
        customer = self.context.get("customer")
        if customer is not None:
            fields["app"] = _one_of(selectors.apps_for(customer), fields["app"].help_text)
            lists = ready_distribution_lists_of(customer)
            fields["distribution_list"] = _one_of(lists, fields["distribution_list"].help_text)
        if self.context.get("campaign") is None:
            # What a new campaign has no default for (the schema's "required"; the check is the rule's).
            for name in [*contract.REQUIRED, MAPPING]:
                fields[name].required = True
        return fields

    def run_validation(self, data: Any = serializers.empty) -> contract.CampaignInput:
        return self.to_internal_value(data)

    def to_internal_value(self, data: Any) -> contract.CampaignInput:
        customer, campaign = self.context["customer"], self.context.get("campaign")
        if not isinstance(data, Mapping):
            raise serializers.ValidationError({"non_field_errors": [NOT_AN_OBJECT]})
        fields = self.fields
        unknown = sorted(set(data) - set(fields))
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        editable = contract.editable_blocks(campaign)
        fixed = [name for key in BLOCK_KEYS if key not in editable for name in BLOCK_FIELDS[key]]
        refused = sorted(name for name in fixed if name in data)
        if campaign is not None and refused:
            message = f"Cannot change in a {campaign.get_status_display().lower()} campaign."
            raise serializers.ValidationError({name: [message] for name in refused})

        values = contract.values_of(campaign) if campaign is not None else contract.defaults()
        errors: Errors = {}
        for name, raw in data.items():
            try:
                values[name] = fields[name].run_validation(raw)
            except serializers.ValidationError as error:
                errors[name] = [str(message) for message in error.detail]
            except DjangoValidationError as error:
                errors[name] = [str(message) for message in get_error_detail(error)]
        checks = {"main": self._main, "app": self._app, "list": self._list, "settings": self._settings}
        parts = {key: checks[key](values, errors, customer=customer, campaign=campaign) for key in sorted(editable)}
        if errors:
            raise serializers.ValidationError(errors)
        return contract.CampaignInput(**parts)

    # --- the rules of each block, on the values the request leaves ----------------------------

    @staticmethod
    def _rule(errors: Errors, name: str, rule: Any, value: Any) -> Any:
        try:
            return rule(value)
        except DjangoValidationError as error:
            errors.setdefault(name, []).extend(str(message) for message in get_error_detail(error))
            return None

    def _main(self, values: dict[str, Any], errors: Errors, *, customer: Any, campaign: Campaign | None) -> Any:
        for name in ("name", "a_number"):
            if name not in errors and not values[name]:
                errors[name] = [REQUIRED]
        if "name" not in errors:
            rule = lambda name: contract.clean_name(name, customer=customer, campaign=campaign)  # noqa: E731
            values["name"] = self._rule(errors, "name", rule, values["name"])
        a_number = None
        if "a_number" not in errors:
            a_number = self._rule(
                errors, "a_number", lambda value: contract.clean_a_number(value, customer=customer), values["a_number"]
            )
        return None if a_number is None else contract.main_input(values, a_number)

    @staticmethod
    def _app(values: dict[str, Any], errors: Errors, **_: Any) -> contract.AppInput | None:
        if "app" not in errors and values["app"] is None:
            errors["app"] = [REQUIRED]
        return None if "app" in errors else contract.AppInput(app=values["app"])

    @staticmethod
    def _list(values: dict[str, Any], errors: Errors, **_: Any) -> contract.ListInput | None:
        if "distribution_list" not in errors and values["distribution_list"] is None:
            errors["distribution_list"] = [REQUIRED]
        chosen = None if "distribution_list" in errors else values["distribution_list"]
        app = None if "app" in errors else values["app"]
        if app is None:
            errors.setdefault("non_field_errors", []).append(contract.APP_FIRST)
            return None
        if MAPPING in errors:
            return None
        mapping = values[MAPPING] or {}
        for variable, column in mapping.items():
            if column is not None and (not isinstance(column, str) or "\x00" in column):
                errors[f"{MAPPING}.{variable}"] = [INVALID]
        columns = list(chosen.variables) if chosen is not None else []
        unmapped = contract.mapping_errors(app, columns, mapping)
        for variable, message in unmapped.items():
            errors.setdefault(f"{MAPPING}.{variable}", [message])
        if chosen is None or unmapped:
            return None
        return contract.ListInput(
            distribution_list=chosen, variable_mapping={variable: mapping[variable] for variable in app.variables}
        )

    def _settings(
        self, values: dict[str, Any], errors: Errors, *, customer: Any, campaign: Campaign | None
    ) -> contract.SettingsInput | None:
        for name in RANGES:
            if name not in errors and values[name] is None:
                errors[name] = [REQUIRED]
        if "time_zone" not in errors:
            values["time_zone"] = self._rule(
                errors,
                "time_zone",
                lambda zone: contract.clean_time_zone(zone or "", customer=customer, campaign=campaign),
                values["time_zone"],
            )
        settings_errors = contract.work_period_errors(values, set(errors))
        for name, message in settings_errors.items():
            errors.setdefault(name, []).append(message)
        if any(name in errors for name in BLOCK_FIELDS["settings"]):
            return None
        return contract.settings_input(values)
