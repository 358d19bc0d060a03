"""Vignette generation speed on one core. Target: at least 1,000 generated vignettes/second.

Generates N keyed vignettes for every model with a generator (rrmm-salvage's Python writer,
af-stroke-prevention's vignettes.yaml) with `decision.engine.vignettes.generate` (sampling
a coherent case, writing its stem, asking the engine for the key, rejecting unanswerable cases
and repeated stems) and prints the vignettes/second. The baseline, measured in the same run, is
`decide()` alone on the same finished cases: the ratio says how much of the engine's own speed
generation keeps once sampling and writing are added.

    .venv/bin/python bench/generate_vignettes.py [--count N] [--seed S]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from decision.engine import decide
from decision.engine.vignettes import generate, generator_ids

TARGET = 1_000.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()

    below = []
    for model_id in generator_ids():
        rate = measure(model_id, options.count, options.seed)
        if rate < TARGET:
            below.append(model_id)
    print(f"BELOW TARGET: {', '.join(below)}" if below else "PASS for every generator")


def measure(model_id: str, count: int, seed: int) -> float:
    """Print one generator's figures next to its baseline; return its vignettes/second."""
    generate(model_id, count=50, seed=seed + 1)  # warm up imports and caches
    started = time.perf_counter()
    items = generate(model_id, count=count, seed=seed)
    generating = time.perf_counter() - started

    cases = [item.case for item in items]
    started = time.perf_counter()
    for case in cases:
        decide(model_id, case)
    deciding = time.perf_counter() - started

    rate, baseline = len(items) / generating, len(cases) / deciding
    words = sum(len(item.stem.split()) for item in items) / len(items)
    print(model_id)
    print(f"  vignettes generated:        {len(items)} (mean stem {words:.0f} words)")
    print(f"  generated vignettes/second: {rate:,.0f} (target {TARGET:,.0f})")
    print(f"  baseline decide()/second:   {baseline:,.0f}")
    print(f"  ratio generate/decide:      {rate / baseline:.2f}")
    return rate


if __name__ == "__main__":
    main()
