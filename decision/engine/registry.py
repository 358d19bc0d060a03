"""Decision models by id. Each module in decision.knowledge registers its own model on import."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from decision.engine.cases import UnknownModelError

KNOWLEDGE_PACKAGE = "decision.knowledge"


@dataclass(frozen=True)
class DecisionModel:
    """A guideline: its id, the label of every option it knows, and its decision function.

    `decide` takes the case as parsed JSON, raises CaseError for bad input, and returns the
    JSON-serialisable contract described in docs/decision-engine.md.
    """

    model_id: str
    option_labels: Mapping[str, str]
    decide: Callable[[object], dict[str, Any]]


_MODELS: dict[str, DecisionModel] = {}


def register(model: DecisionModel) -> DecisionModel:
    """Register `model` under its id; registering the same id twice is a programming error."""
    existing = _MODELS.get(model.model_id)
    if existing is not None and existing is not model:
        raise RuntimeError(f"Decision model {model.model_id!r} is registered twice.")
    _MODELS[model.model_id] = model
    return model


def model(model_id: str) -> DecisionModel:
    """Return the model registered under `model_id`."""
    try:
        return _MODELS[model_id]
    except KeyError:
        raise UnknownModelError(model_id, sorted(_MODELS)) from None


def model_ids() -> list[str]:
    """Return the ids of the registered models, sorted."""
    return sorted(_MODELS)


def load_knowledge() -> None:
    """Import every module of decision.knowledge, so each model registers itself.

    Discovery rather than a list here: adding a model is adding a module, never an engine edit.
    """
    package = importlib.import_module(KNOWLEDGE_PACKAGE)
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        importlib.import_module(f"{KNOWLEDGE_PACKAGE}.{module.name}")
