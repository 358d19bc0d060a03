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

from learners.models import User
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
    # Linked to the version it follows, which its explanation names.
    assert question.decision_model == "rrmm-salvage@seed-004"
    assert question.guideline_snapshot["follows"]["version"] == "seed-004"
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


def text_of(question: Question) -> str:
    """Everything a student reads of a question after answering, as one string."""
    parts = [question.stem, question.lead_in]
    parts += [f"{o.text} {o.why_not}" for o in question.options.all()]
    parts += [text for _, _, text in question.explanation_sections()]
    parts += [r.citation for r in question.references.all()]
    return "\n".join(parts)


def test_the_clinical_reviews_corrections_are_in_the_bank(starter_bank: None) -> None:
    def named(name: str) -> Question:
        return Question.objects.get(name=name)

    # CAR-T cells from first relapse: cilta-cel after one line in lenalidomide-refractory disease.
    third_line = text_of(named("len-refractory-pi-exposed-third-line"))
    assert "one or more prior lines including a PI and an IMiD" in third_line
    assert "CARTITUDE-4" in third_line and "triple-class exposed**), BCMA" not in third_line
    # One definition of early relapse, the decision model's (ER18, from the start of therapy).
    early = text_of(named("early-relapse-carfilzomib"))
    assert "within 18 months of **starting first-line therapy**" in early
    assert "under about 12 months after ASCT, or under 18 months" not in early
    assert "t(4;14), is an early, high-risk relapse" not in early
    # The 2025 IMS/IMWG definition: t(4;14) alone is not high risk.
    fish = named("high-risk-fish-t4-14")
    assert fish.correct_options()[0].text == "Deletion 17p (del(17p))"
    assert "only together with a chromosome 1 abnormality" in text_of(fish)
    assert "JCO-24-01893" in text_of(fish)
    # A why-not names only facts of the stem; a normal haemoglobin is not called high.
    assert "paraprotein is falling" not in text_of(named("daratumumab-blood-bank-interference"))
    poems = text_of(named("poems-syndrome-vegf"))
    assert "haemoglobin 158 g/L" in poems
    assert "high haemoglobin" not in poems and "thrombocytosis and erythrocytosis" not in poems


def test_reloading_gives_linked_items_saved_before_snapshots_their_guideline_line(
    starter_bank: None, admin_user: User
) -> None:
    from quizbank.starter import load_starter_bank

    linked = Question.objects.exclude(decision_model="")
    assert linked.count() == 3
    assert all(q.guideline_snapshot["follows"] for q in linked)
    # As a database migrated from before snapshots holds them: empty, though nothing changed.
    linked.update(guideline_snapshot={})

    assert load_starter_bank(by=admin_user).errors == []

    versions = sorted(q.guideline_snapshot["follows"]["version"] for q in linked.all())
    assert versions == ["acc-aha-2023", "esc-2024", "seed-004"]
