"""The API's case serializers are generated from a model's case schema: types, limits, nesting,
choices, what is required and what may be null, and the offered options."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework import serializers

from decision.case_serializers import UniqueListField, case_serializer
from decision.engine import DecisionModel
from decision.engine.guidelines import CaseField
from tests.decision.conftest import made_up_guideline

GUIDELINE = made_up_guideline("lines-model", "A made-up model of lines of therapy")
AGENTS = CaseField(
    "agents",
    "list",
    "The drugs given.",
    is_required=True,
    items=CaseField("agents[]", "choice", "", is_required=True, choices=("a", "b", "c")),
    min_items=1,
    is_unique=True,
)
LINES = CaseField(
    "lines",
    "list",
    "Prior lines of therapy.",
    is_required=True,
    min_items=1,
    items=CaseField(
        "lines[]",
        "object",
        "",
        is_required=True,
        fields=(
            AGENTS,
            CaseField("days", "integer", "", is_required=True, minimum=0, is_nullable=True),
            CaseField(
                "maintenance",
                "object",
                "Maintenance after the line.",
                is_required=False,
                fields=(AGENTS, CaseField("on_it", "boolean", "", is_required=True)),
            ),
        ),
    ),
)


def hand_built(*fields: CaseField) -> DecisionModel:
    return DecisionModel(
        model_id="lines-model",
        option_labels={"x": "Option X", "y": "Option Y", "z": "Option Z"},
        decide=lambda case: {},
        guideline=GUIDELINE,
        fields=fields,
    )


def errors_of(model: DecisionModel, data: dict[str, Any]) -> dict[str, Any]:
    serializer = case_serializer(model)(data=data)
    serializer.is_valid()
    return dict(serializer.errors)


def test_scalar_fields_keep_their_type_limits_and_what_is_required(
    toy_model: DecisionModel,
) -> None:
    fields = case_serializer(toy_model)().fields

    score, flag, grade, rate = (fields[name] for name in ("score", "flag", "grade", "rate"))
    assert isinstance(score, serializers.IntegerField)
    assert (score.min_value, score.max_value, score.required) == (0, 10, True)
    assert score.help_text == "A made-up score."
    assert isinstance(flag, serializers.BooleanField) and flag.required
    assert isinstance(grade, serializers.ChoiceField)
    assert list(grade.choices) == ["low", "high"]
    assert not grade.required
    assert isinstance(rate, serializers.FloatField)
    assert (rate.min_value, rate.max_value, rate.required) == (0, None, False)


def test_lists_of_objects_nest_with_nullable_members_and_unique_lists(
    toy_model: DecisionModel,
) -> None:
    events = case_serializer(toy_model)().fields["events"]

    assert isinstance(events, serializers.ListField)
    assert not events.required
    element = events.child
    assert isinstance(element, serializers.Serializer)
    days_ago, tags = element.fields["days_ago"], element.fields["tags"]
    assert days_ago.allow_null and days_ago.required
    assert isinstance(tags, UniqueListField) and not tags.required
    assert isinstance(tags.child, serializers.ChoiceField)
    assert list(tags.child.choices) == ["x", "y"]


def test_options_are_a_list_of_the_models_option_ids(toy_model: DecisionModel) -> None:
    options = case_serializer(toy_model)().fields["options"]

    assert isinstance(options, UniqueListField)
    assert isinstance(options.child, serializers.ChoiceField)
    assert list(options.child.choices) == ["act", "wait", "refer"]
    assert options.min_length == 2


def test_a_valid_case_passes_and_each_mistake_is_named_by_its_field(
    toy_model: DecisionModel,
) -> None:
    valid = {
        "score": 3,
        "flag": True,
        "events": [{"kind": "major", "days_ago": None, "tags": ["x"]}],
        "options": ["act", "wait"],
    }

    assert errors_of(toy_model, valid) == {}
    assert set(errors_of(toy_model, {**valid, "score": 11})) == {"score"}
    assert set(errors_of(toy_model, {**valid, "grade": "medium"})) == {"grade"}
    assert set(errors_of(toy_model, {**valid, "options": ["act", "act"]})) == {"options"}
    assert set(errors_of(toy_model, {**valid, "options": ["act", "jump"]})) == {"options"}
    missing = {key: value for key, value in valid.items() if key != "flag"}
    assert set(errors_of(toy_model, missing)) == {"flag"}
    bad_event = {**valid, "events": [{"kind": "major", "days_ago": -1, "tags": ["x", "x"]}]}
    assert set(errors_of(toy_model, bad_event)["events"][0]) == {"days_ago", "tags"}


def test_hand_built_fields_nest_an_optional_object_in_each_element() -> None:
    model = hand_built(
        LINES, CaseField("clearance", "number", "mL/min", is_required=True, minimum=0.1)
    )
    case = {"lines": [{"agents": ["a"], "days": 0}], "clearance": 40.5, "options": ["x", "y"]}

    assert errors_of(model, case) == {}
    with_maintenance = {
        **case,
        "lines": [{"agents": ["a"], "days": None, "maintenance": {"agents": [], "on_it": 1}}],
    }
    assert errors_of(model, with_maintenance)["lines"][0] == {
        "maintenance": {"agents": ["Ensure this field has at least 1 elements."]}
    }
    assert set(errors_of(model, {**case, "clearance": 0})) == {"clearance"}
    assert set(errors_of(model, {**case, "lines": []})) == {"lines"}


@pytest.mark.parametrize("name", ["score", "flag", "grade", "rate", "events", "options"])
def test_the_same_schema_gives_the_same_class(toy_model: DecisionModel, name: str) -> None:
    assert case_serializer(toy_model) is case_serializer(toy_model)
    assert name in case_serializer(toy_model)().fields
