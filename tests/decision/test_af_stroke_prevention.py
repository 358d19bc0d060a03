"""Stroke prevention in atrial fibrillation, as data only: what a clinician would check.

The score arithmetic of CHA2DS2-VA (ESC 2024) and CHA2DS2-VASc (ACC/AHA 2023), each version's
thresholds for women and men, where the two versions part, which version a reference means, and
that over every patient the schema allows a single best answer is the only preferred option.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from decision.engine import CaseError, decide, model, model_versions

ROOT = Path(__file__).resolve().parents[2]
MODEL = "af-stroke-prevention"
ESC = f"{MODEL}@esc-2024"
ACC = f"{MODEL}@acc-aha-2023"
OPTIONS = ["no-antithrombotic", "aspirin", "aspirin-clopidogrel", "doac", "warfarin"]
RISK_FACTORS = [
    "heart_failure",
    "hypertension",
    "diabetes",
    "stroke_tia_or_thromboembolism",
    "vascular_disease",
]


def patient(**changes: Any) -> dict[str, Any]:
    """A man of 50 with normal kidney function and no risk factor, changed as given."""
    case: dict[str, Any] = {
        "age": 50,
        "sex": "male",
        **dict.fromkeys(RISK_FACTORS, False),
        "mechanical_heart_valve": False,
        "moderate_to_severe_mitral_stenosis": False,
        "creatinine_clearance": 80,
        "options": OPTIONS,
    }
    return {**case, **changes}


def verdicts(result: dict[str, Any]) -> dict[str, str]:
    return {option["id"]: option["verdict"] for option in result["options"]}


def reason_codes(result: dict[str, Any]) -> dict[str, str]:
    return {option["id"]: option["reasons"][0]["code"] for option in result["options"]}


@pytest.mark.parametrize(
    ("changes", "va", "vasc"),
    [
        ({}, 0, 0),
        ({"sex": "female"}, 0, 1),
        ({"age": 64}, 0, 0),
        ({"age": 65}, 1, 1),
        ({"age": 74, "sex": "female"}, 1, 2),
        ({"age": 75}, 2, 2),
        ({"age": 90, "sex": "female"}, 2, 3),
        ({"heart_failure": True}, 1, 1),
        ({"hypertension": True}, 1, 1),
        ({"diabetes": True}, 1, 1),
        ({"vascular_disease": True}, 1, 1),
        ({"stroke_tia_or_thromboembolism": True}, 2, 2),
        ({"age": 80, **dict.fromkeys(RISK_FACTORS, True)}, 8, 8),
        ({"age": 80, "sex": "female", **dict.fromkeys(RISK_FACTORS, True)}, 8, 9),
    ],
)
def test_both_versions_score_age_bands_sex_and_each_risk_factor_alike(
    changes: dict[str, Any], va: int, vasc: int
) -> None:
    for reference in (ESC, ACC):
        findings = decide(reference, patient(**changes))["findings"]

        assert (findings["cha2ds2_va"], findings["cha2ds2_vasc"]) == (va, vasc), reference


@pytest.mark.parametrize(
    ("reference", "changes", "band"),
    [
        # ESC 2024: CHA2DS2-VA, the same thresholds whatever the sex.
        (ESC, {}, "not_indicated"),
        (ESC, {"sex": "female"}, "not_indicated"),
        (ESC, {"hypertension": True}, "consider"),
        (ESC, {"hypertension": True, "sex": "female"}, "consider"),
        (ESC, {"age": 75}, "recommended"),
        (ESC, {"age": 75, "sex": "female"}, "recommended"),
        # ACC/AHA 2023: CHA2DS2-VASc 1 in men and 2 in women is the middle band; 2 and 3 the
        # recommended one.
        (ACC, {}, "not_indicated"),
        (ACC, {"sex": "female"}, "not_indicated"),
        (ACC, {"hypertension": True}, "consider"),
        (ACC, {"age": 70, "sex": "female"}, "consider"),
        (ACC, {"age": 70}, "consider"),
        (ACC, {"age": 70, "hypertension": True}, "recommended"),
        (ACC, {"age": 70, "hypertension": True, "sex": "female"}, "recommended"),
        # A mechanical valve needs anticoagulation on its own account, in both.
        (ESC, {"mechanical_heart_valve": True}, "recommended"),
        (ACC, {"mechanical_heart_valve": True, "sex": "female"}, "recommended"),
    ],
)
def test_each_version_bands_stroke_risk_by_its_own_score_and_thresholds(
    reference: str, changes: dict[str, Any], band: str
) -> None:
    assert decide(reference, patient(**changes))["findings"]["oral_anticoagulation"] == band


def every_patient() -> list[dict[str, Any]]:
    """Every combination of age band, sex, kidney function, risk factors and valve disease."""
    flags = [*RISK_FACTORS, "mechanical_heart_valve", "moderate_to_severe_mitral_stenosis"]
    return [
        patient(age=age, sex=sex, creatinine_clearance=crcl, **dict(zip(flags, on, strict=True)))
        for age, sex, crcl, *on in itertools.product(
            [50, 70, 80], ["female", "male"], [10, 22, 42, 80, 120], *[[False, True]] * len(flags)
        )
    ]


EVERY_PATIENT = every_patient()


def test_the_womens_higher_thresholds_of_acc_aha_pick_the_same_patients_as_esc() -> None:
    # The point for female sex is added to the score and to the women's thresholds alike, so the
    # two versions put each patient in the same band: they differ in the score they report and
    # in the grade and wording of the decision, not in whom they anticoagulate.
    for case in EVERY_PATIENT:
        esc, acc = decide(ESC, case), decide(ACC, case)

        assert esc["findings"]["oral_anticoagulation"] == acc["findings"]["oral_anticoagulation"]
        assert esc["answer"] == acc["answer"]


def test_the_versions_explain_the_same_woman_by_different_scores_and_grades() -> None:
    woman_of_70 = patient(age=70, sex="female")

    esc, acc = decide(ESC, woman_of_70), decide(ACC, woman_of_70)

    assert esc["answer"] is None and acc["answer"] is None
    assert "CHA2DS2-VA score of 1 is the middle band" in esc["reason"]
    assert "Class IIa" in esc["reason"]
    assert "CHA2DS2-VASc score of 2 in a female patient is the middle band" in acc["reason"]
    assert "reasonable (2a)" in acc["reason"]
    assert esc["citations"] != acc["citations"]
    assert esc["guideline"]["version"] == "esc-2024"
    assert acc["guideline"]["version"] == "acc-aha-2023"


@pytest.mark.parametrize(
    ("case", "option", "esc_verdict", "acc_verdict"),
    [
        # Kidney failure: the European apixaban label does not recommend it below 15 mL/min;
        # ACC/AHA 2023 finds warfarin or apixaban possibly reasonable (2b).
        (patient(age=78, hypertension=True, creatinine_clearance=10), "doac", "not_preferred",
         "acceptable"),
        # No risk factor: ESC advises against antiplatelets outright; ACC/AHA grades aspirin
        # without risk factors 3: No Benefit.
        (patient(), "aspirin", "avoid", "not_preferred"),
        (patient(sex="female"), "aspirin-clopidogrel", "avoid", "not_preferred"),
    ],
)  # fmt: skip
def test_the_versions_judge_an_option_differently_where_their_sources_differ(
    case: dict[str, Any], option: str, esc_verdict: str, acc_verdict: str
) -> None:
    assert verdicts(decide(ESC, case))[option] == esc_verdict
    assert verdicts(decide(ACC, case))[option] == acc_verdict


def test_latest_and_the_default_mean_esc_2024_and_both_versions_are_registered() -> None:
    versions = [m.version for m in model_versions(MODEL)]

    assert versions == ["acc-aha-2023", "esc-2024"]
    assert model(f"{MODEL}@latest").version == "esc-2024"
    assert model(MODEL).version == "esc-2024"
    assert model(ACC).guideline.published == "2023-11-30"
    assert decide(f"{MODEL}@latest", patient())["guideline"]["version"] == "esc-2024"


def test_decide_list_shows_both_versions_with_their_reviewer_and_sources() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "decide", "--list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    listing = result.stdout
    assert f"{MODEL}@acc-aha-2023\n" in listing
    assert f"{MODEL}@esc-2024 (default, latest)" in listing
    assert "    - Van Gelder IC, Rienstra M, Bunting KV" in listing
    assert "    - Joglar JA, Chung MK, Armbruster AL" in listing
    assert "    - US Food and Drug Administration. FDA Drug Safety Communication" in listing
    esc_entry = listing.split(f"{MODEL}@esc-2024")[1]
    assert "taken from quotations of the guideline" in esc_entry
    assert "review due:  2027-03-01" in esc_entry


@pytest.mark.parametrize("reference", [ESC, ACC])
def test_a_single_best_answer_is_the_only_preferred_option_for_every_patient(
    reference: str,
) -> None:
    for case in EVERY_PATIENT:
        result = decide(reference, case)
        preferred = [o for o, verdict in verdicts(result).items() if verdict == "preferred"]

        if result["answer"] is None:
            assert preferred == [], case
            assert result["reason"], case
        else:
            assert preferred == [result["answer"]], case


@pytest.mark.parametrize("reference", [ESC, ACC])
def test_the_middle_band_is_never_made_a_single_best_answer(reference: str) -> None:
    middle = [c for c in EVERY_PATIENT if decide(reference, c)["findings"]["oral_anticoagulation"]
              == "consider"]  # fmt: skip

    assert middle
    for case in middle:
        result = decide(reference, case)
        assert result["answer"] is None
        assert "judgement" in result["reason"]


@pytest.mark.parametrize("reference", [ESC, ACC])
def test_antiplatelets_never_stand_in_for_anticoagulation(reference: str) -> None:
    for case in EVERY_PATIENT:
        result = decide(reference, case)
        judged = verdicts(result)

        assert judged["aspirin"] in {"not_preferred", "avoid"}
        assert judged["aspirin-clopidogrel"] in {"not_preferred", "avoid"}
        if result["findings"]["oral_anticoagulation"] != "not_indicated":
            assert judged["aspirin"] == judged["aspirin-clopidogrel"] == "avoid"


@pytest.mark.parametrize("reference", [ESC, ACC])
@pytest.mark.parametrize(
    "valve", [{"mechanical_heart_valve": True}, {"moderate_to_severe_mitral_stenosis": True}]
)
def test_valve_disease_means_warfarin_and_a_doac_is_avoided(
    reference: str, valve: dict[str, Any]
) -> None:
    result = decide(reference, patient(age=75, hypertension=True, **valve))

    assert result["answer"] == "warfarin"
    assert verdicts(result)["doac"] == "avoid"
    assert verdicts(result)["no-antithrombotic"] == "avoid"


@pytest.mark.parametrize("reference", [ESC, ACC])
@pytest.mark.parametrize(
    ("crcl", "answer", "doac_reason"),
    [
        (120, "doac", "DOAC_PREFERRED_BUT_NOT_EDOXABAN"),
        (95, "doac", "DOAC_PREFERRED"),
        (50, "doac", "DOAC_PREFERRED_AT_REDUCED_DOSE"),
        (30, "doac", "DOAC_PREFERRED_AT_REDUCED_DOSE"),
        (29.5, None, "DOAC_IN_SEVERE_KIDNEY_IMPAIRMENT"),
        (15, None, "DOAC_IN_SEVERE_KIDNEY_IMPAIRMENT"),
        (14.9, None, "DOAC_IN_KIDNEY_FAILURE"),
    ],
)
def test_kidney_function_sets_the_doac_reason_and_below_30_leaves_the_choice_open(
    reference: str, crcl: float, answer: str | None, doac_reason: str
) -> None:
    result = decide(reference, patient(age=75, hypertension=True, creatinine_clearance=crcl))

    assert result["answer"] == answer
    assert reason_codes(result)["doac"] == doac_reason
    assert ("judgement" in result.get("reason", "")) == (answer is None)


def test_the_doac_explanation_names_the_kidney_function_of_the_case() -> None:
    result = decide(ESC, patient(age=75, creatinine_clearance=42))
    doac = next(o for o in result["options"] if o["id"] == "doac")

    assert "creatinine clearance of 42 mL/min" in doac["explanation"]
    assert "15 mg once daily" in doac["explanation"]


def test_a_bleeding_score_is_said_not_to_be_a_reason_to_withhold_anticoagulation() -> None:
    for reference in (ESC, ACC):
        pearl = decide(reference, patient(age=75))["pearl"]

        assert "not a substitute" in pearl or "not an alternative" in pearl
        assert "bleeding-risk score" in pearl


@pytest.mark.parametrize("creatinine_clearance", [0, -5])
def test_a_creatinine_clearance_of_zero_or_less_is_refused_naming_the_field(
    creatinine_clearance: float,
) -> None:
    with pytest.raises(CaseError) as refused:
        decide(ESC, patient(creatinine_clearance=creatinine_clearance))

    assert refused.value.field == "creatinine_clearance"


def test_the_example_case_of_the_model_decides_and_is_valid_json() -> None:
    example = model(MODEL).example

    assert example is not None
    result = decide(MODEL, json.loads(json.dumps(dict(example))))
    assert result["answer"] == "doac"
