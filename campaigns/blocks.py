"""The four blocks of a campaign — Main, App, Distribution list, Settings — as forms.

The wizard shows them block by block. Their messages, ranges and rules are
the campaign's one contract (``campaigns/contract.py``), which the API's
serializer reads with too; each valid block gives its part of the
``CampaignInput`` the services take. Every error names what is wrong:
missing, invalid, or out of the permitted range.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone

from campaigns import contract, selectors
from campaigns.contract import (
    MESSAGES,
    RANGES,
    REPEAT_CAP_RANGE,
    WEEKDAYS,
    AppInput,
    CampaignInput,
    ListInput,
    default_campaign_name,
)
from campaigns.models import App, Campaign, RepeatOutcome
from campaigns.services import list_not_callable
from distribution_lists.selectors import ready_distribution_lists_of


def _int_field(label: str, bounds: tuple[int, int], **kwargs: Any) -> forms.IntegerField:
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
    editable: bool = True

    def __init__(self, *args: Any, customer: Any, campaign: Campaign | None = None, **kwargs: Any):
        self.customer = customer
        self.campaign = campaign
        super().__init__(*args, **kwargs)
        self.add_fields()
        for field in self.fields.values():
            field.error_messages = {**field.error_messages, **MESSAGES}

    def add_fields(self) -> None:
        """Fields that depend on the customer or on other blocks."""

    def as_input(self) -> Any:
        """The block's part of the ``CampaignInput`` (a valid block only)."""
        raise NotImplementedError

    @staticmethod
    def initial_for(campaign: Campaign) -> dict[str, Any]:
        """What the block shows of ``campaign``."""
        raise NotImplementedError

    def _choices(self, name: str) -> forms.ModelChoiceField[Any]:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        return field

    def _rule(self, name: str, rule: Any) -> None:
        """Run one contract rule on a cleaned field; its ValidationError marks the field."""
        if name in self.cleaned_data:
            try:
                self.cleaned_data[name] = rule(self.cleaned_data[name])
            except ValidationError as error:
                self.add_error(name, error)


class MainBlock(Block):
    number, title, key = 1, "Main", "main"

    name = forms.CharField(
        max_length=contract.NAME_MAX_LENGTH,
        help_text="Letters of any alphabet, digits, spaces, -, ( and ).",
    )
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    a_number = forms.CharField(
        label="A-number", help_text="One of your numbers, or a numbers pool.", widget=forms.Select
    )

    def add_fields(self) -> None:
        self.fields["a_number"].widget.choices = [("", "—"), *contract.a_number_choices(self.customer)]
        if not self.is_bound and self.campaign is None:
            self.initial.setdefault("name", default_campaign_name())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._rule("name", lambda name: contract.clean_name(name, customer=self.customer, campaign=self.campaign))
        self._rule("a_number", lambda value: contract.clean_a_number(value, customer=self.customer))
        return cleaned

    def as_input(self) -> contract.MainInput:
        return contract.main_input(self.cleaned_data, self.cleaned_data["a_number"])

    @staticmethod
    def initial_for(campaign: Campaign) -> dict[str, Any]:
        return {"name": campaign.name, "comment": campaign.comment, "a_number": contract.a_number_of(campaign)}


class AppBlock(Block):
    number, title, key = 2, "App", "app"

    app: forms.ModelChoiceField[App] = forms.ModelChoiceField(queryset=None, help_text="Yours or a global one.")

    def add_fields(self) -> None:
        self._choices("app").queryset = selectors.apps_for(self.customer)

    def as_input(self) -> AppInput:
        return AppInput(app=self.cleaned_data["app"])

    @staticmethod
    def initial_for(campaign: Campaign) -> dict[str, Any]:
        return {"app": campaign.app_id}


class ListBlock(Block):
    """The list, and for every variable of the chosen app the list column that fills it."""

    number, title, key = 3, "Distribution list", "list"

    distribution_list: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label="Distribution list", help_text="Ready lists only."
    )

    def __init__(self, *args: Any, app: App | None = None, suggest: bool = False, **kwargs: Any):
        self.app = app
        self.suggest = suggest
        super().__init__(*args, **kwargs)

    def add_fields(self) -> None:
        app = self.app
        lists = ready_distribution_lists_of(self.customer)
        self._choices("distribution_list").queryset = lists
        chosen = self._chosen_list(lists)
        self.columns = list(chosen.variables) if chosen is not None else []
        # Shown beside the list choice: a list nobody on it can be called from is refused at launch.
        self.not_callable = list_not_callable(chosen) if chosen is not None else None
        self.launch_refusal: str | None = None  # set by the wizard when a launch was refused for the list
        self.columns_by_list = {lst.pk: lst.variables for lst in lists}
        for variable in app.variables if app is not None else []:
            self.fields[f"var_{variable}"] = forms.CharField(
                label=f"{{{variable}}}",
                required=False,
                widget=forms.Select(choices=[("", "—"), *[(column, column) for column in self.columns]]),
                help_text="Required: the list column that fills this variable.",
            )
            if self.suggest or not self.is_bound:
                self._suggest_column(variable)

    def _suggest_column(self, variable: str) -> None:
        """Pre-select the column whose header is the variable's name (case aside) when none of the
        list's columns is chosen yet: a mapping is required, so "—" is never a choice to keep."""
        key = f"var_{variable}"
        current = self.data.get(self.add_prefix(key)) if self.is_bound else self.initial.get(key)
        if current in self.columns:
            return
        match = next((column for column in self.columns if column.casefold() == variable.casefold()), None)
        if match is None:
            return
        if self.is_bound:
            data = self.data.copy() if isinstance(self.data, QueryDict) else QueryDict(mutable=True)
            if not isinstance(self.data, QueryDict):
                data.update(self.data)
            data[self.add_prefix(key)] = match
            self.data = data
        else:
            self.initial[key] = match

    def _chosen_list(self, lists: Any) -> Any:
        key = self.add_prefix("distribution_list")
        raw = self.data.get(key) if self.is_bound else self.initial.get("distribution_list")
        try:
            return lists.get(pk=raw) if raw not in (None, "") else None
        except (ValueError, TypeError, lists.model.DoesNotExist):
            return None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.app is None:
            raise forms.ValidationError(contract.APP_FIRST)
        for variable, message in contract.mapping_errors(self.app, self.columns, self.mapping()).items():
            self.add_error(f"var_{variable}", message)
        return cleaned

    def mapping(self) -> dict[str, str]:
        return {
            name.removeprefix("var_"): value for name, value in self.cleaned_data.items() if name.startswith("var_")
        }

    def as_input(self) -> ListInput:
        return ListInput(distribution_list=self.cleaned_data["distribution_list"], variable_mapping=self.mapping())

    @staticmethod
    def initial_for(campaign: Campaign) -> dict[str, Any]:
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
        initial=list(contract.ALL_DAYS),
        widget=forms.CheckboxSelectMultiple,
        label="Weekdays",
    )
    lines = _int_field("Limit of lines", RANGES["lines"], initial=1)
    short_call_seconds = _int_field("Shorter than (seconds)", RANGES["short_call_seconds"], initial=10)
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
            self.fields[f"repeat_{outcome}_count"] = _int_field("Repeats", RANGES[f"repeat_{outcome}_count"], initial=1)
            self.fields[f"repeat_{outcome}_period"] = _int_field(
                "Period (minutes)", RANGES[f"repeat_{outcome}_period"], initial=60
            )

    @property
    def repeat_rows(self) -> list[dict[str, Any]]:
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

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._rule(
            "time_zone", lambda zone: contract.clean_time_zone(zone, customer=self.customer, campaign=self.campaign)
        )
        for name, message in contract.work_period_errors(self.cleaned_data, set(self.errors)).items():
            self.add_error(name, message)
        return cleaned

    def as_input(self) -> contract.SettingsInput:
        return contract.settings_input(self.cleaned_data)

    @staticmethod
    def initial_for(campaign: Campaign) -> dict[str, Any]:
        values = contract.values_of(campaign)
        initial = {name: values[name] for name in contract.BLOCK_FIELDS["settings"]}
        if campaign.scheduled_at:
            initial["scheduled_at"] = timezone.localtime(campaign.scheduled_at).strftime("%Y-%m-%dT%H:%M")
        return initial


BLOCKS: list[type[Block]] = [MainBlock, AppBlock, ListBlock, SettingsBlock]


def bind_blocks(
    *, customer: Any, data: QueryDict | None = None, campaign: Campaign | None = None, suggest: bool = False
) -> dict[str, Block]:
    """The four blocks, bound to ``data`` (prefixed by block key) or showing ``campaign``.

    ``suggest`` (the wizard's validation as the user goes): an app variable the user has not
    mapped to a column of the chosen list yet gets the column of its own name, when there is one.

    Blocks a campaign may not change in its status are bound to its current
    values, so that they validate and stay as they are whatever was posted.
    """
    editable = contract.editable_blocks(campaign)
    blocks: dict[str, Block] = {}
    app = None
    for block_class in BLOCKS:
        key = block_class.key
        kwargs = {"customer": customer, "campaign": campaign, "prefix": key}
        if key == "list":
            kwargs["app"] = app
            kwargs["suggest"] = suggest and key in editable
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


def _prefixed(prefix: str, values: dict[str, Any]) -> QueryDict:
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


def _chosen_app(block: Block) -> App | None:
    raw = block.data.get(block.add_prefix("app")) if block.is_bound else block.initial.get("app")
    if raw in (None, ""):
        return None
    apps = block._choices("app").queryset
    if apps is None:
        return None
    try:
        return apps.get(pk=raw)
    except (ValueError, TypeError, App.DoesNotExist):
        return None


def blocks_valid(blocks: dict[str, Block]) -> bool:
    return all(block.is_valid() for block in blocks.values())


def block_report(blocks: dict[str, Block]) -> dict[str, Any]:
    """What the wizard page needs to mark blocks: validity and messages per field."""
    report = {}
    for key, block in blocks.items():
        valid = block.is_valid()
        report[key] = {
            "valid": valid,
            "errors": {name: [str(m) for m in messages] for name, messages in block.errors.items()},
        }
    return report


def blocks_input(blocks: dict[str, Block]) -> CampaignInput:
    """What the valid blocks say, as the services take it: the blocks that may change only."""
    parts = {key: block.as_input() for key, block in blocks.items() if block.editable}
    return CampaignInput(**parts)
