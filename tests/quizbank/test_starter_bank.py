"""The starter bank loads published, covers enough topics for a session, reloads in place, and
its options carry no cue to the key in their wording or their authored order."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django.fixtures import Settings
from reversion.models import Version

from quizbank.models import Question, Status, TopicSummary, topic_labels
from quizbank.starter import STARTER_BANK

pytestmark = pytest.mark.django_db


def test_it_holds_enough_published_items_across_topics(starter_bank: None) -> None:
    published = Question.objects.published().select_related("topic")

    per_topic = Counter(q.topic_id for q in published)
    assert published.count() >= 20
    assert len([n for n in per_topic.values() if n >= 4]) >= 4
    assert not Question.objects.exclude(status=Status.PUBLISHED).exists()


def test_the_rrmm_salvage_item_carries_every_explanation_section_and_its_case(
    starter_bank: None,
) -> None:
    question = Question.objects.get(name="rrmm-first-relapse-after-vtd")

    assert question.correct_options()[0].text == "Lenalidomide plus dexamethasone"
    assert all(o.why_not for o in question.options.all() if not o.is_correct)
    assert [key for key, _, _ in question.explanation_sections()] == [
        "key_point", "why_correct", "high_yield", "mechanism", "pearl", "mnemonic", "evidence",
    ]  # fmt: skip
    assert "ASPIRE" in question.evidence
    assert "lenalidomide" in question.evidence.split("ASPIRE", 1)[1][:200].lower()
    assert question.references.count() >= 2
    assert question.decision_model == "rrmm-salvage"
    assert question.decision_case is not None
    # Months from the start of VTD: four cycles, ASCT, then relapse 18 months after ASCT.
    assert question.decision_case["months_to_relapse"] == 24


def test_the_lenalidomide_refractory_definition_item_and_summary_are_there(
    starter_bank: None,
) -> None:
    question = Question.objects.get(name="lenalidomide-refractory-definition")
    summary = TopicSummary.objects.get(topic=question.topic)

    assert "60 days" in question.correct_options()[0].text
    assert summary.status == Status.PUBLISHED
    assert [s["heading"] for s in summary.sections] == ["From the guidelines", "From the research"]
    assert summary.references.count() >= 2
    assert topic_labels([question.topic])[question.topic_id].startswith("Hematology > ")


def test_setup_demo_loads_the_bank_once_however_often_it_runs(
    settings: Settings, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path

    call_command("setup_demo")
    count, revisions = Question.objects.count(), Version.objects.count()
    call_command("setup_demo")

    assert count >= 20
    assert Question.objects.count() == count
    assert Version.objects.count() == revisions


# What a student who does not know the answer might read off the options' wording alone.
def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _converging(text: str, options: list[str]) -> int:
    """Words shared with the other options: "the key has most in common" is a known guess."""
    return sum(len(_words(text) & _words(other)) for other in options if other != text)


WORDING_CUES: dict[str, Callable[[str, list[str]], float]] = {
    "longest": lambda text, options: len(text),
    "shortest": lambda text, options: -len(text),
    "most words": lambda text, options: len(_words(text)),
    "fewest words": lambda text, options: -len(_words(text)),
    "most in common with the others": _converging,
}


def _binomial_tail(n: int, k: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p)."""
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1))


@pytest.mark.parametrize("cue", WORDING_CUES)
def test_no_cue_in_the_options_wording_picks_the_key_more_often_than_chance(cue: str) -> None:
    questions = json.loads(STARTER_BANK.read_text())["questions"]
    picks = 0.0
    for question in questions:
        options = [option["text"] for option in question["options"]]
        [key] = [option["text"] for option in question["options"] if option["is_correct"]]
        scores = [WORDING_CUES[cue](text, options) for text in options]
        best = [text for text, score in zip(options, scores, strict=True) if score == max(scores)]
        # A tie is a guess among the tied options.
        picks += (key in best) / len(best)

    chance = 1 / 5
    assert {len(question["options"]) for question in questions} == {5}
    # A bank whose wording carried no cue would pick this many keys or more under 5% of the time.
    assert _binomial_tail(len(questions), math.ceil(picks), chance) >= 0.05, picks


def test_the_key_is_not_authored_in_one_place() -> None:
    questions = json.loads(STARTER_BANK.read_text())["questions"]
    positions = Counter(
        next(i for i, option in enumerate(question["options"]) if option["is_correct"])
        for question in questions
    )
    assert max(positions.values()) <= len(questions) / 2, positions
