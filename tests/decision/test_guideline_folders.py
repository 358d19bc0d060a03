"""Guidelines written as folders of data: every folder's case table through one generic test,
and the pipeline's contract (validation naming the field, findings, rules, verdicts, wording,
citations, the guideline in every answer) on a made-up guideline kept with the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from decision.engine import CaseError, UnknownVersionError, decide, model, model_versions
from decision.engine.guidelines import GuidelineFileError, GuidelineVersion, load_model
from tests.decision.rrmm import SEED_CASE

TOY = Path(__file__).with_name("toy-guideline")
KNOWLEDGE = Path(__file__).resolve().parents[2] / "decision" / "knowledge"
FOLDERS = [TOY, *sorted(p.parent for p in KNOWLEDGE.glob("*/model.yaml"))]


def versions_of(folder: Path) -> dict[str, GuidelineVersion]:
    _, versions = load_model(folder)
    return {v.guideline.version: v for v in versions}


def table_rows() -> list[Any]:
    return [
        pytest.param(folder, row, id=f"{folder.name}: {row['name']}")
        for folder in FOLDERS
        for row in yaml.safe_load((folder / "cases.yaml").read_text())
    ]


@pytest.mark.parametrize(("folder", "row"), table_rows())
def test_each_case_of_each_guideline_table_decides_as_written(
    folder: Path, row: dict[str, Any]
) -> None:
    result = versions_of(folder)[row["version"]].decide(row["case"])

    assert result["answer"] == row["answer"]
    assert {k: result["findings"][k] for k in row["findings"]} == row["findings"]
    assert {o["id"]: o["verdict"] for o in result["options"]} == row["verdicts"]
    assert all(option["explanation"] for option in result["options"])
    assert result["citations"], "every decision cites where its rules come from"


def test_an_answer_explains_each_option_with_the_facts_of_the_case_and_cites_its_rules() -> None:
    result = versions_of(TOY)["v1"].decide({"score": 3, "flag": True, "options": ["wait", "act"]})

    assert result["answer"] == "act"
    options = {o["id"]: o for o in result["options"]}
    assert options["act"]["explanation"] == "5 points is high, so act."
    assert options["act"]["reasons"] == [{"code": "ACT_WHEN_HIGH", "params": {"points": 5}}]
    assert [o["rank"] for o in result["options"]] == [1, 2]
    assert result["citations"][0].startswith("Toy A. A made-up rule book.")
    assert "Section 1.2 (I, B)." in " ".join(result["citations"])


def test_no_single_best_answer_is_explained_and_an_answer_not_offered_is_said() -> None:
    v1 = versions_of(TOY)["v1"]

    judgement = v1.decide({"score": 2, "flag": True, "options": ["act", "wait"]})
    not_offered = v1.decide({"score": 9, "flag": True, "options": ["act", "wait"]})

    assert judgement["answer"] is None
    assert judgement["reason"] == "At 4 points the book leaves it to judgement."
    assert not_offered["answer"] is None
    assert not_offered["reason"] == (
        "The guideline's answer, Refer on, is not among the options offered."
    )


def test_lists_of_objects_reach_the_rules_whole_with_null_for_what_is_left_out() -> None:
    v1 = versions_of(TOY)["v1"]
    events = [{"kind": "minor", "days_ago": None}, {"kind": "major", "days_ago": 12}]

    recent = v1.decide({"score": 1, "flag": False, "events": events, "options": ["act", "wait"]})
    none = v1.decide({"score": 1, "flag": False, "options": ["act", "wait"]})

    assert recent["findings"]["recent_major"] is True
    assert none["findings"]["recent_major"] is False


def test_the_versions_of_a_folder_differ_where_their_rules_differ() -> None:
    case = {"score": 5, "flag": False, "options": ["act", "wait"]}
    versions = versions_of(TOY)

    assert versions["v1"].decide(case)["answer"] == "act"
    assert versions["v2"].decide(case)["answer"] == "wait"
    assert versions["v2"].guideline.published == "2024-06-01"


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ({"flag": False, "options": ["act", "wait"]}, "score"),
        ({"score": "6", "flag": False, "options": ["act", "wait"]}, "score"),
        ({"score": 11, "flag": False, "options": ["act", "wait"]}, "score"),
        ({"score": 6, "flag": 1, "options": ["act", "wait"]}, "flag"),
        ({"score": 6, "flag": False, "grade": "mid", "options": ["act", "wait"]}, "grade"),
        ({"score": 6, "flag": False, "rate": -1, "options": ["act", "wait"]}, "rate"),
        ({"score": 6, "flag": False, "colour": "red", "options": ["act", "wait"]}, "colour"),
        ({"score": 6, "flag": False, "options": ["act"]}, "options"),
        ({"score": 6, "flag": False, "options": ["act", "jump"]}, "options[1]"),
        ({"score": 6, "flag": False, "options": ["act", "act"]}, "options[1]"),
        ({"score": 0, "flag": False, "grade": "high", "options": ["act", "wait"]}, "grade"),
        ([], "case"),
        ({"score": 6, "flag": False, "events": {}, "options": ["act", "wait"]}, "events"),
        ({"score": 6, "flag": False, "events": [{"kind": "huge", "days_ago": 1}],
          "options": ["act", "wait"]}, "events[0].kind"),
        ({"score": 6, "flag": False, "events": [{"kind": "major"}], "options": ["act", "wait"]},
         "events[0].days_ago"),
        ({"score": 6, "flag": False,
          "events": [{"kind": "major", "days_ago": 1, "tags": ["x", "x"]}],
          "options": ["act", "wait"]}, "events[0].tags[1]"),
        ({"score": 6, "flag": False, "events": [{"kind": "major", "days_ago": 1, "when": 2}],
          "options": ["act", "wait"]}, "events[0].when"),
    ],
)  # fmt: skip
def test_a_bad_case_is_refused_naming_the_field(case: Any, field: str) -> None:
    with pytest.raises(CaseError) as refused:
        versions_of(TOY)["v1"].decide(case)

    assert refused.value.field == field


def toy_with_v1_edited(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    """Return a copy of the toy folder whose v1.yaml has each (old, new) edit made once."""
    folder = tmp_path / "toy-guideline"
    folder.mkdir()
    for name in ("model.yaml", "v1.yaml", "v2.yaml"):
        (folder / name).write_text((TOY / name).read_text())
    v1 = folder / "v1.yaml"
    text = v1.read_text()
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    v1.write_text(text)
    return folder


def v1_of(folder: Path) -> GuidelineVersion:
    return next(v for v in load_model(folder)[1] if v.guideline.version == "v1")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('source: toy, section: "1.4"}', 'source: nope, section: "1.4"}', "unknown source"),
        ("  WAIT_TOO_LONG: ", "  WAIT_TOO_LONGER: ", "has no wording"),
        # A longer code's text does not word a shorter one that begins it.
        ("  WAIT_WHEN_LOW: ", "  WAIT_WHEN_LOW_NOW: ", "WAIT_WHEN_LOW has no wording"),
        ("{points} points is low", "{pints} points is low", "names unknown"),
        ("'points >= 5'", "'points >= >= 5'", "findings.is_high"),
        ("verdict: avoid", "verdict: shun", "unknown verdict"),
        ("answer: act,", "answer: jump,", "unknown ['jump']"),
        ("findings:\n", "constants: {high: 5}\nfindings:\n", "named in capitals: ['high']"),
        (
            "{code: WAIT_WHEN_LOW, when: 'true', answer: wait",
            "{code: WAIT_WHEN_LOW, when: 'false', answer: wait",
            "last rule of answer",
        ),
        (
            "{code: REFER_NOT_NEEDED, when: 'true'",
            "{code: REFER_NOT_NEEDED, when: 'flag'",
            "last rule of refer",
        ),
    ],
)
def test_a_broken_guideline_file_is_refused_naming_the_entry(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    folder = toy_with_v1_edited(tmp_path, (old, new))

    with pytest.raises(GuidelineFileError) as refused:
        load_model(folder)

    assert message in str(refused.value)
    assert "v1.yaml" in str(refused.value)


def test_constants_are_written_into_the_rules_and_not_into_words_or_member_names(
    tmp_path: Path,
) -> None:
    version = v1_of(
        toy_with_v1_edited(
            tmp_path,
            ("findings:\n", "constants: {HIGH: 5, FLAGS: [2]}\nfindings:\n"),
            ("is_high: 'points >= 5'", "is_high: 'points >= HIGH && !(\"HIGH\" in [score])'"),
            ("(flag ? 2 : 0)", "(flag ? FLAGS[0] : 0)"),
        )
    )

    result = version.decide({"score": 3, "flag": True, "options": ["act", "wait"]})

    assert result["findings"] == {"points": 5, "recent_major": False, "is_high": True}
    assert "HIGH" not in result["findings"]


def test_a_finding_may_be_null_and_later_rules_still_read_it(tmp_path: Path) -> None:
    version = v1_of(
        toy_with_v1_edited(
            tmp_path,
            ("findings:\n", "findings:\n  given_grade: 'grade'\n"),
            ("is_high: 'points >= 5'", "is_high: 'points >= 5 && given_grade == null'"),
        )
    )

    without = version.decide({"score": 6, "flag": False, "options": ["act", "wait"]})
    graded = version.decide({"score": 6, "flag": False, "grade": "low", "options": ["act", "wait"]})

    assert without["findings"]["given_grade"] is None
    assert without["findings"]["is_high"] is True
    assert graded["findings"]["is_high"] is False


def test_a_reference_names_a_model_and_optionally_a_version() -> None:
    assert model("rrmm-salvage").version == "seed-004"
    assert model("rrmm-salvage@seed-004") is model("rrmm-salvage")
    assert model("rrmm-salvage@latest") is model_versions("rrmm-salvage")[-1]
    with pytest.raises(UnknownVersionError) as refused:
        model("rrmm-salvage@2031")
    assert refused.value.field == "version"
    assert "seed-004, latest" in str(refused.value)


def test_every_answer_says_which_guideline_and_version_it_follows() -> None:
    result = decide("rrmm-salvage", SEED_CASE)

    assert list(result)[:2] == ["model", "guideline"]
    assert result["guideline"]["version"] == "seed-004"
    assert result["guideline"]["status"] == "teaching"
    assert set(result["guideline"]) == {"id", "version", "title", "status", "published", "sources"}
