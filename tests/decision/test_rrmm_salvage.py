"""The rrmm-salvage model: its rules, the boundaries of its findings, and bad input."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from decision.engine import CaseError, decide, model_ids, option_label
from tests.decision.rrmm import ORDER

ROOT = Path(__file__).resolve().parents[2]
RD = "lenalidomide-dexamethasone"
PD = "pomalidomide-dexamethasone"
VD = "bortezomib-dexamethasone"
KD = "carfilzomib-dexamethasone"
IPD = "ixazomib-pomalidomide-dexamethasone"
DPD = "daratumumab-pomalidomide-dexamethasone"
SPD = "isatuximab-pomalidomide-dexamethasone"


def line(
    *agents: str,
    response: str = "VGPR",
    on_therapy: bool = False,
    days: int | None = None,
    asct: bool = False,
    maintenance: dict[str, Any] | None = None,
) -> dict[str, Any]:
    given = {
        "agents": list(agents),
        "asct": asct,
        "best_response": response,
        "progressed_on_therapy": on_therapy,
        "days_from_last_dose_to_progression": days,
    }
    return given if maintenance is None else {**given, "maintenance": maintenance}


def maintenance(*agents: str, on_therapy: bool = True, days: int | None = None) -> dict[str, Any]:
    return {
        "agents": list(agents),
        "progressed_on_therapy": on_therapy,
        "days_from_last_dose_to_progression": days,
    }


def case(
    *lines: dict[str, Any],
    months: float = 18,
    clearance: float = 85,
    grade: int = 0,
    options: tuple[str, ...] = ORDER,
) -> dict[str, Any]:
    return {
        "prior_lines": copy.deepcopy(list(lines)),
        "months_to_relapse": months,
        "creatinine_clearance": clearance,
        "neuropathy_grade": grade,
        "options": list(options),
    }


def verdicts(result: dict[str, Any]) -> dict[str, str]:
    return {option["id"]: option["verdict"] for option in result["options"]}


def explanation(result: dict[str, Any], option_id: str) -> str:
    return str(next(o["explanation"] for o in result["options"] if o["id"] == option_id))


VTD = line("bortezomib", "thalidomide", "dexamethasone", asct=True)
VRD = line("bortezomib", "lenalidomide", "dexamethasone")
LEN_MAINTENANCE_REFRACTORY = line("lenalidomide", on_therapy=True)
VRD_ASCT_R_MAINTENANCE = line(
    "bortezomib",
    "lenalidomide",
    "dexamethasone",
    asct=True,
    days=400,
    maintenance=maintenance("lenalidomide"),
)

# (name, case, answer, verdicts that must hold)
RULES = [
    ("PI-exposed, lenalidomide-naive: switch class", case(VTD), RD, {PD: "not_preferred"}),
    ("PI alone before: switch class", case(line("bortezomib", "dexamethasone")), RD, {}),
    ("carfilzomib before counts as a PI", case(line("carfilzomib", "dexamethasone")), RD, {}),
    (
        "PI and lenalidomide, still lenalidomide-sensitive: lenalidomide again, not pomalidomide",
        case(VRD),
        RD,
        {PD: "not_preferred", IPD: "not_preferred"},
    ),
    (
        "lenalidomide-refractory after 2 lines with PI and IMiD: triplets rank with Pd",
        case(VRD, LEN_MAINTENANCE_REFRACTORY),
        PD,
        {IPD: "acceptable", DPD: "acceptable", SPD: "acceptable", RD: "avoid"},
    ),
    (
        "without Pd among the options the NCCN triplet is chosen",
        case(VRD, LEN_MAINTENANCE_REFRACTORY, options=(RD, VD, IPD, DPD)),
        IPD,
        {DPD: "acceptable", RD: "avoid"},
    ),
    (
        "lenalidomide-refractory after one line: daratumumab-Pd (APOLLO), Pd needs two lines",
        case(line("bortezomib", "lenalidomide", "dexamethasone", response="SD")),
        DPD,
        {PD: "not_preferred", IPD: "not_preferred", SPD: "not_preferred", RD: "avoid"},
    ),
    (
        "progression on lenalidomide maintenance after VRd and ASCT is one line, refractory to"
        " lenalidomide only",
        case(VRD_ASCT_R_MAINTENANCE),
        DPD,
        {PD: "not_preferred", RD: "avoid", VD: "acceptable", KD: "acceptable"},
    ),
    ("early relapse after a PI: carfilzomib", case(VTD, months=8), KD, {RD: "not_preferred"}),
    ("early relapse after an IMiD: carfilzomib", case(line("lenalidomide"), months=6), KD, {}),
    (
        "relapse soon after a second line: early relapse is defined after first-line therapy only",
        case(VRD, LEN_MAINTENANCE_REFRACTORY, months=6),
        PD,
        {KD: "not_preferred"},
    ),
    (
        "early relapse after both classes, still lenalidomide-sensitive: carfilzomib",
        case(VRD, months=6),
        KD,
        {PD: "not_preferred"},
    ),
    (
        "early relapse on carfilzomib: no dead end, switch class to lenalidomide",
        case(line("carfilzomib", "dexamethasone", on_therapy=True), months=4, options=(KD, RD)),
        RD,
        {KD: "avoid"},
    ),
    (
        "IMiD-exposed, PI-naive: bortezomib, carfilzomib the alternative",
        case(line("lenalidomide", "dexamethasone")),
        VD,
        {KD: "acceptable", PD: "not_preferred"},
    ),
    ("thalidomide counts as an IMiD", case(line("thalidomide", "dexamethasone")), VD, {}),
    (
        "IMiD-exposed, PI-naive with neuropathy: carfilzomib",
        case(line("thalidomide", "dexamethasone"), grade=2),
        KD,
        {VD: "avoid"},
    ),
    (
        "lenalidomide-refractory but PI-naive: a PI, not pomalidomide",
        case(line("lenalidomide", "dexamethasone", response="PD")),
        VD,
        {RD: "avoid", PD: "not_preferred"},
    ),
    (
        "bortezomib-refractory: the PI is avoided, lenalidomide chosen",
        case(line("bortezomib", "dexamethasone", on_therapy=True)),
        RD,
        {VD: "avoid"},
    ),
    (
        "moderate renal impairment keeps the switch to lenalidomide",
        case(VTD, clearance=45),
        RD,
        {VD: "not_preferred"},
    ),
    (
        "severe renal impairment: bortezomib re-used when it can be",
        case(VTD, clearance=25),
        VD,
        {RD: "not_preferred"},
    ),
    (
        "dialysis counts as severe renal impairment",
        {**case(VTD, clearance=20), "dialysis": True},
        VD,
        {RD: "not_preferred"},
    ),
    (
        "severe renal impairment, bortezomib-refractory: lenalidomide at a reduced dose",
        case(line("bortezomib", "dexamethasone", on_therapy=True), clearance=25),
        RD,
        {VD: "avoid"},
    ),
    (
        "severe renal impairment with neuropathy: lenalidomide at a reduced dose",
        case(VTD, clearance=25, grade=2),
        RD,
        {VD: "avoid"},
    ),
]


@pytest.mark.parametrize(("name", "given", "answer", "expected"), RULES, ids=[r[0] for r in RULES])
def test_each_rule_of_the_salvage_table(
    name: str, given: dict[str, Any], answer: str, expected: dict[str, str]
) -> None:
    result = decide("rrmm-salvage", given)

    assert result["answer"] == answer
    assert "reason" not in result
    assert verdicts(result)[answer] == "preferred"
    assert {k: verdicts(result)[k] for k in expected} == expected


# (name, case, the start of the reason)
NO_ANSWER = [
    (
        "no PI and no IMiD before, late relapse",
        case(line("melphalan", "prednisone"), months=30),
        "No rule of the salvage table applies",
    ),
    (
        "lenalidomide called for but not offered",
        case(VTD, options=(PD, VD, KD)),
        "The guideline's answer, Lenalidomide plus dexamethasone, is not among",
    ),
    (
        "carfilzomib called for but not offered",
        case(VTD, months=5, options=(RD, VD)),
        "The guideline's answer, Carfilzomib plus dexamethasone, is not among",
    ),
    (
        "daratumumab-Pd called for after one line but the disease is daratumumab-refractory",
        case(
            line("daratumumab", "bortezomib", "lenalidomide", "dexamethasone", response="SD"),
            options=(DPD, PD, VD),
        ),
        "The guideline's choice here, Daratumumab, pomalidomide and dexamethasone, is to be"
        " avoided",
    ),
    (
        "pomalidomide called for but the disease is pomalidomide-refractory",
        case(
            VRD,
            LEN_MAINTENANCE_REFRACTORY,
            line("pomalidomide", "dexamethasone", response="PD"),
            options=(PD, VD, KD),
        ),
        "The teaching table has no row once the disease is refractory to lenalidomide and to"
        " pomalidomide",
    ),
]


@pytest.mark.parametrize(("name", "given", "start"), NO_ANSWER, ids=[r[0] for r in NO_ANSWER])
def test_no_answer_is_given_when_no_rule_fits_the_options(
    name: str, given: dict[str, Any], start: str
) -> None:
    result = decide("rrmm-salvage", given)

    assert result["answer"] is None
    assert result["reason"].startswith(start)
    assert "preferred" not in verdicts(result).values()


def test_the_starter_bank_question_is_answered_with_lenalidomide() -> None:
    bank = json.loads((ROOT / "quizbank/starter/starter_bank.json").read_text(encoding="utf-8"))
    question = next(q for q in bank["questions"] if q["name"] == "rrmm-first-relapse-after-vtd")

    result = decide(question["decision"]["model"], question["decision"]["case"])

    assert result["answer"] == "lenalidomide-dexamethasone"
    assert result["findings"]["lenalidomide_exposed"] is False
    assert "18 months" in explanation(result, KD)
    assert "bortezomib" in explanation(result, VD)


@pytest.mark.parametrize(
    ("last_line", "refractory"),
    [
        (line("lenalidomide", days=60), True),
        (line("lenalidomide", days=61), False),
        (line("lenalidomide", days=0), True),
        (line("lenalidomide", days=None), False),
        (line("lenalidomide", response="SD"), True),
        (line("lenalidomide", response="PD"), True),
        (line("lenalidomide", response="MR"), False),
        (line("lenalidomide", response="PR", on_therapy=True), True),
        (line("thalidomide", response="PD", on_therapy=True), False),
    ],
    ids=[
        "60-days",
        "61-days",
        "0-days",
        "no-date",
        "SD",
        "PD",
        "MR",
        "progressed-on-therapy",
        "thalidomide-does-not-count",
    ],
)
def test_lenalidomide_refractory_follows_the_nccn_definition(
    last_line: dict[str, Any], refractory: bool
) -> None:
    result = decide("rrmm-salvage", case(VTD, last_line))

    assert result["findings"]["lenalidomide_refractory"] is refractory


@pytest.mark.parametrize(
    ("last_line", "refractory"),
    [
        (line("ixazomib", days=60), True),
        (line("ixazomib", days=61), False),
        (line("carfilzomib", response="SD"), True),
        (line("bortezomib", on_therapy=True), True),
        (line("bortezomib", response="CR"), False),
    ],
    ids=["60-days", "61-days", "SD", "progressed-on-therapy", "responded"],
)
def test_pi_refractory_follows_the_same_definition(
    last_line: dict[str, Any], refractory: bool
) -> None:
    result = decide("rrmm-salvage", case(line("lenalidomide"), last_line))

    assert result["findings"]["pi_refractory"] is refractory


@pytest.mark.parametrize(
    ("clearance", "band"),
    [
        (85, "none"),
        (60, "none"),
        (59.9, "moderate"),
        (59, "moderate"),
        (30, "moderate"),
        (29.9, "severe"),
        (29, "severe"),
        (0.5, "severe"),
    ],
)
def test_renal_impairment_bands(clearance: float, band: str) -> None:
    result = decide("rrmm-salvage", case(VTD, clearance=clearance))

    assert result["findings"]["renal_impairment"] == band


@pytest.mark.parametrize("clearance", [59, 30, 29])
def test_lenalidomide_dose_is_reduced_with_renal_impairment(clearance: int) -> None:
    result = decide("rrmm-salvage", case(VTD, clearance=clearance))

    text = explanation(result, RD)
    assert f"{clearance} mL/min" in text
    assert "reduced dose" in text if clearance < 30 else "dose is reduced" in text


def test_lenalidomide_full_dose_with_normal_renal_function() -> None:
    result = decide("rrmm-salvage", case(VTD, clearance=60))

    assert "full lenalidomide starting dose" in explanation(result, RD)


@pytest.mark.parametrize(("months", "early"), [(17.9, True), (18, False), (12, True), (0, True)])
def test_early_relapse_is_within_18_months_of_starting_the_last_line(
    months: float, early: bool
) -> None:
    result = decide("rrmm-salvage", case(VTD, months=months))

    assert result["findings"]["early_relapse"] is early
    assert (result["answer"] == KD) is early


@pytest.mark.parametrize(("grade", "neuropathy"), [(0, False), (1, False), (2, True), (4, True)])
def test_neuropathy_is_grade_two_or_more(grade: int, neuropathy: bool) -> None:
    result = decide("rrmm-salvage", case(line("thalidomide"), grade=grade))

    assert result["findings"]["neuropathy"] is neuropathy
    assert result["answer"] == (KD if neuropathy else VD)


def test_bortezomib_needs_no_renal_adjustment() -> None:
    result = decide("rrmm-salvage", case(line("lenalidomide"), clearance=20))

    assert result["answer"] == VD
    assert "no dose adjustment for renal function" in explanation(result, VD)


def test_why_not_reasons_cite_this_case() -> None:
    result = decide("rrmm-salvage", case(VTD, months=18, grade=1))

    assert "18 months" in explanation(result, KD)
    assert "grade 1" in explanation(result, VD)
    assert "myelotoxic" in explanation(result, PD)


def test_output_carries_teaching_text_and_correct_citations() -> None:
    result = decide("rrmm-salvage", case(VTD))

    assert "cereblon" in result["mechanism"]
    assert "Switch class" in result["pearl"]
    assert result["key_point"].startswith("At relapse after a proteasome inhibitor")
    # The citations are those of the rules that decided this case, each with its section.
    assert any("from MM-009/MM-010" in c for c in result["citations"])
    assert any("regardless of prior thalidomide exposure" in c for c in result["citations"])
    assert any("Harrison" in c for c in result["citations"])
    assert all(" Section " in c for c in result["citations"])


def test_the_model_is_registered_with_labels() -> None:
    assert "rrmm-salvage" in model_ids()
    assert option_label("rrmm-salvage", RD) == "Lenalidomide plus dexamethasone"


def replaced(path: str, value: Any) -> dict[str, Any]:
    """Return the starter-like case with the field at `path` (dots and indexes) set or removed."""
    given = case(VTD, options=(RD, PD, VD))
    *parents, last = path.split(".")
    target: Any = given
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    key: Any = int(last) if last.isdigit() else last
    if value is MISSING:
        del target[key]
    else:
        target[key] = value
    return given


class Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = Missing()

# (path to change, new value, the field named in the message, text of the value it shows)
BAD_INPUT = [
    ("prior_lines", MISSING, "prior_lines", "missing"),
    ("prior_lines", [], "prior_lines", "[]"),
    ("prior_lines", "VTD", "prior_lines", '"VTD"'),
    ("prior_lines.0", "VTD", "prior_lines[0]", '"VTD"'),
    ("prior_lines.0.agents.1", "aspirin", "prior_lines[0].agents[1]", '"aspirin"'),
    ("prior_lines.0.agents.1", "Thalidomide", "prior_lines[0].agents[1]", '"Thalidomide"'),
    ("prior_lines.0.agents.1", "bortezomib", "prior_lines[0].agents[1]", '"bortezomib"'),
    ("prior_lines.0.agents", [], "prior_lines[0].agents", "[]"),
    ("prior_lines.0.asct", "yes", "prior_lines[0].asct", '"yes"'),
    ("prior_lines.0.best_response", "nCR", "prior_lines[0].best_response", '"nCR"'),
    (
        "prior_lines.0.progressed_on_therapy",
        MISSING,
        "prior_lines[0].progressed_on_therapy",
        "missing",
    ),
    (
        "prior_lines.0.days_from_last_dose_to_progression",
        -1,
        "prior_lines[0].days_from_last_dose_to_progression",
        "-1",
    ),
    (
        "prior_lines.0.days_from_last_dose_to_progression",
        1.5,
        "prior_lines[0].days_from_last_dose_to_progression",
        "1.5",
    ),
    ("prior_lines.0.dose", 25, "prior_lines[0].dose", '"dose"'),
    ("months_to_relapse", MISSING, "months_to_relapse", "missing"),
    ("months_to_relapse", -1, "months_to_relapse", "-1"),
    ("months_to_relapse", "18", "months_to_relapse", '"18"'),
    ("months_to_relapse", float("nan"), "months_to_relapse", "nan"),
    ("creatinine_clearance", 0, "creatinine_clearance", "0"),
    ("creatinine_clearance", -20, "creatinine_clearance", "-20"),
    ("creatinine_clearance", None, "creatinine_clearance", "null"),
    ("neuropathy_grade", 5, "neuropathy_grade", "5"),
    ("neuropathy_grade", True, "neuropathy_grade", "true"),
    ("neuropathy_grade", 1.0, "neuropathy_grade", "1.0"),
    ("age", 200, "age", "200"),
    ("sex", "m", "sex", '"m"'),
    ("ecog", -1, "ecog", "-1"),
    ("options", [RD], "options", '["lenalidomide-dexamethasone"]'),
    ("options.1", "melphalan-prednisone", "options[1]", '"melphalan-prednisone"'),
    ("options.2", RD, "options[2]", '"lenalidomide-dexamethasone"'),
    ("options", MISSING, "options", "missing"),
    ("creatinine_clearence", 85, "creatinine_clearence", '"creatinine_clearence"'),
]


@pytest.mark.parametrize(
    ("path", "value", "field", "shown"), BAD_INPUT, ids=[f"{r[0]}={r[1]!r}" for r in BAD_INPUT]
)
def test_bad_input_names_the_field_and_the_value(
    path: str, value: Any, field: str, shown: str
) -> None:
    with pytest.raises(CaseError) as raised:
        decide("rrmm-salvage", replaced(path, value))

    assert raised.value.field == field
    assert field in str(raised.value)
    assert shown.lower() in str(raised.value).lower()


@pytest.mark.parametrize("given", [[], "case", None, 3])
def test_a_case_that_is_not_an_object_is_refused(given: Any) -> None:
    with pytest.raises(CaseError) as raised:
        decide("rrmm-salvage", given)

    assert raised.value.field == "case"
    assert json.dumps(given) in str(raised.value)


def test_an_unknown_model_is_refused_by_name() -> None:
    with pytest.raises(CaseError) as raised:
        decide("aml-induction", case(VTD))

    assert raised.value.field == "model"
    assert '"aml-induction"' in str(raised.value)
    assert "rrmm-salvage" in str(raised.value)


# The corrections of the clinical review (issue 17, part 3), one test each.


def test_refractoriness_is_per_drug_and_maintenance_is_part_of_one_line() -> None:
    result = decide("rrmm-salvage", case(VRD_ASCT_R_MAINTENANCE))

    assert result["findings"]["refractory_to"] == ["lenalidomide"]
    assert result["findings"]["prior_line_count"] == 1
    assert "lenalidomide maintenance (prior line 1)" in explanation(result, RD)
    assert "Avoid" not in explanation(result, VD)


def test_maintenance_stopped_long_before_progression_leaves_the_disease_sensitive() -> None:
    stopped = line(
        "bortezomib",
        "lenalidomide",
        "dexamethasone",
        asct=True,
        days=900,
        maintenance=maintenance("lenalidomide", on_therapy=False, days=200),
    )

    result = decide("rrmm-salvage", case(stopped, months=40))

    assert result["findings"]["refractory_to"] == []
    assert result["answer"] == RD
    assert "lenalidomide-sensitive" in explanation(result, PD)


def test_a_line_with_maintenance_cannot_also_progress_on_its_induction() -> None:
    given = case(
        {
            **VRD_ASCT_R_MAINTENANCE,
            "progressed_on_therapy": True,
            "days_from_last_dose_to_progression": None,
        }
    )

    with pytest.raises(CaseError) as raised:
        decide("rrmm-salvage", given)

    assert raised.value.field == "prior_lines[0].progressed_on_therapy"
    assert "maintenance" in str(raised.value)


def test_a_relapse_interval_that_contradicts_the_last_line_is_refused() -> None:
    given = case(line("bortezomib", "dexamethasone", days=400), months=6)

    with pytest.raises(CaseError) as raised:
        decide("rrmm-salvage", given)

    assert raised.value.field == "months_to_relapse"


def test_lenalidomide_exposure_without_refractoriness_says_why_not_pomalidomide() -> None:
    result = decide("rrmm-salvage", case(VRD))

    assert result["findings"]["lenalidomide_exposed"] is True
    assert result["findings"]["lenalidomide_refractory"] is False
    assert "premature" in explanation(result, PD)
    assert "Lenalidomide exposure is not lenalidomide refractoriness" in result["key_point"]


def test_pomalidomide_dexamethasone_is_licensed_after_two_prior_regimens() -> None:
    one_line = decide("rrmm-salvage", case(VRD_ASCT_R_MAINTENANCE, options=(PD, RD, VD)))
    two_lines = decide("rrmm-salvage", case(VRD, LEN_MAINTENANCE_REFRACTORY, options=(PD, RD, VD)))

    assert one_line["answer"] is None
    assert "Daratumumab, pomalidomide and dexamethasone" in one_line["reason"]
    assert "at least two prior regimens" in explanation(one_line, PD)
    assert two_lines["answer"] == PD


def test_carfilzomib_and_bortezomib_are_ranked_on_clinical_grounds_not_cost() -> None:
    result = decide("rrmm-salvage", case(line("lenalidomide", "dexamethasone")))
    texts = " ".join(o["explanation"] for o in result["options"])

    assert verdicts(result)[KD] == "acceptable"
    assert "Also defensible" in explanation(result, KD)
    assert "cost" not in texts.lower()


def test_thalidomide_is_imid_exposure_never_lenalidomide_exposure() -> None:
    result = decide("rrmm-salvage", case(line("thalidomide", "dexamethasone", response="PD"), VTD))

    assert result["findings"]["imid_exposed"] is True
    assert result["findings"]["lenalidomide_exposed"] is False
    assert result["findings"]["lenalidomide_refractory"] is False
    assert result["answer"] == RD
    assert '"IMiD-naive" it means lenalidomide-naive' in explanation(result, RD)


# Found by an independent clinical review of the data port: each was a wrong key or a second
# defensible answer before.
REVIEWED = [
    (
        "early relapse after carfilzomib stopped 120 days before: switch class, not Kd again",
        case(line("carfilzomib", "dexamethasone", days=120), months=10),
        RD,
        {KD: "not_preferred"},
    ),
    (
        "bortezomib-refractory early relapse: switch class to lenalidomide, Kd also defensible",
        case(line("bortezomib", "thalidomide", "dexamethasone", on_therapy=True), months=8),
        RD,
        {KD: "acceptable", VD: "avoid"},
    ),
    (
        "thalidomide the only IMiD: a proteasome inhibitor, lenalidomide also defensible",
        case(line("melphalan", "prednisone", "thalidomide", days=1600), months=70, grade=2),
        KD,
        {RD: "acceptable", VD: "avoid"},
    ),
    (
        "dialysis with neuropathy after VMP: lenalidomide reduced, carfilzomib also defensible",
        {
            **case(
                line("bortezomib", "melphalan", "prednisone", days=1090),
                months=48,
                clearance=12,
                grade=2,
            ),
            "dialysis": True,
        },
        RD,
        {KD: "acceptable", VD: "avoid"},
    ),
    (
        "severe renal impairment with early relapse: carfilzomib, bortezomib also defensible",
        case(
            line("bortezomib", "thalidomide", "dexamethasone", asct=True, days=200),
            months=12,
            clearance=20,
        ),
        KD,
        {VD: "acceptable"},
    ),
]


@pytest.mark.parametrize(
    ("name", "given", "answer", "expected"), REVIEWED, ids=[r[0] for r in REVIEWED]
)
def test_the_clinical_reviews_cases(
    name: str, given: dict[str, Any], answer: str, expected: dict[str, str]
) -> None:
    result = decide("rrmm-salvage", given)

    assert result["answer"] == answer
    assert {k: verdicts(result)[k] for k in expected} == expected


def test_refractory_to_lenalidomide_and_pomalidomide_is_beyond_the_table() -> None:
    given = case(
        VTD,
        line("lenalidomide", "dexamethasone", on_therapy=True),
        line("pomalidomide", "dexamethasone", on_therapy=True),
        months=30,
    )

    result = decide("rrmm-salvage", given)

    assert result["answer"] is None
    assert result["findings"]["table_row"] == "beyond_table"
    assert verdicts(result)[KD] == "acceptable"
    assert "pomalidomide-based regimen is preferred" not in explanation(result, KD)


def test_a_patient_on_dialysis_has_no_high_creatinine_clearance() -> None:
    with pytest.raises(CaseError) as raised:
        decide("rrmm-salvage", {**case(VTD, clearance=85), "dialysis": True})

    assert raised.value.field == "dialysis"
