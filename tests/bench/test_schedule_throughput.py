"""The plan-building benchmark still runs end to end, at a size that takes seconds."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "schedule_throughput.py"
# Chunks of 4 students hold plans of different sizes (goals of 10 to 50 items) and still fit one
# bulk insert each on SQLite, so any difference in the query count comes from reading.
TINY = ["--students=40", "--cards-per-student=20", "--questions=400", "--chunk-size=4"]


def test_benchmark_prints_both_rates_equal_queries_per_chunk_and_the_ratio_last() -> None:
    run = subprocess.run(
        [sys.executable, str(SCRIPT), *TINY],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    rates = {
        match[1]: float(match[2].replace(",", ""))
        for match in re.finditer(
            r"^(build_plans|raw fsrs loop)\b.* ([\d,]+)$", run.stdout, re.MULTILINE
        )
    }
    assert rates.keys() == {"build_plans", "raw fsrs loop"}
    assert all(value > 0 for value in rates.values())
    assert "build_plans (10 chunks)" in run.stdout
    queries = re.search(r"^queries per chunk: min (\d+), max (\d+)", run.stdout, re.MULTILINE)
    assert queries is not None, run.stdout
    assert queries[1] == queries[2]
    assert "plans built: 40 for 40 of 40 students" in run.stdout
    assert re.fullmatch(r"ratio to raw fsrs: \d+\.\d{3}", run.stdout.splitlines()[-1])
