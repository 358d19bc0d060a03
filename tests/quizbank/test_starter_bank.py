"""The starter bank loads published, covers enough topics for a session, and reloads in place."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django.fixtures import Settings
from reversion.models import Version

from quizbank.models import Question, Status, TopicSummary, topic_labels

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
    assert question.decision_case["months_to_relapse"] == 18


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
