"""Vignette templates as data (a folder's vignettes.yaml): drawn cases the engine keys, with one
defensible answer, stems that state the facts the answer depends on, and a file that is checked
when it loads."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from decision.engine import decide
from decision.engine.guidelines import GuidelineFileError
from decision.engine.templates import load_template
from decision.engine.vignettes import GeneratedItem, generate, generator_ids, generator_topic

AF = "af-stroke-prevention"
KNOWLEDGE = Path(__file__).resolve().parents[2] / "decision" / "knowledge"
# Words by which a stem states each risk factor of the case.
STATED = {
    "hypertension": "hypertension",
    "diabetes": "diabetes",
    "heart_failure": ("heart failure", "ventricular systolic dysfunction"),
    "stroke_tia_or_thromboembolism": ("transient ischaemic attack", "ischaemic stroke"),
    "vascular_disease": ("myocardial infarction", "peripheral arterial disease"),
    "mechanical_heart_valve": "mechanical",
    "moderate_to_severe_mitral_stenosis": "mitral stenosis",
}


@pytest.fixture(scope="module")
def items() -> list[GeneratedItem]:
    return generate(AF, count=300, seed=11)


def test_a_folder_with_templates_generates_without_python() -> None:
    assert AF in generator_ids()
    assert not list((KNOWLEDGE / AF).glob("*.py"))
    assert generator_topic(AF) == [
        "Cardiology",
        "Arrhythmias",
        "Stroke prevention in atrial fibrillation",
    ]


def test_every_item_is_keyed_by_the_engine_with_one_defensible_answer(
    items: list[GeneratedItem],
) -> None:
    for item in items:
        decision = decide(AF, item.case)
        assert decision["answer"] == item.answer
        defensible = [
            o["id"] for o in decision["options"] if o["verdict"] in ("preferred", "acceptable")
        ]
        assert defensible == [item.answer]


def test_what_the_guideline_leaves_to_judgement_is_never_a_question(
    items: list[GeneratedItem],
) -> None:
    for item in items:
        assert item.decision["findings"]["oral_anticoagulation"] != "consider"
        # Below 30 mL/min the choice of anticoagulant is left to judgement: never keyed a DOAC.
        assert item.case["creatinine_clearance"] >= 30 or item.answer != "doac"
    assert {item.answer for item in items} == {"doac", "warfarin", "no-antithrombotic"}


def test_stems_state_the_facts_the_answer_depends_on(items: list[GeneratedItem]) -> None:
    for item in items:
        stem = item.stem
        assert f"{item.case['age']}-year-old" in stem
        assert f"{item.case['creatinine_clearance']} mL/min" in stem
        assert ("woman" in stem) == (item.case["sex"] == "female")
        for field, words in STATED.items():
            said = any(w in stem for w in ((words,) if isinstance(words, str) else words))
            assert said == item.case[field], (field, stem)
        assert "{" not in stem and "{" not in item.lead_in


def test_no_drawn_case_contradicts_itself(items: list[GeneratedItem]) -> None:
    for item in items:
        case = item.case
        assert not (case["mechanical_heart_valve"] and case["moderate_to_severe_mitral_stenosis"])
        assert case["creatinine_clearance"] <= (150 - case["age"]) * 1.2


def test_the_same_seed_writes_the_same_items() -> None:
    assert generate(AF, count=20, seed=5) == generate(AF, count=20, seed=5)


TEMPLATE = """\
topic: [A, B]
case:
  score: {integer: [0, 10]}
  flag: {boolean: 0.5}
words:
  said: 'flag ? "flagged" : "clear"'
stem:
  - text: ["A score of {score}, {said}."]
  - when: flag
    text: ["The flag is up."]
lead_in: ["What now?"]
"""


def test_a_template_writes_cases_of_its_fields(tmp_path: Path) -> None:
    path = tmp_path / "vignettes.yaml"
    path.write_text(TEMPLATE)
    writer = load_template(path, ["act", "wait", "refer"])

    case, stem, lead_in = writer(random.Random(3))

    assert set(case) == {"score", "flag", "options"}
    assert sorted(case["options"]) == ["act", "refer", "wait"]
    assert stem.startswith(f"A score of {case['score']}, ")
    assert ("The flag is up." in stem) == case["flag"]
    assert lead_in == "What now?"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("{said}.", "{unsaid}.", "names unknown ['unsaid']"),
        ("{integer: [0, 10]}", "{uniform: [0, 10]}", "case.score needs one of"),
        ("when: flag", "when: 'flag &&'", "stem"),
        ('lead_in: ["What now?"]', "", "lead_in missing"),
    ],
)
def test_a_broken_template_is_refused_naming_the_entry(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = tmp_path / "vignettes.yaml"
    path.write_text(TEMPLATE.replace(old, new))

    with pytest.raises(GuidelineFileError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_template(path, ["act", "wait"])
