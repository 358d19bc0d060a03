"""Named definitions in a guideline version (`define:`): written out into the CEL that runs."""

from __future__ import annotations

import cel
import pytest

from decision.engine.defines import DefineError, expand, parse

DEFINES = parse(
    {
        "given(a, l)": "a in l.agents || (l.m != null && a in l.m.agents)",
        "first_with(a)": "lines.filter(l, given(a, l))[0].number",
        "swap(a, b)": "a - b",
    }
)
LINES = [
    {"agents": ["x"], "m": None, "number": 1},
    {"agents": ["y"], "m": {"agents": ["z"]}, "number": 2},
]


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ('given("x", lines[0])', True),
        ('given("z", lines[1])', True),
        ('given("z", lines[0])', False),
        ('first_with("z")', 2),
        # Arguments with brackets, calls and commas of their own.
        ('first_with(["q", "y"].filter(a, a in ["y", "w"])[0])', 2),
        # All parameters are bound at once: an argument naming the other parameter stays as is.
        ("swap(b, a)", 1),
    ],
)
def test_calls_are_written_out_and_evaluate_as_written(expression: str, value: object) -> None:
    expanded = expand(expression, DEFINES)

    assert "given(" not in expanded and "first_with(" not in expanded
    assert cel.evaluate(expanded, {"lines": LINES, "a": 3, "b": 4}) == value


def test_names_inside_strings_and_after_a_dot_are_left_alone() -> None:
    assert expand('"given(a, l)" + x.given', DEFINES) == '"given(a, l)" + x.given'


@pytest.mark.parametrize(
    ("entries", "expression", "message"),
    [
        ({"Given(a)": "a"}, "x", "not a signature"),
        ({"one(a)": "a"}, "one(1, 2)", "takes 1 arguments, got 2"),
        ({"one(a)": "a"}, "one(1", "not closed"),
        ({"ping(a)": "pong(a)", "pong(a)": "ping(a)"}, "ping(1)", "circle"),
    ],
)
def test_a_bad_definition_or_call_is_refused(
    entries: dict[str, str], expression: str, message: str
) -> None:
    with pytest.raises(DefineError, match=message):
        expand(expression, parse(entries))
