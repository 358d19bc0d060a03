"""`manage.py decide MODEL CASE`: JSON on standard output, exit status 2 for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.decision.rrmm import SEED_CASE

ROOT = Path(__file__).resolve().parents[2]
CASE = {**SEED_CASE, "options": ["pomalidomide-dexamethasone", "lenalidomide-dexamethasone"]}


def run_decide(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "decide", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_prints_the_decision_of_a_case_file(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE), encoding="utf-8")

    result = run_decide("rrmm-salvage", str(path))

    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["model"] == "rrmm-salvage"
    assert decision["answer"] == "lenalidomide-dexamethasone"
    assert [o["id"] for o in decision["options"]] == [
        "lenalidomide-dexamethasone",
        "pomalidomide-dexamethasone",
    ]


def test_reads_the_case_from_standard_input_and_prints_the_same_bytes(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE), encoding="utf-8")

    from_stdin = run_decide("rrmm-salvage", "-", stdin=json.dumps(CASE))

    assert from_stdin.returncode == 0, from_stdin.stderr
    assert from_stdin.stdout == run_decide("rrmm-salvage", str(path)).stdout


def with_change(key: str, value: Any) -> str:
    return json.dumps({**CASE, key: value})


BAD = [
    ("malformed JSON", "rrmm-salvage", '{"prior_lines": [', ["case", "malformed JSON"]),
    ("unknown model", "aml-induction", json.dumps(CASE), ["model", "aml-induction"]),
    (
        "unknown agent",
        "rrmm-salvage",
        json.dumps(
            {**CASE, "prior_lines": [{**CASE["prior_lines"][0], "agents": ["bortezomib", "asa"]}]}
        ),
        ["prior_lines[0].agents[1]", "asa"],
    ),
    (
        "unknown regimen",
        "rrmm-salvage",
        with_change("options", ["lenalidomide-dexamethasone", "vrd"]),
        ["options[1]", "vrd"],
    ),
    ("out of range", "rrmm-salvage", with_change("neuropathy_grade", 7), ["neuropathy_grade", "7"]),
    (
        "contradictory",
        "rrmm-salvage",
        with_change(
            "prior_lines",
            [
                {
                    **CASE["prior_lines"][0],
                    "progressed_on_therapy": True,
                    "days_from_last_dose_to_progression": 30,
                }
            ],
        ),
        ["prior_lines[0].days_from_last_dose_to_progression", "30", "progressed_on_therapy"],
    ),
    (
        "missing field",
        "rrmm-salvage",
        json.dumps({k: v for k, v in CASE.items() if k != "creatinine_clearance"}),
        ["creatinine_clearance", "missing"],
    ),
]


@pytest.mark.parametrize(("name", "model", "stdin", "named"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_exits_2_naming_the_field_and_value(
    name: str, model: str, stdin: str, named: list[str]
) -> None:
    result = run_decide(model, "-", stdin=stdin)

    assert result.returncode == 2
    assert result.stdout == ""
    for text in named:
        assert text in result.stderr


def test_a_missing_case_file_exits_2(tmp_path: Path) -> None:
    result = run_decide("rrmm-salvage", str(tmp_path / "absent.json"))

    assert result.returncode == 2
    assert "absent.json" in result.stderr


def test_a_version_is_named_after_an_at_sign(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE), encoding="utf-8")

    named = run_decide("rrmm-salvage@seed-004", str(path))
    latest = run_decide("rrmm-salvage@latest", str(path))
    unknown = run_decide("rrmm-salvage@2031", str(path))

    assert json.loads(named.stdout)["guideline"]["version"] == "seed-004"
    assert json.loads(latest.stdout) == json.loads(named.stdout)
    assert unknown.returncode == 2
    assert 'version: model "rrmm-salvage" has no version "2031"' in unknown.stderr


def test_list_prints_every_model_version_with_its_metadata_and_sources() -> None:
    result = run_decide("--list")

    assert result.returncode == 0, result.stderr
    assert "rrmm-salvage@seed-004 (default, latest)" in result.stdout
    assert "  status:      teaching" in result.stdout
    assert "    - ENDEAVOR: Dimopoulos MA" in result.stdout
