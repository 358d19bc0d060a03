"""decision/engine is a library: it must import neither Django nor the project's apps."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("django", "rest_framework", "celery", "config", "learners", "quizbank")


def test_importing_the_engine_loads_no_django_and_no_app() -> None:
    code = (
        "import sys, pkgutil, importlib, decision.engine as e, decision.knowledge as k\n"
        "for p, prefix in ((e, 'decision.engine.'), (k, 'decision.knowledge.')):\n"
        "    for m in pkgutil.walk_packages(p.__path__, prefix):\n"
        "        importlib.import_module(m.name)\n"
        "print('\\n'.join(sorted(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )

    loaded = result.stdout.split()
    assert "decision.engine" in loaded
    offending = [name for name in loaded if name.split(".")[0] in FORBIDDEN]
    assert offending == []
