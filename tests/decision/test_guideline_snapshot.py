"""What students are told about the guideline a question follows: the version it is linked to,
and a "Current guidelines" note where the model's newest version does not back the key.

The toy guideline's two editions differ at 5 points: v1 acts, v2 waits.
"""

from __future__ import annotations

from typing import Any

import pytest

from decision.engine import DecisionModel
from decision.verification import guideline_snapshot
from learners.models import User
from quizbank import services
from quizbank.content import OptionContent
from quizbank.models import Question, Status
from tests.learners.pages import Learner, item_url
from tests.quizbank.samples import sample_content

pytestmark = pytest.mark.django_db

V1_SOURCE = "Toy A. A made-up rule book. Test Data. 2020;1:1-2."
V2_SOURCE = "Toy A. A made-up rule book. Test Data. 2024;2:3-4."


def toy_question(author: User, *, link: str, score: int, key: str = "act") -> Question:
    options = ["act", "wait", "refer"]
    return services.create_question(
        content=sample_content(
            options=[
                OptionContent(f"Option {o}", is_correct=o == key, why_not="" if o == key else "No.")
                for o in options
            ],
            name=f"toy-{link}-{score}-{key}",
            decision_model=link,
            decision_case={"score": score, "flag": False, "options": options},
        ),
        by=author,
        status=Status.PUBLISHED,
    )


def test_a_key_the_newest_version_does_not_back_gets_its_preference_and_why(
    toy_model: DecisionModel, instructor: User
) -> None:
    question = toy_question(instructor, link="toy-guideline@v1", score=5)

    snapshot = question.guideline_snapshot

    assert snapshot["follows"]["version"] == "v1"
    assert snapshot["follows"]["title"] == "Toy guideline, first edition"
    assert snapshot["follows"]["sources"] == [V1_SOURCE]
    current = snapshot["current"]
    assert current["guideline"]["version"] == "v2"
    assert current["option"] == question.options.get(text="Option wait").pk
    assert current["explanation"] == "5 points is low, so wait."
    assert current["citations"] == [f"{V2_SOURCE} Section 1.4."]
    # Stored as computed now, so the page shows what was reviewed.
    question.refresh_from_db()
    assert question.guideline_snapshot == guideline_snapshot(question)


def test_no_note_where_the_newest_version_agrees_or_is_the_one_followed(
    toy_model: DecisionModel, instructor: User
) -> None:
    agreed = toy_question(instructor, link="toy-guideline", score=8)
    newest = toy_question(instructor, link="toy-guideline@v2", score=5, key="wait")

    assert agreed.guideline_snapshot["follows"]["version"] == "v1"
    assert "current" not in agreed.guideline_snapshot
    assert newest.guideline_snapshot["follows"]["version"] == "v2"
    assert "current" not in newest.guideline_snapshot


def test_a_case_left_to_judgement_by_the_newest_version_says_so(
    toy_model: DecisionModel, instructor: User
) -> None:
    # At 4 points v2 (like v1) leaves the case to judgement; v1 is linked, keyed "wait" by the
    # author, so the note says the current version gives no single best answer, and why.
    question = toy_question(instructor, link="toy-guideline@v1", score=4, key="wait")

    current = question.guideline_snapshot["current"]

    assert current["option"] is None
    assert current["explanation"] == "At 4 points the book leaves it to judgement."


def test_an_unlinked_or_badly_linked_question_has_no_snapshot(instructor: User) -> None:
    plain = services.create_question(content=sample_content(), by=instructor)
    broken = services.create_question(
        content=sample_content(
            name="broken", decision_model="no-such-model", decision_case={"options": []}
        ),
        by=instructor,
    )

    assert plain.guideline_snapshot == {}
    assert broken.guideline_snapshot == {}


def test_the_student_sees_the_version_and_the_note_only_after_answering(
    toy_model: DecisionModel, instructor: User, student: User, client_for: Any
) -> None:
    question = toy_question(instructor, link="toy-guideline@v1", score=5)
    learner = Learner(user=student, client=client_for(student), bank=[question])
    session = learner.start()

    before = learner.get(item_url(session))
    assert "Current guidelines" not in before
    assert "first edition" not in before and V2_SOURCE not in before

    learner.answer(session, correct=True)
    after = learner.get(item_url(session))

    assert "This answer follows <cite>Toy guideline, first edition</cite>, version v1" in after
    assert "a teaching framework, published 2020-01-01" in after
    assert "Current guidelines" in after
    assert "<cite>Toy guideline, second edition</cite> (version v2" in after
    shown = session.items.get().shown_options()
    wait = next(option.letter for option in shown if option.text == "Option wait")
    assert f'prefers <span class="choice-letter">{wait}</span> Option wait among these' in after
    assert "5 points is low, so wait." in after
    assert f"{V2_SOURCE} Section 1.4." in after
    assert f'<li class="guideline-source">{V1_SOURCE}</li>' in after
