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

from decision.engine import UnknownModelError, decide, model, option_label, split_reference

Writer = Callable[[random.Random], tuple[dict[str, Any], str, str]]
# Reads a written item back against its case, independently of how it was written: returns
# what in the stem or lead-in contradicts the case (empty: consistent).
Check = Callable[[dict[str, Any], str, str], list[str]]

# Draws allowed per requested item before giving up (unanswerable cases and repeated stems).
ATTEMPTS_PER_ITEM = 50
DEFENSIBLE = ("preferred", "acceptable")

_WRITERS: dict[str, Writer] = {}
_TOPICS: dict[str, tuple[str, ...]] = {}
_CHECKS: dict[str, Check] = {}


def register_generator(
    model_id: str, writer: Writer, *, topic: Sequence[str], check: Check | None = None
) -> Writer:
    """Register the vignette writer of `model_id`, the topic path its drafts are filed under
    and the consistency check its items are read back with; a model folder's vignettes.yaml,
    or a knowledge module, calls this on loading."""
    existing = _WRITERS.get(model_id)
    if existing is not None and existing is not writer:
        raise RuntimeError(f"A vignette generator for {model_id!r} is registered twice.")
    _WRITERS[model_id] = writer
    _TOPICS[model_id] = tuple(topic)
    if check is not None:
        _CHECKS[model_id] = check
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


def generate(reference: str, *, count: int, seed: int) -> list[GeneratedItem]:
    """Return `count` keyed vignettes for the model version `reference` names ("id",
    "id@version" or "id@latest"), all stems distinct, fixed by `seed`."""
    if count < 0:
        raise ValueError(f"count must be 0 or more, not {count}.")
    model_id, _ = split_reference(reference)
    write = generator_for(model_id)
    model(reference)  # an unknown version is refused before any drawing
    rng = random.Random(seed)  # noqa: S311 -- reproducible sampling, not security
    items: list[GeneratedItem] = []
    stems: set[str] = set()
    for _ in range(count * ATTEMPTS_PER_ITEM):
        if len(items) == count:
            break
        case, stem, lead_in = write(rng)
        if stem in stems:
            continue
        keyed = _single_best_answer(reference, case, rng)
        if keyed is None:
            continue
        case, decision = keyed
        answer = decision["answer"]
        stems.add(stem)
        options = [(option, option_label(reference, option)) for option in case["options"]]
        items.append(GeneratedItem(case, stem, lead_in, options, answer, decision))
    if len(items) < count:
        raise RuntimeError(
            f"Only {len(items)} of {count} distinct answerable vignettes were found for "
            f'"{reference}" in {count * ATTEMPTS_PER_ITEM} draws.'
        )
    return items


@dataclass(frozen=True)
class BatchReport:
    """What a clinician reviewing a batch of drafts would count, read back from the items."""

    reference: str
    drafts: int
    # Items where an offered option besides the key is also defensible (preferred or
    # acceptable) when the case is decided again: two answers in a single-best-answer item.
    second_defensible: int
    # Items whose stem or lead-in contradicts their case, by the model's consistency check.
    inconsistent: int
    problems: list[str]
    has_check: bool
    option_sets: int
    first_sentences: int
    mean_stem_words: float

    def lines(self) -> list[str]:
        share = (lambda n: f"{n} ({n / self.drafts:.1%})") if self.drafts else str
        check = share(self.inconsistent) if self.has_check else "no check registered"
        return [
            f"{self.reference}: {self.drafts} drafts",
            f"  with a second defensible answer:  {share(self.second_defensible)}  (target 0)",
            f"  failing the consistency check:    {check}  (target 0)",
            f"  distinct option sets:             {self.option_sets}",
            f"  distinct first sentences:         {self.first_sentences}",
            f"  mean stem length (words):         {self.mean_stem_words:.1f}",
            *(f"  - {problem}" for problem in self.problems),
        ]


def report(reference: str, items: Sequence[GeneratedItem]) -> BatchReport:
    """Count, for a batch of drafts of `reference`, what makes an item unpublishable or dull."""
    model_id, _ = split_reference(reference)
    check = _CHECKS.get(model_id)
    second = inconsistent = 0
    problems: list[str] = []
    for number, item in enumerate(items, start=1):
        decision = decide(reference, item.case)
        defensible = {o["id"] for o in decision["options"] if o["verdict"] in DEFENSIBLE}
        if decision.get("answer") != item.answer or defensible != {item.answer}:
            second += 1
        found = check(item.case, item.stem, item.lead_in) if check else []
        if found:
            inconsistent += 1
            problems.extend(f"draft {number}: {problem}" for problem in found[:1])
    return BatchReport(
        reference=reference,
        drafts=len(items),
        second_defensible=second,
        inconsistent=inconsistent,
        problems=problems[:5],
        has_check=check is not None,
        option_sets=len({frozenset(item.case["options"]) for item in items}),
        first_sentences=len({item.stem.split(". ", 1)[0] for item in items}),
        mean_stem_words=sum(len(i.stem.split()) for i in items) / len(items) if items else 0.0,
    )


def _single_best_answer(
    reference: str, case: dict[str, Any], rng: random.Random
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Return the case and its decision with one defensible option, the answer; None if the
    engine gives no offered answer or no swap leaves a single best answer."""
    decision = decide(reference, case)
    answer = decision.get("answer")
    if not isinstance(answer, str) or answer not in case["options"]:
        return None
    also = {o["id"] for o in decision["options"] if o["verdict"] in DEFENSIBLE} - {answer}
    if not also:
        return case, decision
    spare = [o for o in model(reference).option_labels if o not in case["options"]]
    rng.shuffle(spare)
    if len(spare) < len(also):
        return None
    options = [spare.pop() if o in also else o for o in case["options"]]
    swapped = {**case, "options": options}
    decision = decide(reference, swapped)
    defensible = [o["id"] for o in decision["options"] if o["verdict"] in DEFENSIBLE]
    if decision.get("answer") != answer or defensible != [answer]:
        return None
    return swapped, decision
