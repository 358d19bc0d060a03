"""Vignette generation speed on one core, and the quality of what it drafts.

Target: at least 1,000 generated vignettes/second; 0 drafts with a second defensible answer and
0 drafts whose stem contradicts their case.

Generates N keyed vignettes for every version of every model with a generator (rrmm-salvage's
Python writer, af-stroke-prevention's vignettes.yaml) with `decision.engine.vignettes.generate`
(sampling a coherent case, writing its stem, asking the engine for the key, rejecting
unanswerable cases and repeated stems) and prints the vignettes/second. The baseline, measured
in the same run, is `decide()` alone on the same finished cases: the ratio says how much of the
engine's own speed generation keeps once sampling and writing are added. Then the batch report
of the first 1,000 drafts (`generate_questions --report`): second defensible answers,
inconsistent stems, distinct option sets and first sentences, mean stem length.

    .venv/bin/python bench/generate_vignettes.py [--count N] [--seed S]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from decision.engine import decide, model_versions
from decision.engine.vignettes import generate, generator_ids, report

TARGET = 1_000.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()

    below = []
    for model_id in generator_ids():
        for version in model_versions(model_id):
            reference = f"{model_id}@{version.version}"
            if not measure(reference, options.count, options.seed):
                below.append(reference)
    print(f"BELOW TARGET: {', '.join(below)}" if below else "PASS for every generator")


def measure(reference: str, count: int, seed: int) -> bool:
    """Print one version's figures next to its baseline; return whether they meet the targets."""
    generate(reference, count=50, seed=seed + 1)  # warm up imports and caches
    started = time.perf_counter()
    items = generate(reference, count=count, seed=seed)
    generating = time.perf_counter() - started

    cases = [item.case for item in items]
    started = time.perf_counter()
    for case in cases:
        decide(reference, case)
    deciding = time.perf_counter() - started

    rate, baseline = len(items) / generating, len(cases) / deciding
    words = sum(len(item.stem.split()) for item in items) / len(items)
    print(reference)
    print(f"  vignettes generated:        {len(items)} (mean stem {words:.0f} words)")
    print(f"  generated vignettes/second: {rate:,.0f} (target {TARGET:,.0f})")
    print(f"  baseline decide()/second:   {baseline:,.0f}")
    print(f"  ratio generate/decide:      {rate / baseline:.2f}")
    batch = report(reference, items[:1_000])
    print("\n".join(f"  {line}" for line in batch.lines()[1:]))
    clean = batch.second_defensible == 0 and batch.inconsistent == 0
    return rate >= TARGET and clean


if __name__ == "__main__":
    main()
