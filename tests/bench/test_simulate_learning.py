"""The learning simulation still runs end to end, at a size that takes about a second."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "simulate_learning.py"
TINY = ["--students=3", "--days=6", "--per-day=5", "--items=30", "--topics=3", "--seed=7"]


def run(*extra: str) -> str:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *TINY, *extra],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.parametrize("extra", [[], ["--exam", "--half-life=4"]])
def test_simulation_prints_figures_for_each_scheduler_and_the_ratio_last(
    extra: list[str],
) -> None:
    output = run(*extra)

    rows = {
        match[1]: [float(figure) for figure in match[2].split()]
        for match in re.finditer(r"^(planner|random|leitner) +([\d. ]+)$", output, re.MULTILINE)
    }
    assert set(rows) == {"planner", "random", "leitner"}
    for scheduler in ("planner", "random", "leitner"):
        remembered, correct, gain, per_item, practised, _ = rows[scheduler]
        assert 0.0 < correct <= 1.0 and 0.0 < per_item <= 1.0
        # What is remembered is answered right, and more is answered right by reasoning.
        assert 0.0 < remembered < correct
        # Reading explanations can only add memory: practice never lowers the expected score.
        assert gain >= 0.0
        # 6 days of 5 items from a bank of 30: at most 30 distinct items, at least one day's 5.
        assert 5 <= practised <= 30
    score_line, last = output.splitlines()[-2:]
    assert re.fullmatch(r"planner/random retention ratio: \d+\.\d{2}", last)
    # Retention is what is remembered; the score (memory plus reasoning) has its own line.
    ratio = float(last.rsplit(" ", 1)[1])
    assert abs(ratio - rows["planner"][0] / rows["random"][0]) <= 0.02
    assert re.fullmatch(r"planner/random score ratio: \d+\.\d{2}", score_line)
    score_ratio = float(score_line.rsplit(" ", 1)[1])
    assert abs(score_ratio - rows["planner"][1] / rows["random"][1]) <= 0.02


def test_same_seed_gives_the_same_figures() -> None:
    assert run() == run()
