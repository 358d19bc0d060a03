"""Decision speed of the rrmm-salvage model. Target: at least 5,000 decisions/second on one core.

Decides the starter bank's first-relapse case (with all seven regimens offered) over and over
for `--seconds`, in this process only (one core). The baseline, measured in the same run, is
`json.loads` plus `json.dumps` of the same case: the ratio says how many JSON round trips of
the case one decision costs, a figure that does not depend on the machine.

    .venv/bin/python bench/decide.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 5_000.0


def per_second(work: Callable[[], object], seconds: float) -> float:
    """Return how many times per second `work` runs, measured for about `seconds`."""
    calls = 0
    started = time.perf_counter()
    deadline = started + seconds
    while True:
        for _ in range(100):
            work()
        calls += 100
        now = time.perf_counter()
        if now >= deadline:
            return calls / (now - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time spent on each figure")
    seconds = parser.parse_args().seconds

    sys.path.insert(0, str(ROOT))
    from decision.engine import decide
    from decision.knowledge.rrmm_salvage import ORDER

    bank = json.loads((ROOT / "quizbank/starter/starter_bank.json").read_text(encoding="utf-8"))
    question = next(q for q in bank["questions"] if q["name"] == "rrmm-first-relapse-after-vtd")
    case = {**question["decision"]["case"], "options": list(ORDER)}
    text = json.dumps(case)

    decisions = per_second(lambda: decide("rrmm-salvage", case), seconds)
    baseline = per_second(lambda: json.dumps(json.loads(text)), seconds)

    print(f"decisions per second:          {decisions:12,.0f}  (target {TARGET:,.0f})")
    print(f"baseline json.loads+dumps/s:   {baseline:12,.0f}")
    print(f"ratio (decision / round trip): {decisions / baseline:12.3f}")
    print("target met" if decisions >= TARGET else "TARGET MISSED")


if __name__ == "__main__":
    main()
