"""The answer-throughput benchmark still runs end to end, at a size that takes seconds."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "answer_throughput.py"


@pytest.mark.integration
def test_benchmark_serves_both_figures_from_each_server_without_errors() -> None:
    run = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--seconds=0.3",
            "--clients=2",
            "--workers=1",
            "--servers=gunicorn,granian",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    table = {line.split()[0]: line.split()[1:] for line in run.stdout.splitlines() if line}
    for server in ("gunicorn", "granian"):
        bare_rps, _, answer_rps, _, _ = table[server]
        assert float(bare_rps.replace(",", "")) > 0
        assert float(answer_rps.replace(",", "")) > 0
    assert "target: answer/bare >= 0.35" in run.stdout
    last_line = run.stdout.splitlines()[-1]
    assert re.fullmatch(
        r"answer/bare throughput ratio \((gunicorn|granian)\): \d+\.\d{3}", last_line
    )
