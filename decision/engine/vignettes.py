"""Generate exam questions from a decision model: sample cases, write vignettes, key them.

Each model with a vignette writer registers it from its knowledge module (as models register
themselves with the engine), so adding one never edits this file. A writer takes a seeded
`random.Random` and returns a case (with its `options`), a stem and a lead-in; this module asks
the engine for the key and keeps only cases the engine answers with one of the offered options.
A single-best-answer item has exactly one defensible answer: an offered option the engine also
finds defensible (`acceptable`) is swapped for one of the model's other options that is not, or
the case is dropped. Everything is pure and deterministic: the same model, count and seed give
the same items.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from decision.engine import UnknownModelError, decide, model, option_label

Writer = Callable[[random.Random], tuple[dict[str, Any], str, str]]

# Draws allowed per requested item before giving up (unanswerable cases and repeated stems).
ATTEMPTS_PER_ITEM = 50
DEFENSIBLE = ("preferred", "acceptable")

_WRITERS: dict[str, Writer] = {}
_TOPICS: dict[str, tuple[str, ...]] = {}


def register_generator(model_id: str, writer: Writer, *, topic: Sequence[str]) -> Writer:
    """Register the vignette writer of `model_id` and the topic path its drafts are filed
    under; a model folder's vignettes.yaml, or a knowledge module, calls this on loading."""
    existing = _WRITERS.get(model_id)
    if existing is not None and existing is not writer:
        raise RuntimeError(f"A vignette generator for {model_id!r} is registered twice.")
    _WRITERS[model_id] = writer
    _TOPICS[model_id] = tuple(topic)
    return writer


def generator_topic(model_id: str) -> list[str]:
    """Return the topic path generated drafts of `model_id` are filed under."""
    generator_for(model_id)
    return list(_TOPICS[model_id])


@dataclass(frozen=True)
class GeneratedItem:
    case: dict[str, Any]
    stem: str
    lead_in: str
    # (regimen id, label) in the order the question shows them, as in case["options"].
    options: list[tuple[str, str]]
    answer: str
    decision: dict[str, Any]


def generator_ids() -> list[str]:
    """Return the ids of the models that can generate vignettes, sorted."""
    return sorted(_WRITERS)


def generator_for(model_id: str) -> Writer:
    """Return the vignette writer registered for `model_id`."""
    try:
        return _WRITERS[model_id]
    except KeyError:
        raise UnknownModelError(model_id, generator_ids()) from None


def generate(model_id: str, *, count: int, seed: int) -> list[GeneratedItem]:
    """Return `count` keyed vignettes for `model_id`, all stems distinct, fixed by `seed`."""
    if count < 0:
        raise ValueError(f"count must be 0 or more, not {count}.")
    write = generator_for(model_id)
    rng = random.Random(seed)  # noqa: S311 -- reproducible sampling, not security
    items: list[GeneratedItem] = []
    stems: set[str] = set()
    for _ in range(count * ATTEMPTS_PER_ITEM):
        if len(items) == count:
            break
        case, stem, lead_in = write(rng)
        if stem in stems:
            continue
        keyed = _single_best_answer(model_id, case, rng)
        if keyed is None:
            continue
        case, decision = keyed
        answer = decision["answer"]
        stems.add(stem)
        options = [(option, option_label(model_id, option)) for option in case["options"]]
        items.append(GeneratedItem(case, stem, lead_in, options, answer, decision))
    if len(items) < count:
        raise RuntimeError(
            f"Only {len(items)} of {count} distinct answerable vignettes were found for "
            f'"{model_id}" in {count * ATTEMPTS_PER_ITEM} draws.'
        )
    return items


def _single_best_answer(
    model_id: str, case: dict[str, Any], rng: random.Random
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Return the case and its decision with one defensible option, the answer; None if the
    engine gives no offered answer or no swap leaves a single best answer."""
    decision = decide(model_id, case)
    answer = decision.get("answer")
    if not isinstance(answer, str) or answer not in case["options"]:
        return None
    also = {o["id"] for o in decision["options"] if o["verdict"] in DEFENSIBLE} - {answer}
    if not also:
        return case, decision
    spare = [o for o in model(model_id).option_labels if o not in case["options"]]
    rng.shuffle(spare)
    if len(spare) < len(also):
        return None
    options = [spare.pop() if o in also else o for o in case["options"]]
    swapped = {**case, "options": options}
    decision = decide(model_id, swapped)
    defensible = [o["id"] for o in decision["options"] if o["verdict"] in DEFENSIBLE]
    if decision.get("answer") != answer or defensible != [answer]:
        return None
    return swapped, decision
