"""Decision models by id and version.

A model is found in decision.knowledge either as a folder of data (`<model-id>/model.yaml`, read
by decision.engine.guidelines) or as a Python module that registers itself on import. A
reference names a model and optionally a version: "af-stroke-prevention" (the model's default
version), "af-stroke-prevention@acc-aha-2023", or "af-stroke-prevention@latest" (the newest
published).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from decision.engine.cases import CaseError, UnknownModelError, shown
from decision.engine.guidelines import CaseField, Guideline, GuidelineVersion, load_model

KNOWLEDGE_PACKAGE = "decision.knowledge"
LATEST = "latest"


@dataclass(frozen=True)
class DecisionModel:
    """One version of a guideline: the label of every option it knows, and how it decides.

    `decide` takes the case as parsed JSON, raises CaseError for bad input, and returns the
    JSON-serialisable contract described in docs/decision-engine.md.
    """

    model_id: str
    option_labels: Mapping[str, str]
    decide: Callable[[object], dict[str, Any]]
    guideline: Guideline
    # The case schema (empty for a model written in Python) and an example case, if any.
    fields: tuple[CaseField, ...] = ()
    example: Mapping[str, Any] | None = None

    @property
    def version(self) -> str:
        return self.guideline.version

    @classmethod
    def of(cls, version: GuidelineVersion) -> DecisionModel:
        """Return the model a guideline folder's version decides as."""
        return cls(
            model_id=version.guideline.id,
            option_labels=version.option_labels,
            decide=version.decide,
            guideline=version.guideline,
            fields=version.fields,
            example=version.example,
        )


class UnknownVersionError(CaseError):
    """The model has no version of this name."""

    def __init__(self, model_id: str, version: str, known: list[str]) -> None:
        super().__init__(
            "version",
            version,
            f"model {shown(model_id)} has no version {shown(version)}; "
            f"known versions: {', '.join([*known, LATEST])}",
        )


_MODELS: dict[str, dict[str, DecisionModel]] = {}
_DEFAULTS: dict[str, str] = {}


def register(model: DecisionModel, *, is_default: bool = False) -> DecisionModel:
    """Register one version of a model; registering the same version twice is an error."""
    versions = _MODELS.setdefault(model.model_id, {})
    existing = versions.get(model.version)
    if existing is not None and existing is not model:
        raise RuntimeError(f"Decision model {model.model_id}@{model.version} is registered twice.")
    versions[model.version] = model
    if is_default or model.model_id not in _DEFAULTS:
        _DEFAULTS[model.model_id] = model.version
    return model


def split_reference(reference: str) -> tuple[str, str | None]:
    """Return the model id and the version (None: the default) a reference names."""
    model_id, _, version = reference.partition("@")
    return model_id, version or None


def model(reference: str) -> DecisionModel:
    """Return the model version a reference names ("id", "id@version" or "id@latest")."""
    model_id, version = split_reference(reference)
    versions = _MODELS.get(model_id)
    if versions is None:
        raise UnknownModelError(model_id, sorted(_MODELS))
    if version is None:
        return versions[_DEFAULTS[model_id]]
    if version == LATEST:
        return model_versions(model_id)[-1]
    if version not in versions:
        raise UnknownVersionError(model_id, version, sorted(versions))
    return versions[version]


def model_ids() -> list[str]:
    """Return the ids of the registered models, sorted."""
    return sorted(_MODELS)


def model_versions(model_id: str) -> list[DecisionModel]:
    """Return every version of a model, oldest publication first."""
    versions = _MODELS.get(model_id)
    if versions is None:
        raise UnknownModelError(model_id, sorted(_MODELS))
    return sorted(versions.values(), key=lambda m: (m.guideline.published or "", m.version))


def default_version(model_id: str) -> str:
    """Return the version a reference without one means."""
    return _DEFAULTS[model_id]


def load_knowledge() -> None:
    """Register every model of decision.knowledge: its data folders and its Python modules.

    Discovery rather than a list here: adding a model is adding a folder, never an engine edit.
    """
    package = importlib.import_module(KNOWLEDGE_PACKAGE)
    for folder in sorted(Path(package.__path__[0]).iterdir()):
        if (folder / "model.yaml").is_file():
            default, versions = load_model(folder)
            for version in versions:
                register(DecisionModel.of(version), is_default=version.guideline.version == default)
            if (folder / "vignettes.yaml").is_file():
                _register_template(folder, list(versions[0].option_labels))
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        importlib.import_module(f"{KNOWLEDGE_PACKAGE}.{module.name}")


def _register_template(folder: Path, options: list[str]) -> None:
    """Register the vignette writer a folder's vignettes.yaml describes."""
    # Imported here: vignettes reads the finished decision.engine package, which calls
    # load_knowledge last.
    from decision.engine.templates import load_template
    from decision.engine.vignettes import register_generator

    writer = load_template(folder / "vignettes.yaml", options)
    register_generator(folder.name, writer, topic=writer.topic, check=writer.check)
