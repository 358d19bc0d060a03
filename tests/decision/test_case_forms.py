"""The case editor made from a schema: what it builds from the inputs, how it shows a stored
case, and where it puts the engine's errors. No database: the question's options are unsaved."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from django import forms
from django.http import QueryDict

from decision import engine
from decision.case_forms import CaseEditor, CaseFieldsForm, ObjectList
from decision.engine import CaseError, DecisionModel
from decision.engine.guidelines import CaseField as Field
from quizbank.models import Option
from tests.decision.conftest import TOY
from tests.decision.test_case_serializers import LINES, hand_built

CLEARANCE = Field("clearance", "number", "mL/min", is_required=True, minimum=0.1)
OPTIONS = [Option(text=text, position=i) for i, text in enumerate(["First", "Second", "Third"])]


def query(data: dict[str, Any]) -> QueryDict:
    bound = QueryDict(mutable=True)
    for key, value in data.items():
        bound.setlist(key, value if isinstance(value, list) else [value])
    return bound


def lines_data(**fields: Any) -> QueryDict:
    data: dict[str, Any] = {
        "case-clearance": "40.5",
        "case-lines-TOTAL_FORMS": "2",
        "case-lines-INITIAL_FORMS": "0",
        "case-lines-0-agents": ["a", "b"],
        "case-lines-0-days": "",
        "options-option_0": "x",
        "options-option_1": "y",
        "options-option_2": "z",
    }
    data.update(fields)
    return query({key: value for key, value in data.items() if value is not None})


def editor(data: QueryDict | None, case: object = None) -> CaseEditor:
    model = hand_built(LINES, CLEARANCE)
    built = CaseEditor(data, model=model, options=OPTIONS, case=case)
    if data is not None:
        assert built.is_valid()
    return built


def test_each_row_of_a_list_of_objects_becomes_an_element_and_blank_rows_none() -> None:
    case = editor(lines_data()).case()

    assert case == {
        "clearance": 40.5,
        "lines": [{"agents": ["a", "b"], "days": None}],
        "options": ["x", "y", "z"],
    }


def test_an_optional_object_is_given_only_when_ticked() -> None:
    maintenance = {
        "case-lines-0-maintenance.agents": ["c"],
        "case-lines-0-maintenance.on_it": "on",
    }

    unticked = editor(lines_data(**maintenance)).case()
    ticked = editor(lines_data(**maintenance, **{"case-lines-0-maintenance": "on"})).case()

    assert "maintenance" not in unticked["lines"][0]
    assert ticked["lines"][0]["maintenance"] == {"agents": ["c"], "on_it": True}


def test_a_row_ticked_for_removal_is_left_out() -> None:
    stored = {"lines": [{"agents": ["a"], "days": 1}], "clearance": 40, "options": ["x", "y"]}
    data = lines_data(
        **{"case-lines-INITIAL_FORMS": "1", "case-lines-0-DELETE": "on"},
    )

    case = editor(data, stored).case()

    assert case["lines"] == []


def test_an_error_deep_in_a_row_is_shown_on_that_rows_input() -> None:
    built = editor(lines_data(**{"case-lines-0-maintenance": "on"}))

    built.add_case_error(CaseError("lines[0].maintenance.agents[0]", "d", "unknown agent"))
    built.add_case_error(CaseError("lines", None, "lines contradict each other"))
    built.add_case_error(CaseError("clearance", 0, "must be > 0.1"))
    built.add_case_error(CaseError("options[2]", "w", "unknown option"))
    built.add_case_error(CaseError("weight", 80, "unknown field"))

    row = built.lists[0].formset.forms[0]
    assert row.errors["maintenance.agents"] == ["lines[0].maintenance.agents[0]: unknown agent"]
    assert built.lists[0].errors == ["lines: lines contradict each other"]
    assert built.fields.errors["clearance"] == ["clearance: must be > 0.1"]
    assert built.options.errors["option_2"] == ["options[2]: unknown option"]
    assert built.fields.non_field_errors() == ["weight: unknown field"]


def test_a_stored_case_fills_the_rows_and_the_option_selects() -> None:
    stored = {
        "lines": [{"agents": ["a"], "days": 3, "maintenance": {"agents": ["b"], "on_it": True}}],
        "clearance": 40,
        "options": ["z", "x", "y"],
    }

    built = editor(None, stored)

    row = built.lists[0].formset.forms[0]
    assert row["agents"].value() == ["a"]
    assert row["days"].value() == 3
    assert row["maintenance"].value() is True
    assert row["maintenance.on_it"].value() is True
    assert built.fields["clearance"].value() == 40
    assert [built.options[f"option_{i}"].value() for i in range(3)] == ["z", "x", "y"]


def test_inputs_carry_the_schemas_limits_and_kinds() -> None:
    built = editor(None)
    row = built.lists[0].formset.forms[0]

    assert built.fields.fields["clearance"].widget.attrs == {"min": "0.1", "step": "any"}
    assert isinstance(row.fields["agents"].widget, forms.CheckboxSelectMultiple)
    assert isinstance(row.fields["maintenance"], forms.BooleanField)
    assert isinstance(row.fields["maintenance.on_it"], forms.BooleanField)
    assert row.fields["days"].widget.attrs == {"min": "0"}


def post_data(built: CaseEditor) -> QueryDict:
    """Return what a browser posts for the editor as it is shown (unchanged)."""
    data: dict[str, Any] = {}
    forms_shown: list[forms.Form] = [built.fields, built.options]
    for object_list in built.lists:
        management = object_list.formset.management_form
        data.update({management.add_prefix(k): str(v) for k, v in management.initial.items()})
        forms_shown += object_list.formset.forms
    for form in forms_shown:
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(field, forms.JSONField):
                data[key] = json.dumps(value) if value is not None else ""
            elif isinstance(field, forms.NullBooleanField):
                data[key] = {True: "true", False: "false"}.get(value, "unknown")
            elif isinstance(field, forms.BooleanField):
                if value:
                    data[key] = "on"
            elif isinstance(field, forms.MultipleChoiceField):
                data[key] = list(value or [])
            else:
                data[key] = "" if value is None else str(value)
    return query(data)


def stored_cases() -> list[Any]:
    """Each registered model's example, and each case of the toy guideline's table."""
    examples = [
        pytest.param(m, m.example, id=f"{m.model_id} example")
        for m in (engine.model(model_id) for model_id in engine.model_ids())
        if m.fields and m.example
    ]
    toy = [
        pytest.param(None, row["case"], id=f"toy: {row['name']}")
        for row in yaml.safe_load(Path(TOY, "cases.yaml").read_text())
    ]
    return examples + toy


@pytest.mark.parametrize(("model", "case"), stored_cases())
def test_a_stored_case_shown_and_posted_unchanged_comes_back_the_same(
    model: DecisionModel | None, case: dict[str, Any], toy_model: DecisionModel
) -> None:
    model = model or toy_model
    options = [Option(text=o, position=i) for i, o in enumerate(case["options"])]

    shown = CaseEditor(None, model=model, options=options, case=case)
    posted = CaseEditor(post_data(shown), model=model, options=options)

    assert posted.is_valid()
    assert posted.case() == case
    engine.decide(f"{model.model_id}@{model.version}", posted.case())


def test_an_object_member_is_flattened_under_its_objects_name() -> None:
    form = CaseFieldsForm(case_fields=LINES.items.fields if LINES.items else ())

    assert list(form.fields) == [
        "agents",
        "days",
        "maintenance",
        "maintenance.agents",
        "maintenance.on_it",
    ]


def test_the_inputs_are_laid_out_in_schema_order_with_each_list_in_its_place() -> None:
    first, second = editor(None).layout()

    assert isinstance(first, ObjectList) and first.case_field is LINES
    assert isinstance(second, forms.BoundField) and second.name == "clearance"
