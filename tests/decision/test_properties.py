"""Properties of rrmm-salvage that hold for every valid case, checked on generated cases."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from decision.engine import decide
from tests.decision.rrmm import AGENTS, ORDER, RESPONSES

EXAMPLES = settings(max_examples=200, deadline=None)

numbers = st.one_of(
    st.integers(min_value=0, max_value=120),
    st.integers(min_value=0, max_value=1200).map(lambda tenths: tenths / 10),
)

line_facts = st.fixed_dictionaries(
    {
        "agents": st.lists(st.sampled_from(AGENTS), min_size=1, max_size=4, unique=True),
        "asct": st.booleans(),
        "best_response": st.sampled_from(RESPONSES),
    }
)
# Progression on therapy leaves no gap after the last dose (a gap is refused as contradictory).
timings = st.one_of(
    st.fixed_dictionaries(
        {
            "progressed_on_therapy": st.just(True),
            "days_from_last_dose_to_progression": st.sampled_from([None, 0]),
        }
    ),
    st.fixed_dictionaries(
        {
            "progressed_on_therapy": st.just(False),
            "days_from_last_dose_to_progression": st.none()
            | st.integers(min_value=0, max_value=400),
        }
    ),
)
prior_lines = st.builds(lambda facts, timing: {**facts, **timing}, line_facts, timings)


def relapse_follows_the_last_dose(case: dict[str, Any]) -> bool:
    """Time to relapse runs from the start of the last line: never shorter than its last gap."""
    days = case["prior_lines"][-1]["days_from_last_dose_to_progression"]
    return days is None or days / 30.44 <= case["months_to_relapse"]


cases = st.fixed_dictionaries(
    {
        "prior_lines": st.lists(prior_lines, min_size=1, max_size=4),
        "months_to_relapse": numbers,
        "creatinine_clearance": numbers.filter(lambda value: value > 0),
        "neuropathy_grade": st.integers(min_value=0, max_value=4),
        "options": st.lists(st.sampled_from(ORDER), min_size=2, max_size=len(ORDER), unique=True),
    },
    optional={
        "age": st.integers(min_value=18, max_value=120),
        "sex": st.sampled_from(["female", "male"]),
        "ecog": st.integers(min_value=0, max_value=4),
    },
).filter(relapse_follows_the_last_dose)


def spoken(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def facts_of(case: dict[str, Any]) -> list[str]:
    """Return the strings by which an explanation can cite this case."""
    agents = {agent for line in case["prior_lines"] for agent in line["agents"]}
    return [
        f"{spoken(case['months_to_relapse'])} months",
        f"{spoken(case['creatinine_clearance'])} mL/min",
        f"grade {case['neuropathy_grade']}",
        *sorted(agents),
    ]


def reversed_keys(value: Any) -> Any:
    """Return `value` with every object's keys in reverse order."""
    if isinstance(value, dict):
        return {key: reversed_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_keys(element) for element in value]
    return value


@EXAMPLES
@given(cases)
def test_the_answer_is_one_of_the_options_or_null_with_a_reason(case: dict[str, Any]) -> None:
    result = decide("rrmm-salvage", case)

    if result["answer"] is None:
        assert result["reason"]
    else:
        assert result["answer"] in case["options"]
        assert "reason" not in result


@EXAMPLES
@given(cases)
def test_every_option_appears_once_with_a_rank_and_a_verdict(case: dict[str, Any]) -> None:
    result = decide("rrmm-salvage", case)

    options = result["options"]
    assert sorted(o["id"] for o in options) == sorted(case["options"])
    assert [o["rank"] for o in options] == list(range(1, len(case["options"]) + 1))
    assert {o["verdict"] for o in options} <= {"preferred", "acceptable", "not_preferred", "avoid"}
    preferred = [o["id"] for o in options if o["verdict"] == "preferred"]
    assert preferred == ([result["answer"]] if result["answer"] else [])
    if result["answer"]:
        assert options[0]["id"] == result["answer"]


@EXAMPLES
@given(cases)
def test_every_other_option_is_explained_with_a_fact_of_the_case(case: dict[str, Any]) -> None:
    result = decide("rrmm-salvage", case)

    facts = facts_of(case)
    for option in result["options"]:
        if option["id"] == result["answer"]:
            continue
        assert option["reasons"]
        assert any(fact in option["explanation"] for fact in facts), (option, facts)


@EXAMPLES
@given(cases)
def test_output_is_deterministic_and_ignores_key_order(case: dict[str, Any]) -> None:
    first = json.dumps(decide("rrmm-salvage", case))

    assert json.dumps(decide("rrmm-salvage", case)) == first
    assert json.dumps(decide("rrmm-salvage", reversed_keys(case))) == first
    assert json.dumps(decide("rrmm-salvage", json.loads(json.dumps(case)))) == first
