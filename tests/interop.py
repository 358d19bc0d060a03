"""The real-world import files kept beside this repository (`../shared/interop/`).

A clone of this repository alone has no `../shared/`: the tests that read those files then skip,
saying why, so its `make test` is green. CI, which always has them, sets REQUIRE_INTEROP=1 and a
missing folder fails those tests instead of skipping them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

INTEROP = Path(
    os.environ.get("INTEROP_DIR") or Path(__file__).resolve().parents[2] / "shared" / "interop"
)
MOODLE = INTEROP / "moodle"

# Marks a test that reads MOODLE's files (the `moodle_files` fixture of tests/conftest.py).
needs_moodle = pytest.mark.usefixtures("moodle_files")


def require_moodle_files() -> None:
    """Skip the test (fail it under REQUIRE_INTEROP) when MOODLE's files are not there."""
    if MOODLE.is_dir():
        return
    reason = f"Moodle's import files are not at {MOODLE}: clone the project beside shared/"
    if os.environ.get("REQUIRE_INTEROP"):
        pytest.fail(reason)
    pytest.skip(reason)
