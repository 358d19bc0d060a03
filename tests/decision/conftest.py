"""Fixtures of the decision tests: models registered for one test, such as the made-up
guideline of tests/decision/toy-guideline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from decision.engine import DecisionModel, registry
from decision.engine.guidelines import Guideline, load_model

TOY = Path(__file__).with_name("toy-guideline")
# The example a model's API documentation shows, where the folder gives none.
TOY_EXAMPLE = {"score": 6, "flag": False, "grade": "low", "options": ["act", "wait", "refer"]}

Register = Callable[..., None]


def made_up_guideline(model_id: str, title: str) -> Guideline:
    """Return the metadata of a made-up model built by hand in a test (no sources, undated)."""
    return Guideline(
        id=model_id,
        version="v1",
        title=title,
        status="teaching",
        published=None,
        sources={},
        reviewed_by="",
        review_due=None,
    )


@pytest.fixture
def register_models(monkeypatch: pytest.MonkeyPatch) -> Register:
    """Return a function that registers model versions until the test ends."""
    # Copies of the registry's tables, so the registrations end with the test.
    monkeypatch.setattr(registry, "_MODELS", dict(registry._MODELS))
    monkeypatch.setattr(registry, "_DEFAULTS", dict(registry._DEFAULTS))

    def register(*models: DecisionModel, default: str = "") -> None:
        for model in models:
            registry.register(model, is_default=model.version == default)

    return register


@pytest.fixture
def toy_model(register_models: Register) -> DecisionModel:
    """Register the toy guideline's versions (v1, the default, and v2); return v1."""
    default, versions = load_model(TOY)
    register_models(
        *(
            replace(DecisionModel.of(version), example=version.example or TOY_EXAMPLE)
            for version in versions
        ),
        default=default,
    )
    return registry.model("toy-guideline@v1")
