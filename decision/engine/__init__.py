"""Pure-Python decision engine: it must never import Django or the project's other apps.

decide("rrmm-salvage", case) -> dict   # the contract in docs/decision-engine.md
model_ids() -> list[str]
option_label("rrmm-salvage", "lenalidomide-dexamethasone") -> "Lenalidomide plus dexamethasone"
"""

from __future__ import annotations

from typing import Any

from decision.engine.cases import CaseError, UnknownModelError
from decision.engine.registry import load_knowledge, model, model_ids

__all__ = ["CaseError", "UnknownModelError", "decide", "model_ids", "option_label"]


def decide(model_id: str, case: object) -> dict[str, Any]:
    """Evaluate `case` (parsed JSON) with the model `model_id`; raise CaseError for bad input."""
    return model(model_id).decide(case)


def option_label(model_id: str, option: str) -> str:
    """Return the human label of option `option` of model `model_id`."""
    labels = model(model_id).option_labels
    if option not in labels:
        raise CaseError("option", option, f"unknown option {option!r} of model {model_id!r}")
    return labels[option]


# Last, so a knowledge module that imports this package finds every name above already defined.
load_knowledge()
