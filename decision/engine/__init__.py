"""Pure-Python decision engine: it must never import Django or the project's other apps.

decide("rrmm-salvage", case) -> dict   # the contract in docs/decision-engine.md
decide("af-stroke-prevention@acc-aha-2023", case)   # a named version; "@latest" the newest
model_ids() -> list[str]
model_versions("af-stroke-prevention") -> [DecisionModel, ...]
option_label("rrmm-salvage", "lenalidomide-dexamethasone") -> "Lenalidomide plus dexamethasone"
"""

from __future__ import annotations

from typing import Any

from decision.engine.cases import CaseError, UnknownModelError
from decision.engine.registry import (
    DecisionModel,
    UnknownVersionError,
    default_version,
    load_knowledge,
    model,
    model_ids,
    model_versions,
    split_reference,
)

__all__ = [
    "CaseError",
    "DecisionModel",
    "UnknownModelError",
    "UnknownVersionError",
    "decide",
    "default_version",
    "model",
    "model_ids",
    "model_versions",
    "option_label",
    "split_reference",
]


def decide(reference: str, case: object) -> dict[str, Any]:
    """Evaluate `case` (parsed JSON) with the model version `reference` names ("id",
    "id@version" or "id@latest"); raise CaseError for bad input.

    The result says which guideline, version and date it follows under "guideline".
    """
    chosen = model(reference)
    result = chosen.decide(case)
    return {"model": result.pop("model"), "guideline": chosen.guideline.as_json(), **result}


def option_label(reference: str, option: str) -> str:
    """Return the human label of option `option` of the model `reference` names."""
    labels = model(reference).option_labels
    if option not in labels:
        raise CaseError("option", option, f"unknown option {option!r} of model {reference!r}")
    return labels[option]


# Last, so a knowledge module that imports this package finds every name above already defined.
load_knowledge()
