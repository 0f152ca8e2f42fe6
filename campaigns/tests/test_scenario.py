import pytest

from campaigns.scenario import render_scenario, scenario_errors, scenario_variables

VALID = [
    {"id": "greet", "type": "say", "text": "Hello {name}, order {order_no}."},
    {"id": "jingle", "type": "play", "audio": 7},
    {
        "id": "menu",
        "type": "gather",
        "prompt": "Press 1, {name}.",
        "digits": 1,
        "timeout": 5,
        "branches": {"1": "agent", "#": "end"},
        "default": "end",
    },
    {"id": "agent", "type": "transfer", "number": "+441174960123"},
    {"id": "end", "type": "hangup"},
]


def with_step(index, **changes):
    steps = [dict(step) for step in VALID]
    steps[index] = {**steps[index], **changes}
    return steps


def test_a_valid_scenario_has_no_errors():
    assert scenario_errors(VALID, audio_ids=[7]) == []


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ([], "non-empty list"),
        ("say hello", "non-empty list"),
        (with_step(0, type="shout"), "'type' must be one of"),
        (with_step(0, id="1st"), "'id' is missing or invalid"),
        (with_step(1, id="greet"), "id 'greet' is used twice"),
        (with_step(0, text=""), "'text' is missing"),
        (with_step(0, text="Hello {name"), "malformed placeholder"),
        (with_step(0, text="Hello {}"), "malformed placeholder"),
        (with_step(0, text="Hello {2nd}"), "malformed placeholder"),
        (with_step(0, text="Hello name}"), "malformed placeholder"),
        (with_step(1, audio=8), "audio file 8 does not exist"),
        (with_step(1, audio="jingle.wav"), "'audio' must be the id"),
        (with_step(2, digits=0), "'digits' is 0, out of the permitted range 1–20"),
        (with_step(2, digits=21), "out of the permitted range 1–20"),
        (with_step(2, timeout=61), "'timeout' is 61, out of the permitted range 1–60"),
        (with_step(2, timeout="5"), "'timeout' must be a whole number"),
        (with_step(2, branches={"1": "nowhere"}), "branch '1' points at 'nowhere'"),
        (with_step(2, default="nowhere"), "branch 'default' points at 'nowhere'"),
        (with_step(2, branches={"x": "end"}), "is not made of keypad digits"),
        (with_step(3, number="12345"), "is not a valid international number"),
        (with_step(4, colour="red"), "unknown field(s) colour"),
    ],
)
def test_each_mistake_is_named(steps, expected):
    errors = scenario_errors(steps, audio_ids=[7])
    assert any(expected in error for error in errors), errors


def test_errors_name_the_step():
    errors = scenario_errors(with_step(3, number="nope"), audio_ids=[7])
    assert errors == ["step 4 (agent): 'number' 'nope' is not a valid international number (e.g. +441174090100)"]


def test_variables_are_the_placeholders_in_order_of_appearance():
    assert scenario_variables(VALID) == ["name", "order_no"]


def test_render_fills_placeholders_and_leaves_other_steps_alone():
    rendered = render_scenario(VALID, {"name": "Ada", "order_no": "42"})
    assert rendered[0]["text"] == "Hello Ada, order 42."
    assert rendered[2]["prompt"] == "Press 1, Ada."
    assert rendered[3] == VALID[3]
    assert VALID[0]["text"] == "Hello {name}, order {order_no}."  # the app itself is untouched
