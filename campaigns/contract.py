"""The one contract of a campaign's fields: what each takes, the rules across them, the typed input.

The wizard's forms (``campaigns/blocks.py``) and the API's serializer
(``campaigns/api/campaign_input.py``) read a campaign with these messages, ranges
and rules, and both hand the services (``campaign_create``,
``campaign_update``) a ``CampaignInput``: plain typed data, never a form. The
same mistake therefore gets the same message in the browser and in the API,
and the serializer, whose fields are built from the same ranges, writes the
OpenAPI schema from what it checks.

The four blocks of a campaign — Main, App, Distribution list, Settings — are
the unit of editing: ``EDITABLE_BLOCKS`` says which of them a campaign in a
given status may change.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from call_tracking.selectors import caller_id_refusal, tracking_pools_serving
from campaigns import selectors
from campaigns.models import (
    LINES_RANGE,
    REPEAT_CAP_RANGE,
    REPEAT_COUNT_RANGE,
    REPEAT_PERIOD_RANGE,
    SHORT_CALL_RANGE,
    App,
    Campaign,
    CampaignStatus,
    RepeatOutcome,
)
from customers.tenancy import scoped

if TYPE_CHECKING:
    from customers.models import Customer
    from distribution_lists.models import DistributionList

Errors = dict[str, list[str]]

MESSAGES = {
    "required": "Missing: this field is required.",
    "invalid": "Invalid value.",
    "invalid_choice": "Invalid: not one of the choices offered.",
    "min_value": "Out of the permitted range: at least %(limit_value)s.",
    "max_value": "Out of the permitted range: at most %(limit_value)s.",
}
APP_FIRST = "Missing: choose the app first (block 2)."
HOURS_MISSING = "Missing: give the hours, or tick All day."
SAME_HOURS = "Invalid: the end must differ from the start."
DAYS_MISSING = "Missing: tick at least one weekday."

NAME_MAX_LENGTH = 100
NAME_RULE = re.compile(r"(?:[^\W_]|[ ()\-])+")
A_NUMBER_RULE = re.compile(r"(did|pool):([1-9][0-9]{0,17})")
WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]
ALL_DAYS = tuple(day for day, _ in WEEKDAYS)
TIME_ZONES = sorted(zoneinfo.available_timezones())

# The whole-number fields of Settings and their permitted ranges (a repeat rule's are per outcome).
RANGES: dict[str, tuple[int, int]] = {"lines": LINES_RANGE, "short_call_seconds": SHORT_CALL_RANGE}
OPTIONAL_RANGES: dict[str, tuple[int, int]] = {"repeat_total_cap": REPEAT_CAP_RANGE}
for _outcome in RepeatOutcome.values:
    RANGES[f"repeat_{_outcome}_count"] = REPEAT_COUNT_RANGE
    RANGES[f"repeat_{_outcome}_period"] = REPEAT_PERIOD_RANGE

BLOCK_KEYS = ["main", "app", "list", "settings"]
# Which blocks a campaign in each status may change (SPEC §5, "Editing").
EDITABLE_BLOCKS: dict[str, set[str]] = {
    CampaignStatus.DRAFT: {"main", "app", "list", "settings"},
    CampaignStatus.PAUSED: {"main", "settings"},
}
# The settings a campaign stores as they are given (its work days are a bit mask, its repeat
# rules three fields an outcome).
SETTINGS_AS_GIVEN = (
    "all_day",
    "work_start",
    "work_end",
    "lines",
    "short_call_seconds",
    "repeat_total_cap",
    "scheduled_at",
    "subscriber_time_zone",
    "time_zone",
)
# The fields of each block, by the names the API and the wizard's forms share.
BLOCK_FIELDS: dict[str, list[str]] = {
    "main": ["name", "comment", "a_number"],
    "app": ["app"],
    "list": ["distribution_list", "variable_mapping"],
    "settings": [
        *SETTINGS_AS_GIVEN,
        "work_days",
        *[f"repeat_{o}{suffix}" for o in RepeatOutcome.values for suffix in ("", "_count", "_period")],
    ],
}
# Fields a new campaign cannot do without (the rest have defaults).
REQUIRED = {"name", "a_number", "app", "distribution_list"}


def range_messages(bounds: tuple[int, int]) -> dict[str, str]:
    return {
        "min_value": MESSAGES["min_value"] % {"limit_value": bounds[0]},
        "max_value": MESSAGES["max_value"] % {"limit_value": bounds[1]},
    }


# --- the typed input the services take ------------------------------------------------


@dataclass(frozen=True)
class MainInput:
    name: str
    comment: str
    a_number_did_id: int | None
    a_number_pool_id: int | None


@dataclass(frozen=True)
class AppInput:
    app: App


@dataclass(frozen=True)
class ListInput:
    distribution_list: DistributionList
    variable_mapping: Mapping[str, str]


@dataclass(frozen=True)
class RepeatRule:
    enabled: bool
    count: int
    period: int  # minutes


@dataclass(frozen=True)
class SettingsInput:
    all_day: bool
    work_start: dt.time | None
    work_end: dt.time | None
    work_days: tuple[int, ...]
    lines: int
    short_call_seconds: int
    repeat_total_cap: int | None
    scheduled_at: dt.datetime | None
    subscriber_time_zone: bool
    time_zone: str
    repeats: Mapping[str, RepeatRule] = field(default_factory=dict)


@dataclass(frozen=True)
class CampaignInput:
    """The blocks to write; a block left None is not changed (a new campaign needs all four)."""

    main: MainInput | None = None
    app: AppInput | None = None
    list: ListInput | None = None
    settings: SettingsInput | None = None


# --- values: what a new campaign starts with, what a campaign has ---------------------------


def default_campaign_name(now: dt.datetime | None = None) -> str:
    return f"Campaign {timezone.localtime(now):%Y-%m-%d %H-%M}"


def defaults() -> dict[str, Any]:
    """A new campaign's values, by field name (the wizard shows them; the API starts from them)."""
    values: dict[str, Any] = {
        "name": default_campaign_name(),
        "comment": "",
        "a_number": "",
        "app": None,
        "distribution_list": None,
        "variable_mapping": {},
        "all_day": True,
        "work_start": None,
        "work_end": None,
        "work_days": list(ALL_DAYS),
        "lines": 1,
        "short_call_seconds": 10,
        "repeat_total_cap": None,
        "scheduled_at": None,
        "subscriber_time_zone": False,
        "time_zone": "",
    }
    for outcome in RepeatOutcome.values:
        values.update({f"repeat_{outcome}": False, f"repeat_{outcome}_count": 1, f"repeat_{outcome}_period": 60})
    return values


def a_number_of(campaign: Campaign) -> str:
    if campaign.a_number_did_id:
        return f"did:{campaign.a_number_did_id}"
    return f"pool:{campaign.a_number_pool_id}" if campaign.a_number_pool_id else ""


def values_of(campaign: Campaign) -> dict[str, Any]:
    """``campaign``'s values, by field name."""
    values = {name: getattr(campaign, name) for name in BLOCK_FIELDS["settings"] if name != "work_days"}
    values.update(
        name=campaign.name,
        comment=campaign.comment,
        a_number=a_number_of(campaign),
        app=campaign.app,
        distribution_list=campaign.distribution_list,
        variable_mapping=dict(campaign.variable_mapping or {}),
        work_days=campaign.weekdays,
    )
    return values


# --- the rules -------------------------------------------------------------------------


def clean_name(name: str, *, customer: Customer, campaign: Campaign | None) -> str:
    """Spaces collapsed; letters of any alphabet, digits, spaces, -, ( and ); unique among the customer's."""
    MaxLengthValidator(NAME_MAX_LENGTH)(name)
    name = " ".join(name.split())
    if not NAME_RULE.fullmatch(name):
        raise ValidationError("Invalid: use letters, digits, spaces, -, ( and ) only.")
    others = selectors.campaigns_of(customer).filter(name__iexact=name)
    if campaign is not None and campaign.pk:
        others = others.exclude(pk=campaign.pk)
    if others.exists():
        raise ValidationError(f"Invalid: you already have a campaign named “{name}”.")
    return name


def a_number_choices(customer: Customer) -> list[tuple[str, Any]]:
    """The A-numbers ``customer`` may call from, grouped: its assigned DIDs and its (or global) pools."""
    dids = [(f"did:{did.pk}", did.number) for did in selectors.a_number_dids_for(customer)]
    pools = [(f"pool:{pool.pk}", str(pool)) for pool in selectors.a_number_pools_for(customer)]
    return [("Numbers", dids), ("Numbers pools", pools)]


def clean_a_number(value: str, *, customer: Customer) -> tuple[int | None, int | None]:
    """(DID id, pool id) of ``did:<id>`` or ``pool:<id>``, one of ``customer``'s."""
    match = A_NUMBER_RULE.fullmatch(value)
    if match is None:
        raise ValidationError(MESSAGES["invalid_choice"])
    kind, pk = match[1], int(match[2])
    usable = selectors.a_number_dids_for(customer) if kind == "did" else selectors.a_number_pools_for(customer)
    if not usable.filter(pk=pk).exists():
        tracking = a_number_tracking_refusal(did_id=pk, customer=customer) if kind == "did" else None
        raise ValidationError(tracking or MESSAGES["invalid_choice"])
    return (pk, None) if kind == "did" else (None, pk)


def a_number_tracking_refusal(*, did_id: int, customer: Customer | None) -> str | None:
    """Why ``customer``'s DID ``did_id`` may not be an A-number when it serves a call-tracking pool;
    None otherwise (another customer's DID is not named: the generic refusal answers for it)."""
    from dids.models import DID

    number = scoped(DID.objects.filter(pk=did_id), customer).values_list("number", flat=True).first()
    serving = tracking_pools_serving([did_id]) if number is not None else {}
    return caller_id_refusal(number, serving[did_id]) if number is not None and did_id in serving else None


def clean_time_zone(zone: str, *, customer: Customer, campaign: Campaign | None) -> str:
    """An IANA zone; empty means the campaign's, else the customer's."""
    zone = zone or (campaign.time_zone if campaign is not None else "") or customer.time_zone
    if zone not in zoneinfo.available_timezones():
        raise ValidationError(f"Invalid time zone {zone!r}.")
    return zone


def mapping_errors(app: App | None, columns: list[str], mapping: Mapping[str, Any]) -> dict[str, str]:
    """Variable → message, for each variable of ``app`` the mapping leaves out or maps to no column."""
    errors = {}
    for variable in app.variables if app is not None else []:
        column = mapping.get(variable)
        if column in (None, ""):
            errors[variable] = MESSAGES["required"]
        elif column not in columns:
            errors[variable] = MESSAGES["invalid_choice"]
    return errors


def work_period_errors(values: Mapping[str, Any], failed: set[str]) -> dict[str, str]:
    """Field → message: without All day, the hours (start and end differ) and at least one weekday."""
    errors: dict[str, str] = {}
    if values.get("all_day"):
        return errors
    for name in ("work_start", "work_end"):
        if values.get(name) is None and name not in failed:
            errors[name] = HOURS_MISSING
    start, end = values.get("work_start"), values.get("work_end")
    if start is not None and start == end and "work_end" not in errors:
        errors["work_end"] = SAME_HOURS
    if not values.get("work_days") and "work_days" not in failed:
        errors["work_days"] = DAYS_MISSING
    return errors


# --- building the input from checked values ------------------------------------------------


def main_input(values: Mapping[str, Any], a_number: tuple[int | None, int | None]) -> MainInput:
    return MainInput(
        name=values["name"],
        comment=values.get("comment") or "",
        a_number_did_id=a_number[0],
        a_number_pool_id=a_number[1],
    )


def settings_input(values: Mapping[str, Any]) -> SettingsInput:
    """All day means no hours and every weekday; no weekday ticked means every one."""
    all_day = bool(values.get("all_day"))
    days = tuple(sorted(set(values.get("work_days") or ()))) or ALL_DAYS
    return SettingsInput(
        all_day=all_day,
        work_start=None if all_day else values.get("work_start"),
        work_end=None if all_day else values.get("work_end"),
        work_days=ALL_DAYS if all_day else days,
        lines=values["lines"],
        short_call_seconds=values["short_call_seconds"],
        repeat_total_cap=values.get("repeat_total_cap"),
        scheduled_at=values.get("scheduled_at"),
        subscriber_time_zone=bool(values.get("subscriber_time_zone")),
        time_zone=values["time_zone"],
        repeats={
            outcome: RepeatRule(
                enabled=bool(values.get(f"repeat_{outcome}")),
                count=values[f"repeat_{outcome}_count"],
                period=values[f"repeat_{outcome}_period"],
            )
            for outcome in RepeatOutcome.values
        },
    )


# --- editing --------------------------------------------------------------------------------


def editable_blocks(campaign: Campaign | None) -> set[str]:
    """The blocks that may change: all of a new campaign's, those its status allows of a saved one."""
    if campaign is None or not campaign.pk:
        return set(BLOCK_KEYS)
    return EDITABLE_BLOCKS.get(campaign.status, set())


def edit_refusal(campaign: Campaign) -> str | None:
    """Why ``campaign`` cannot be edited now, or None."""
    if campaign.status in EDITABLE_BLOCKS:
        return None
    return (
        f"A {campaign.get_status_display().lower()} campaign cannot be edited: "
        "pause it first (Main and Settings can change while paused)."
        if campaign.status == CampaignStatus.LAUNCHED
        else "A finished campaign cannot be edited."
    )
