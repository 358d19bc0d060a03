"""The admin dashboard benchmark still runs end to end, at a size that takes seconds."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "admin_dashboard.py"
TINY = ["--students=30", "--responses=3000", "--questions=300", "--topics=5", "--requests=3"]


def test_benchmark_prints_both_page_times_and_the_ratio_last() -> None:
    run = subprocess.run(
        [sys.executable, str(SCRIPT), *TINY],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    assert "30 students, 3,000 responses, 300 questions" in run.stdout
    times = {
        match[1]: float(match[2])
        for match in re.finditer(
            r"^(dashboard page|trivial admin page) +([\d.]+)$", run.stdout, re.MULTILINE
        )
    }
    assert times.keys() == {"dashboard page", "trivial admin page"}
    assert all(value > 0 for value in times.values())
    last = run.stdout.splitlines()[-1]
    assert re.fullmatch(r"ratio to trivial admin page: \d+\.\d{2}", last)
    ratio = float(last.rsplit(" ", 1)[1])
    assert abs(ratio - times["dashboard page"] / times["trivial admin page"]) < 0.05
