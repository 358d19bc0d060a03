"""Properties every guideline folder holds for any case its schema allows (hypothesis): the
decision is deterministic, the answer is one of the offered options (or none, with a reason),
every option is explained with the facts of the case; and any case the schema refuses raises a
CaseError naming a field, never a crash."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decision.engine import CaseError
from decision.engine.guidelines import CaseField, GuidelineVersion, load_model
from tests.decision.test_guideline_folders import FOLDERS

VERSIONS = [
    pytest.param(version, id=f"{folder.name}@{version.guideline.version}")
    for folder in FOLDERS
    for version in load_model(folder)[1]
]


def value_of(case_field: CaseField) -> st.SearchStrategy[Any]:
    if case_field.is_nullable:
        return st.none() | value_of(replace(case_field, is_nullable=False))
    if case_field.type == "object":
        return object_of(case_field.fields)
    if case_field.type == "list" and case_field.items is not None:
        elements = value_of(case_field.items)
        low = case_field.min_items
        if case_field.is_unique:
            return st.lists(elements, min_size=low, max_size=3, unique_by=json.dumps)
        return st.lists(elements, min_size=low, max_size=3)
    if case_field.type == "boolean":
        return st.booleans()
    if case_field.type == "choice":
        return st.sampled_from(case_field.choices)
    if case_field.type == "integer":
        low = int(case_field.minimum) if case_field.minimum is not None else -1000
        high = int(case_field.maximum) if case_field.maximum is not None else low + 1000
        return st.integers(min_value=low, max_value=high)
    low_number = case_field.minimum if case_field.minimum is not None else -1000.0
    high_number = case_field.maximum if case_field.maximum is not None else low_number + 1000
    return st.floats(min_value=low_number, max_value=high_number, allow_nan=False)


@st.composite
def object_of(draw: st.DrawFn, fields: tuple[CaseField, ...]) -> dict[str, Any]:
    """An object of these fields, each optional one present or not."""
    return {f.name: draw(value_of(f)) for f in fields if f.is_required or draw(st.booleans())}


@st.composite
def valid_cases(draw: st.DrawFn, version: GuidelineVersion) -> dict[str, Any]:
    case = draw(object_of(version.fields))
    labels = list(version.option_labels)
    case["options"] = draw(st.lists(st.sampled_from(labels), min_size=2, unique=True))
    return case


@pytest.mark.parametrize("version", VERSIONS)
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_valid_case_decides_deterministically_among_its_options(
    version: GuidelineVersion, data: st.DataObject
) -> None:
    case = data.draw(valid_cases(version))
    try:
        result = version.decide(case)
    except CaseError as refused:
        # Only a cross-field check may refuse a case each field of which is valid.
        assert any(
            refused.field == c.field or refused.field.startswith(f"{c.each}[")
            for c in version.checks
        )
        return

    assert json.dumps(result, sort_keys=True) == json.dumps(version.decide(case), sort_keys=True)
    assert result["answer"] is None or result["answer"] in case["options"]
    assert bool(result.get("reason")) == (result["answer"] is None)
    assert sorted(o["id"] for o in result["options"]) == sorted(case["options"])
    # A single best answer: the answer is the one preferred option.
    preferred = [o["id"] for o in result["options"] if o["verdict"] == "preferred"]
    assert result["answer"] is None or preferred == [result["answer"]]
    for option in result["options"]:
        assert option["explanation"].strip()
        assert "{" not in option["explanation"], "every placeholder is filled from the case"
        assert [r["code"] for r in option["reasons"]]


# No value here is valid for any field: no text of these characters is a choice or a number,
# and no list of integers is a list of choices or of objects.
WRONG_VALUES = st.one_of(
    st.none(),
    st.text(alphabet="?!#", max_size=3),
    st.lists(st.integers(), min_size=1, max_size=2),
    st.just({"x": 1}),
)


@pytest.mark.parametrize("version", VERSIONS)
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_case_with_a_wrong_field_is_refused_naming_a_field(
    version: GuidelineVersion, data: st.DataObject
) -> None:
    case = data.draw(valid_cases(version))
    name = data.draw(st.sampled_from([f.name for f in version.fields] + ["options", "extra"]))
    case[name] = data.draw(WRONG_VALUES)

    with pytest.raises(CaseError) as refused:
        version.decide(case)

    assert refused.value.field.split("[")[0].split(".")[0] in {name, "case"}


def test_the_properties_run_on_every_version_of_every_folder() -> None:
    ids = {param.id for param in VERSIONS}
    assert {"toy-guideline@v1", "toy-guideline@v2"} <= ids
    assert len(ids) == sum(len(load_model(folder)[1]) for folder in FOLDERS)
