"""Questions linked to a decision model: the check, the publish gate, the override, the fill."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from decision.verification import check_question
from learners.models import User
from quizbank import services
from quizbank.content import OptionContent
from quizbank.models import Question, ReviewEvent, Status
from tests.decision.rrmm import SEED_CASE
from tests.quizbank.samples import sample_content

pytestmark = pytest.mark.django_db

REGIMENS = [
    ("lenalidomide-dexamethasone", "Lenalidomide plus dexamethasone"),
    ("pomalidomide-dexamethasone", "Pomalidomide plus dexamethasone"),
    ("bortezomib-dexamethasone", "Bortezomib plus dexamethasone"),
    ("carfilzomib-dexamethasone", "Carfilzomib plus dexamethasone"),
]
CASE = SEED_CASE


def linked(key: int = 0, *, why_not: str = "Explained.", **case: Any) -> Any:
    return sample_content(
        options=[
            OptionContent(label, is_correct=i == key, why_not="" if i == key else why_not)
            for i, (_, label) in enumerate(REGIMENS)
        ],
        decision_model="rrmm-salvage",
        decision_case={**CASE, **case},
    )


def in_review(content: Any, author: User) -> Question:
    question = services.create_question(content=content, by=author)
    services.submit_for_review(question=question, by=author)
    return question


def test_the_check_agrees_with_a_correct_key(instructor: User) -> None:
    question = services.create_question(content=linked(key=0), by=instructor)

    check = check_question(question)

    assert check is not None
    assert check.error == ""
    assert check.engine_answer == question.options.get(position=0)
    assert not check.disagrees
    assert [v.option.position for v in check.options] == [0, 1, 2, 3]
    assert all(v.explanation for v in check.options)


def test_a_disagreeing_key_cannot_be_published_until_a_reviewer_says_why(
    instructor: User, reviewer: User
) -> None:
    question = in_review(linked(key=1), instructor)

    with pytest.raises(services.WorkflowError) as refused:
        services.publish_question(question=question, by=reviewer)
    assert refused.value.code == "key_disagrees_with_model"
    assert "prefers A" in refused.value.message

    with pytest.raises(PermissionDenied):
        services.override_decision_model(question=question, by=instructor, reason="Mine.")
    with pytest.raises(ValidationError):
        services.override_decision_model(question=question, by=reviewer, reason="  ")
    services.override_decision_model(
        question=question, by=reviewer, reason="Teaching item on pomalidomide's place."
    )
    services.publish_question(question=question, by=reviewer)

    question.refresh_from_db()
    assert question.status == Status.PUBLISHED
    assert question.review_events.filter(action=ReviewEvent.Action.DECISION_OVERRIDDEN).exists()


def test_changing_the_key_clears_the_override(instructor: User, reviewer: User) -> None:
    question = in_review(linked(key=1), instructor)
    services.override_decision_model(question=question, by=reviewer, reason="Kept on purpose.")

    content = services.question_content(question)
    content.options[1].is_correct, content.options[2].is_correct = False, True
    content.options[1].why_not = "Reserved for refractory disease."
    content.options[2].why_not = ""
    services.update_question(question=question, content=content, by=reviewer)

    question.refresh_from_db()
    assert question.decision_override_reason == ""
    with pytest.raises(services.WorkflowError):
        services.publish_question(question=question, by=reviewer)


def test_a_case_that_does_not_match_the_options_blocks_publishing(
    instructor: User, reviewer: User
) -> None:
    question = in_review(linked(options=["lenalidomide-dexamethasone"]), instructor)

    with pytest.raises(ValidationError) as refused:
        services.publish_question(question=question, by=reviewer)

    assert "The case lists 1 options but the question has 4" in str(refused.value)


def test_empty_explanations_are_filled_from_the_model(instructor: User) -> None:
    content = linked(key=0, why_not="")
    content.explanation = {"key_point": "", "why_correct": "", "pearl": ""}
    question = services.create_question(content=content, by=instructor)

    filled = services.fill_from_decision_model(question=question, by=instructor)

    question.refresh_from_db()
    assert {"why not B", "why not C", "why not D", "key point", "why correct"} <= set(filled)
    assert all(o.why_not for o in question.options.all() if not o.is_correct)
    assert question.key_point
    assert "18" in question.options.get(position=3).why_not  # grounded in the case


def test_the_question_page_shows_the_disagreement_and_the_override_form(
    client_for: Any, instructor: User, reviewer: User
) -> None:
    question = in_review(linked(key=1), instructor)

    page = client_for(reviewer).get(f"/authoring/questions/{question.pk}/").content.decode()

    assert "The key disagrees with the model" in page
    assert "version seed-004, a teaching framework" in page
    assert "Why the authored key stands" in page
    client: Client = client_for(reviewer)
    client.post(
        f"/authoring/questions/{question.pk}/decision/override/", {"comment": "On purpose."}
    )
    question.refresh_from_db()
    assert question.decision_override_reason == "On purpose."


def test_the_starter_rrmm_item_agrees_with_its_model(starter_bank: None) -> None:
    question = Question.objects.get(name="rrmm-first-relapse-after-vtd")

    check = check_question(question)

    assert check is not None
    assert check.error == ""
    assert not check.disagrees


def test_a_question_keeps_the_model_version_it_was_written_against(instructor: User) -> None:
    content = linked(key=0)
    content.decision_model = "rrmm-salvage@seed-004"
    question = services.create_question(content=content, by=instructor)
    unknown = services.create_question(
        content=sample_content(
            name="unknown-version",
            options=content.options,
            decision_model="rrmm-salvage@2031",
            decision_case=CASE,
        ),
        by=instructor,
    )

    check = check_question(question)
    refused = check_question(unknown)

    assert check is not None and check.error == ""
    assert check.output["guideline"]["version"] == "seed-004"
    assert not check.disagrees
    assert refused is not None
    assert refused.error.startswith('Model "rrmm-salvage" has no version "2031"')
