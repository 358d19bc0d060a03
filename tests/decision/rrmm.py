"""The rrmm-salvage model as the tests see it: its example case (the seed-004 patient), its
options in the model's order, and the choices of its case schema."""

from __future__ import annotations

import copy
from typing import Any

from decision.engine import model
from decision.engine.guidelines import CaseField

RRMM = model("rrmm-salvage")
ORDER = tuple(RRMM.option_labels)


def seed_case() -> dict[str, Any]:
    """Return a fresh copy of the seed-004 patient: VTD and ASCT, relapse at 18 months."""
    return copy.deepcopy(dict(RRMM.example or {}))


def _field(fields: tuple[CaseField, ...], name: str) -> CaseField:
    return next(f for f in fields if f.name == name)


_LINE = _field(RRMM.fields, "prior_lines").items
assert _LINE is not None
AGENTS = _field(_LINE.fields, "agents").items.choices  # type: ignore[union-attr]
RESPONSES = _field(_LINE.fields, "best_response").choices
SEED_CASE = seed_case()
