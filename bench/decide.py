"""Decision speed of every decision model version. Target: at least 5,000 decisions/second each.

Decides each version's example case (model.yaml's `example`, with every option offered) over
and over for `--seconds`, in this process only (one core). The baseline, measured in the same
run, is `json.loads` plus `json.dumps` of the same case: the ratio says how many JSON round trips
of the case one decision costs, a figure that does not depend on the machine. (The Python
rrmm-salvage code this replaced is gone; its last figure was printed by this script's earlier
version in git history.)

    .venv/bin/python bench/decide.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from functools import partial
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


def round_trip(text: str) -> str:
    return json.dumps(json.loads(text))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time spent on each figure")
    seconds = parser.parse_args().seconds

    sys.path.insert(0, str(ROOT))
    from decision.engine import decide, model_ids, model_versions

    missed = []
    for model_id in model_ids():
        for version in model_versions(model_id):
            reference = f"{model_id}@{version.version}"
            case = {**(version.example or {}), "options": list(version.option_labels)}
            text = json.dumps(case)
            decisions = per_second(partial(decide, reference, case), seconds)
            baseline = per_second(partial(round_trip, text), seconds)
            print(reference)
            print(f"  decisions per second:          {decisions:12,.0f}  (target {TARGET:,.0f})")
            print(f"  baseline json.loads+dumps/s:   {baseline:12,.0f}")
            print(f"  ratio (decision / round trip): {decisions / baseline:12.3f}")
            if decisions < TARGET:
                missed.append(reference)
    print(f"TARGET MISSED: {', '.join(missed)}" if missed else "target met by every version")


if __name__ == "__main__":
    main()
