"""JSON of the campaigns API ⇄ the wizard's four blocks.

The API has no validation of its own: a request's JSON is laid over what
the wizard would show (its defaults for a new campaign, the campaign's
values for an edit), turned into the same form data the wizard posts, and
bound to ``campaigns.blocks.bind_blocks``. The same mistake therefore gets
the same message in the browser and in the API.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Model
from django.http import QueryDict

from campaigns.blocks import Block, bind_blocks
from campaigns.models import Campaign

MAPPING = "variable_mapping"


def _block_fields(customer) -> dict[str, set[str]]:
    """Every field name the API takes, per block (the list block's mapping is one JSON object)."""
    names: dict[str, set[str]] = {}
    for block in bind_blocks(customer=customer).values():
        names[block.key] = {name for name in block.fields if not name.startswith("var_")}
    names["list"].add(MAPPING)
    return names


class PayloadError(Exception):
    """The JSON is not an object of known fields; ``errors`` maps field → messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def _as_data(value) -> str | list[str] | None:
    """One JSON value as the wizard's form would post it (None: not posted)."""
    if value is None or value is False:
        return None
    if value is True:
        return "on"
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)


def _initial_values(block: Block) -> dict:
    return {name: block.get_initial_for_field(field, name) for name, field in block.fields.items()}


def bind_payload(*, customer, payload, campaign: Campaign | None = None) -> dict[str, Block]:
    """The four blocks bound to ``payload`` over the defaults (new) or the campaign's values (edit).

    Raises PayloadError for a body that is not an object, unknown fields, or
    fields of blocks the campaign may not change in its status.
    """
    if not isinstance(payload, dict):
        raise PayloadError({"non_field_errors": ["Invalid: send a JSON object of campaign fields."]})
    fields = _block_fields(customer)
    known = set().union(*fields.values())
    unknown = sorted(set(payload) - known)
    if unknown:
        raise PayloadError({name: ["Unknown field."] for name in unknown})
    mapping = payload.get(MAPPING, {})
    if mapping is None:
        mapping = {}
    if not isinstance(mapping, dict):
        raise PayloadError({MAPPING: ["Invalid: an object of app variable → list column."]})

    shown = bind_blocks(customer=customer, campaign=campaign)
    if campaign is not None:
        refused = sorted(
            name for key, block in shown.items() if not block.editable for name in fields[key] if name in payload
        )
        if refused:
            message = f"Cannot change in a {campaign.get_status_display().lower()} campaign."
            raise PayloadError({name: [message] for name in refused})

    data = QueryDict(mutable=True)
    for key, block in shown.items():
        values = _initial_values(block)
        if key == "list" and MAPPING in payload:
            values = {name: value for name, value in values.items() if not name.startswith("var_")}
            values.update({f"var_{variable}": column for variable, column in mapping.items()})
        values.update({name: payload[name] for name in fields[key] if name in payload and name != MAPPING})
        for name, value in values.items():
            posted = _as_data(value)
            if posted is None:
                continue
            if isinstance(posted, list):
                data.setlist(f"{key}-{name}", posted)
            else:
                data[f"{key}-{name}"] = posted
    return bind_blocks(customer=customer, data=data, campaign=campaign)


def payload_errors(blocks: dict[str, Block]) -> dict[str, list[str]]:
    """The blocks' messages keyed by the API's field names (a variable as ``variable_mapping.<name>``)."""
    errors: dict[str, list[str]] = {}
    for block in blocks.values():
        for name, messages in block.errors.items():
            if name == "__all__":
                key = "non_field_errors"
            elif name.startswith("var_"):
                key = f"{MAPPING}.{name.removeprefix('var_')}"
            else:
                key = name
            errors.setdefault(key, []).extend(str(message) for message in messages)
    return errors
