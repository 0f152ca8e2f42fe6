"""App scenarios: the call flow a campaign runs for every answered call.

A scenario is an ordered list of steps, stored as JSON on the app::

    [
      {"id": "greet", "type": "say", "text": "Hello {name}, your order {order} is ready."},
      {"id": "jingle", "type": "play", "audio": 7},
      {"id": "menu", "type": "gather", "prompt": "Press 1 to talk to us, 2 to hang up.",
       "digits": 1, "timeout": 5, "branches": {"1": "agent", "2": "bye"}, "default": "bye"},
      {"id": "agent", "type": "transfer", "number": "+441174090100"},
      {"id": "bye", "type": "say", "text": "Goodbye."},
      {"id": "end", "type": "hangup"}
    ]

Steps run in order; a gather jumps to the step its digit names (or to
``default`` on a timeout or an unknown digit, else to the next step);
``hangup`` ends the call; a ``transfer`` the target takes ends our part of
it, one refused or failed goes on with the next step. Placeholders ``{variable}`` in
``say`` texts and gather prompts are the app's variables, filled from the
contact's mapped columns when the call is placed.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError

STEP_TYPES = ("say", "play", "gather", "transfer", "hangup")
TEXT_FIELDS = {"say": "text", "gather": "prompt"}
STEP_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")
VARIABLE_NAME = r"[A-Za-z_][A-Za-z0-9_]{0,63}"
PLACEHOLDER = re.compile(r"\{(" + VARIABLE_NAME + r")\}")
MAX_STEPS = 100
MAX_TEXT = 2000
GATHER_DIGITS = (1, 20)
GATHER_TIMEOUT = (1, 60)
KEYS = set("0123456789*#")

ALLOWED_FIELDS = {
    "say": {"id", "type", "text"},
    "play": {"id", "type", "audio"},
    "gather": {"id", "type", "prompt", "digits", "timeout", "branches", "default", "opt_out", "opt_out_confirmation"},
    "transfer": {"id", "type", "number"},
    "hangup": {"id", "type"},
}


def _placeholder_errors(text: str) -> list[str]:
    """Braces that are not a well-formed ``{variable}``."""
    stripped = PLACEHOLDER.sub("", text)
    errors = []
    if "{" in stripped or "}" in stripped:
        bad = re.findall(r"\{[^{}]*\}?|\}", stripped)
        shown = ", ".join(repr(b) for b in bad[:3]) or "an unmatched brace"
        errors.append(
            f"malformed placeholder {shown}: write {{name}} with letters, digits and _ (starting with a letter)"
        )
    return errors


def _int_in_range(step: dict, field: str, bounds: tuple[int, int], where: str) -> list[str]:
    value = step.get(field)
    if isinstance(value, bool) or not isinstance(value, int):
        return [f"{where}: '{field}' must be a whole number from {bounds[0]} to {bounds[1]}"]
    if not bounds[0] <= value <= bounds[1]:
        return [f"{where}: '{field}' is {value}, out of the permitted range {bounds[0]}–{bounds[1]}"]
    return []


def scenario_errors(steps: Any, *, audio_ids: Iterable[int] = (), unconverted_ids: Iterable[int] = ()) -> list[str]:
    """Every problem of a scenario, each naming the step and the field; empty when valid.

    ``unconverted_ids``: recordings without a telephone version, which a call cannot play.
    """
    if not isinstance(steps, list) or not steps:
        return ["the scenario must be a non-empty list of steps"]
    if len(steps) > MAX_STEPS:
        return [f"the scenario has {len(steps)} steps; at most {MAX_STEPS} are allowed"]
    audio_ids, unconverted_ids = set(audio_ids), set(unconverted_ids)
    errors: list[str] = []
    ids: list[str] = []
    for position, step in enumerate(steps, start=1):
        if not isinstance(step, dict):
            errors.append(f"step {position}: must be an object with 'id' and 'type'")
            continue
        step_id = step.get("id")
        where = f"step {position} ({step_id})" if isinstance(step_id, str) else f"step {position}"
        errors += _id_errors(step_id, ids, where)
        kind = step.get("type")
        if kind not in STEP_TYPES:
            errors.append(f"{where}: 'type' must be one of {', '.join(STEP_TYPES)}")
            continue
        unknown = set(step) - ALLOWED_FIELDS[kind]
        if unknown:
            errors.append(f"{where}: unknown field(s) {', '.join(sorted(unknown))} for a {kind} step")
        if kind in TEXT_FIELDS:
            errors += _text_errors(step, kind, where)
        if kind == "play":
            errors += _play_errors(step, where, audio_ids=audio_ids, unconverted_ids=unconverted_ids)
        if kind == "gather":
            errors += _gather_errors(step, where)
        if kind == "transfer":
            number = step.get("number")
            if not isinstance(number, str) or not _is_valid_international(number):
                errors.append(f"{where}: 'number' {number!r} is not a valid international number (e.g. +441174090100)")
    return errors + _branch_target_errors(steps, ids)


def _id_errors(step_id: Any, ids: list[str], where: str) -> list[str]:
    """A step's id must be valid and unused; a good one is added to ``ids``."""
    if not isinstance(step_id, str) or not STEP_ID.match(step_id):
        return [f"{where}: 'id' is missing or invalid (letters, digits, - and _, starting with a letter)"]
    if step_id in ids:
        return [f"{where}: id '{step_id}' is used twice"]
    ids.append(step_id)
    return []


def _text_errors(step: dict, kind: str, where: str) -> list[str]:
    field = TEXT_FIELDS[kind]
    text = step.get(field)
    if kind == "gather" and text in (None, ""):
        return []  # a gather may listen without a prompt
    if not isinstance(text, str) or not text.strip():
        return [f"{where}: '{field}' is missing"]
    if len(text) > MAX_TEXT:
        return [f"{where}: '{field}' is longer than {MAX_TEXT} characters"]
    return [f"{where}: {e}" for e in _placeholder_errors(text)]


def _play_errors(step: dict, where: str, *, audio_ids: set[int], unconverted_ids: set[int]) -> list[str]:
    audio = step.get("audio")
    if isinstance(audio, bool) or not isinstance(audio, int):
        return [f"{where}: 'audio' must be the id of an uploaded audio file"]
    if audio not in audio_ids:
        return [f"{where}: audio file {audio} does not exist or is not available to this app"]
    if audio in unconverted_ids:
        return [f"{where}: audio file {audio} has no telephone version (uploaded before conversion): upload it again"]
    return []


def _gather_errors(step: dict, where: str) -> list[str]:
    errors = _int_in_range(step, "digits", GATHER_DIGITS, where)
    errors += _int_in_range(step, "timeout", GATHER_TIMEOUT, where)
    branches = step.get("branches", {})
    if not isinstance(branches, dict):
        errors.append(f"{where}: 'branches' must map a digit to a step id")
    else:
        for digit in branches:
            if not digit or any(ch not in KEYS for ch in digit):
                errors.append(f"{where}: branch key {digit!r} is not made of keypad digits (0-9, *, #)")
    opt_out = step.get("opt_out")
    if opt_out is not None and (not isinstance(opt_out, str) or len(opt_out) != 1 or opt_out not in KEYS):
        errors.append(f"{where}: 'opt_out' must be one keypad digit (0-9, *, #)")
    elif opt_out is not None and isinstance(branches, dict) and opt_out in branches:
        errors.append(f"{where}: digit {opt_out!r} is both the opt-out and a branch")
    confirmation = step.get("opt_out_confirmation")
    if confirmation is not None and (not isinstance(confirmation, str) or len(confirmation) > MAX_TEXT):
        errors.append(f"{where}: 'opt_out_confirmation' must be a text of at most {MAX_TEXT} characters")
    return errors


def _branch_target_errors(steps: list, ids: list[str]) -> list[str]:
    """Branch targets, checked once every id is known."""
    errors = []
    for position, step in enumerate(steps, start=1):
        if isinstance(step, dict) and step.get("type") == "gather":
            where = f"step {position} ({step.get('id')})"
            given = step.get("branches")
            branches = given if isinstance(given, dict) else {}
            targets = list(branches.items()) + ([("default", step["default"])] if "default" in step else [])
            for digit, target in targets:
                if target not in ids:
                    errors.append(f"{where}: branch {digit!r} points at {target!r}, which is not a step of this app")
    return errors


def validate_scenario(steps: Any, *, audio_ids: Iterable[int] = (), unconverted_ids: Iterable[int] = ()) -> None:
    errors = scenario_errors(steps, audio_ids=audio_ids, unconverted_ids=unconverted_ids)
    if errors:
        raise ValidationError(errors)


def _is_valid_international(number: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return False


def scenario_variables(steps: Iterable[Mapping]) -> list[str]:
    """The placeholders the scenario uses, in order of first appearance."""
    seen: dict[str, None] = {}
    for step in steps:
        field = TEXT_FIELDS.get(step.get("type", ""))
        if field and isinstance(step.get(field), str):
            for name in PLACEHOLDER.findall(step[field]):
                seen.setdefault(name, None)
    return list(seen)


def render_text(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each ``{variable}`` replaced; a variable without a value becomes empty."""
    return PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), "")), text)


def render_scenario(steps: Iterable[Mapping], values: Mapping[str, str], *, voice: str = "") -> list[dict]:
    """The steps with their texts filled in, as the gateway receives them.

    ``voice`` (the app's text-to-speech voice) goes on every step that speaks;
    none: the call engine's default (``SIP_TTS_VOICE``).
    """
    rendered = []
    for step in steps:
        step = dict(step)
        field = TEXT_FIELDS.get(step.get("type", ""))
        if field and isinstance(step.get(field), str):
            step[field] = render_text(step[field], values)
        if field and voice:
            step["voice"] = voice
        rendered.append(step)
    return rendered


DEFAULT_OPT_OUT_CONFIRMATION = "You will not be called again. Goodbye."


def opt_out_step(steps: Iterable[Mapping], digits: str) -> Mapping | None:
    """The gather step whose opt-out digit ``digits`` is (the callee asked not to be called again), or None."""
    for step in steps:
        if step.get("type") == "gather" and step.get("opt_out") and digits == step["opt_out"]:
            return step
    return None
