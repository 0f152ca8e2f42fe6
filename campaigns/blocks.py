"""The four blocks of a campaign — Main, App, Distribution list, Settings — as forms.

They are the one validation of a campaign: the wizard shows them block by
block, the API runs the same forms on its JSON (``campaigns/api``), and the
edit rules say which blocks a campaign in a given status may change. Every
error names what is wrong: missing, invalid, or out of the permitted range.
"""

import re
import zoneinfo

from django import forms
from django.http import QueryDict
from django.utils import timezone

from campaigns import selectors
from campaigns.models import (
    LINES_RANGE,
    REPEAT_CAP_RANGE,
    REPEAT_COUNT_RANGE,
    REPEAT_PERIOD_RANGE,
    SHORT_CALL_RANGE,
    Campaign,
    CampaignStatus,
    RepeatOutcome,
)
from distribution_lists.selectors import ready_distribution_lists_of

NAME_RULE = re.compile(r"(?:[^\W_]|[ ()\-])+")
WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]
MESSAGES = {
    "required": "Missing: this field is required.",
    "invalid": "Invalid value.",
    "invalid_choice": "Invalid: not one of the choices offered.",
    "min_value": "Out of the permitted range: at least %(limit_value)s.",
    "max_value": "Out of the permitted range: at most %(limit_value)s.",
}


def default_campaign_name(now=None) -> str:
    return f"Campaign {timezone.localtime(now):%Y-%m-%d %H-%M}"


def _int_field(label: str, bounds: tuple[int, int], **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=bounds[0],
        max_value=bounds[1],
        error_messages=MESSAGES,
        help_text=f"{bounds[0]}–{bounds[1]}",
        **kwargs,
    )


class Block(forms.Form):
    """A block of the wizard: knows its customer, its number and title, and the campaign being edited."""

    number: int
    title: str
    key: str

    def __init__(self, *args, customer, campaign: Campaign | None = None, **kwargs):
        self.customer = customer
        self.campaign = campaign
        super().__init__(*args, **kwargs)
        self.add_fields()
        for field in self.fields.values():
            field.error_messages = {**field.error_messages, **MESSAGES}

    def add_fields(self) -> None:
        """Fields that depend on the customer or on other blocks."""

    def apply(self, campaign: Campaign) -> None:
        """Copy the cleaned values onto ``campaign`` (not saved)."""
        for name, value in self.cleaned_data.items():
            setattr(campaign, name, value)


class MainBlock(Block):
    number, title, key = 1, "Main", "main"

    name = forms.CharField(
        max_length=100,
        help_text="Letters of any alphabet, digits, spaces, -, ( and ).",
    )
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    a_number = forms.ChoiceField(label="A-number", help_text="One of your numbers, or a numbers pool.")

    def add_fields(self) -> None:
        dids = [(f"did:{did.pk}", did.number) for did in selectors.a_number_dids_for(self.customer)]
        pools = [(f"pool:{pool.pk}", str(pool)) for pool in selectors.a_number_pools_for(self.customer)]
        self.fields["a_number"].choices = [("", "—"), ("Numbers", dids), ("Numbers pools", pools)]
        if not self.is_bound and self.campaign is None:
            self.initial.setdefault("name", default_campaign_name())

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not NAME_RULE.fullmatch(name):
            raise forms.ValidationError("Invalid: use letters, digits, spaces, -, ( and ) only.")
        others = selectors.campaigns_of(self.customer).filter(name__iexact=name)
        if self.campaign is not None and self.campaign.pk:
            others = others.exclude(pk=self.campaign.pk)
        if others.exists():
            raise forms.ValidationError(f"Invalid: you already have a campaign named “{name}”.")
        return name

    def apply(self, campaign: Campaign) -> None:
        campaign.name = self.cleaned_data["name"]
        campaign.comment = self.cleaned_data["comment"]
        kind, _, pk = self.cleaned_data["a_number"].partition(":")
        campaign.a_number_did_id = int(pk) if kind == "did" else None
        campaign.a_number_pool_id = int(pk) if kind == "pool" else None

    @staticmethod
    def initial_for(campaign: Campaign) -> dict:
        a_number = (
            f"did:{campaign.a_number_did_id}" if campaign.a_number_did_id else f"pool:{campaign.a_number_pool_id}"
        )
        return {"name": campaign.name, "comment": campaign.comment, "a_number": a_number}


class AppBlock(Block):
    number, title, key = 2, "App", "app"

    app = forms.ModelChoiceField(queryset=None, help_text="Yours or a global one.")

    def add_fields(self) -> None:
        self.fields["app"].queryset = selectors.apps_for(self.customer)

    @staticmethod
    def initial_for(campaign: Campaign) -> dict:
        return {"app": campaign.app_id}


class ListBlock(Block):
    """The list, and for every variable of the chosen app the list column that fills it."""

    number, title, key = 3, "Distribution list", "list"

    distribution_list = forms.ModelChoiceField(queryset=None, label="Distribution list", help_text="Ready lists only.")

    def __init__(self, *args, app=None, **kwargs):
        self.app = app
        super().__init__(*args, **kwargs)

    def add_fields(self) -> None:
        app = self.app
        lists = ready_distribution_lists_of(self.customer)
        self.fields["distribution_list"].queryset = lists
        chosen = self._chosen_list(lists)
        columns = list(chosen.variables) if chosen is not None else []
        self.columns_by_list = {lst.pk: lst.variables for lst in lists}
        for variable in app.variables if app is not None else []:
            self.fields[f"var_{variable}"] = forms.ChoiceField(
                label=f"{{{variable}}}",
                choices=[("", "—"), *[(column, column) for column in columns]],
                help_text="The list column that fills this variable.",
            )

    def _chosen_list(self, lists):
        key = self.add_prefix("distribution_list")
        raw = self.data.get(key) if self.is_bound else self.initial.get("distribution_list")
        try:
            return lists.get(pk=raw) if raw not in (None, "") else None
        except (ValueError, TypeError, lists.model.DoesNotExist):
            return None

    def clean(self):
        cleaned = super().clean()
        if self.app is None:
            raise forms.ValidationError("Missing: choose the app first (block 2).")
        return cleaned

    def mapping(self) -> dict[str, str]:
        return {
            name.removeprefix("var_"): value for name, value in self.cleaned_data.items() if name.startswith("var_")
        }

    def apply(self, campaign: Campaign) -> None:
        campaign.distribution_list = self.cleaned_data["distribution_list"]
        campaign.variable_mapping = self.mapping()

    @staticmethod
    def initial_for(campaign: Campaign) -> dict:
        initial = {"distribution_list": campaign.distribution_list_id}
        initial.update({f"var_{k}": v for k, v in (campaign.variable_mapping or {}).items()})
        return initial


class SettingsBlock(Block):
    number, title, key = 4, "Settings", "settings"

    all_day = forms.BooleanField(required=False, initial=True, label="All day")
    work_start = forms.TimeField(required=False, label="From", widget=forms.TimeInput(attrs={"type": "time"}))
    work_end = forms.TimeField(required=False, label="To", widget=forms.TimeInput(attrs={"type": "time"}))
    work_days = forms.TypedMultipleChoiceField(
        required=False,
        coerce=int,
        choices=WEEKDAYS,
        initial=[d for d, _ in WEEKDAYS],
        widget=forms.CheckboxSelectMultiple,
        label="Weekdays",
    )
    lines = _int_field("Limit of lines", LINES_RANGE, initial=1)
    short_call_seconds = _int_field("Shorter than (seconds)", SHORT_CALL_RANGE, initial=10)
    repeat_total_cap = _int_field("Cap on all repeats", REPEAT_CAP_RANGE, required=False)
    scheduled_at = forms.DateTimeField(
        required=False,
        label="Schedule launch",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"],
    )
    subscriber_time_zone = forms.BooleanField(required=False, label="Subscriber's time zone")
    time_zone = forms.CharField(required=False, widget=forms.HiddenInput)

    def add_fields(self) -> None:
        for outcome, label in RepeatOutcome.choices:
            self.fields[f"repeat_{outcome}"] = forms.BooleanField(required=False, label=label)
            self.fields[f"repeat_{outcome}_count"] = _int_field("Repeats", REPEAT_COUNT_RANGE, initial=1)
            self.fields[f"repeat_{outcome}_period"] = _int_field("Period (minutes)", REPEAT_PERIOD_RANGE, initial=60)

    @property
    def repeat_rows(self) -> list[dict]:
        """The bound fields of each repeat rule, for the table of the Settings block."""
        return [
            {
                "enabled": self[f"repeat_{outcome}"],
                "count": self[f"repeat_{outcome}_count"],
                "period": self[f"repeat_{outcome}_period"],
                "seconds": self["short_call_seconds"] if outcome == RepeatOutcome.SHORT else None,
            }
            for outcome in RepeatOutcome.values
        ]

    def clean_time_zone(self) -> str:
        zone = self.cleaned_data.get("time_zone") or (self.campaign.time_zone if self.campaign else "")
        zone = zone or self.customer.time_zone
        if zone not in zoneinfo.available_timezones():
            raise forms.ValidationError(f"Invalid time zone {zone!r}.")
        return zone

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all_day"):
            for field in ("work_start", "work_end"):
                if cleaned.get(field) is None and field not in self.errors:
                    self.add_error(field, "Missing: give the hours, or tick All day.")
            start, end = cleaned.get("work_start"), cleaned.get("work_end")
            if start is not None and start == end:
                self.add_error("work_end", "Invalid: the end must differ from the start.")
            if not cleaned.get("work_days") and "work_days" not in self.errors:
                self.add_error("work_days", "Missing: tick at least one weekday.")
        return cleaned

    def apply(self, campaign: Campaign) -> None:
        data = dict(self.cleaned_data)
        days = data.pop("work_days") or [d for d, _ in WEEKDAYS]
        if data["all_day"]:
            data["work_start"] = data["work_end"] = None
            days = [d for d, _ in WEEKDAYS]
        campaign.work_days = sum(1 << day for day in days)
        for name, value in data.items():
            setattr(campaign, name, value)

    @staticmethod
    def initial_for(campaign: Campaign) -> dict:
        names = [name for name in SettingsBlock.base_fields if name != "work_days"]
        names += [f"repeat_{o}{suffix}" for o in RepeatOutcome.values for suffix in ("", "_count", "_period")]
        initial = {name: getattr(campaign, name) for name in names}
        initial["work_days"] = campaign.weekdays
        if campaign.scheduled_at:
            initial["scheduled_at"] = timezone.localtime(campaign.scheduled_at).strftime("%Y-%m-%dT%H:%M")
        return initial


BLOCKS: list[type[Block]] = [MainBlock, AppBlock, ListBlock, SettingsBlock]

# Which blocks a campaign in each status may change (SPEC §5, "Editing").
EDITABLE_BLOCKS = {
    CampaignStatus.DRAFT: {"main", "app", "list", "settings"},
    CampaignStatus.PAUSED: {"main", "settings"},
}


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


def bind_blocks(*, customer, data=None, campaign: Campaign | None = None) -> dict[str, Block]:
    """The four blocks, bound to ``data`` (prefixed by block key) or showing ``campaign``.

    Blocks a campaign may not change in its status are bound to its current
    values, so that they validate and stay as they are whatever was posted.
    """
    editable = EDITABLE_BLOCKS.get(campaign.status, set()) if campaign and campaign.pk else set(BLOCK_KEYS)
    blocks: dict[str, Block] = {}
    app = None
    for block_class in BLOCKS:
        key = block_class.key
        kwargs = {"customer": customer, "campaign": campaign, "prefix": key}
        if key == "list":
            kwargs["app"] = app
        initial = block_class.initial_for(campaign) if campaign is not None and campaign.pk else {}
        if data is not None and key in editable:
            block = block_class(data, **kwargs)
        elif data is not None:
            block = block_class(_prefixed(key, initial), **kwargs)
        else:
            block = block_class(initial=initial, **kwargs)
        block.editable = key in editable
        blocks[key] = block
        if key == "app":
            app = _chosen_app(block)
    return blocks


def _prefixed(prefix: str, values: dict) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in values.items():
        if value is None or value is False:
            continue
        key = f"{prefix}-{name}"
        if isinstance(value, list):
            data.setlist(key, [str(v) for v in value])
        else:
            data[key] = "on" if value is True else str(value)
    return data


def _chosen_app(block: AppBlock):
    raw = block.data.get(block.add_prefix("app")) if block.is_bound else block.initial.get("app")
    if raw in (None, ""):
        return None
    try:
        return block.fields["app"].queryset.get(pk=raw)
    except (ValueError, TypeError, block.fields["app"].queryset.model.DoesNotExist):
        return None


def blocks_valid(blocks: dict[str, Block]) -> bool:
    return all(block.is_valid() for block in blocks.values())


def block_report(blocks: dict[str, Block]) -> dict:
    """What the wizard page needs to mark blocks: validity and messages per field."""
    report = {}
    for key, block in blocks.items():
        valid = block.is_valid()
        report[key] = {
            "valid": valid,
            "errors": {name: [str(m) for m in messages] for name, messages in block.errors.items()},
        }
    return report


BLOCK_KEYS = [block.key for block in BLOCKS]
