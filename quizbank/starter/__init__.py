"""The starter bank: reviewed items on plasma cell disorders and on stroke prevention in atrial
fibrillation, loaded by `setup_demo` and tests."""

from __future__ import annotations

from pathlib import Path

from learners.models import User
from quizbank.importing import ImportReport, import_questions

STARTER_BANK = Path(__file__).with_name("starter_bank.json")


def load_starter_bank(*, by: User) -> ImportReport:
    """Import (or bring up to date) the starter bank, published, as `by` (an admin)."""
    return import_questions(
        text=STARTER_BANK.read_text(), fmt="json", by=by, publish=True, source=STARTER_BANK.name
    )
