"""What students are told about the guideline a question follows: the version it is linked to,
and a "Current guidelines" note where the model's newest version does not back the key.

The toy guideline's two editions differ at 5 points: v1 acts, v2 waits.
"""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from config.snapshots import refresh_snapshot
from decision.engine import DecisionModel
from decision.engine.guidelines import load_model
from decision.review import (
    describe,
    disagreements_by_version,
    linked_questions,
    pending_changes,
)
from decision.verification import guideline_snapshot
from learners.models import User
from quizbank import services
from quizbank.content import OptionContent
from quizbank.models import Question, Status
from tests.decision.conftest import TOY, Register
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


def test_the_authoring_page_shows_both_versions_verdicts_side_by_side(
    toy_model: DecisionModel, instructor: User, client_for: Any
) -> None:
    question = toy_question(instructor, link="toy-guideline@v1", score=5)

    html = client_for(instructor).get(f"/authoring/questions/{question.pk}/").content.decode()

    assert "Verdict under the newest version, v2 (Toy guideline, second edition)" in html
    assert '<td class="newest-verdict">preferred: 5 points is low, so wait.</td>' in html
    assert '<td class="newest-verdict">not_preferred: Acting is not needed here.</td>' in html
    assert "<strong>prefers B</strong>, not the key" in html


def test_a_new_version_lists_the_items_it_would_change_and_changes_nothing_until_reviewed(
    instructor: User, register_models: Register
) -> None:
    _, (v1, v2) = load_model(TOY)
    register_models(DecisionModel.of(v1), default="v1")
    backed = toy_question(instructor, link="toy-guideline", score=8)
    changed = toy_question(instructor, link="toy-guideline", score=5)
    assert "current" not in changed.guideline_snapshot
    assert pending_changes() == []

    register_models(DecisionModel.of(v2))

    pending = pending_changes()
    assert [(p.question_id, p.changes) for p in pending] == [
        (changed.pk, ["gains a 'Current guidelines' note from toy-guideline@v2"])
    ]
    counts = disagreements_by_version(linked_questions())
    assert [(c.version, c.checked, c.disagreeing) for c in counts] == [("v1", 2, 0), ("v2", 2, 1)]
    # Students still see what was reviewed until the review is done.
    changed.refresh_from_db()
    assert "current" not in changed.guideline_snapshot

    out = StringIO()
    call_command("guideline_review", "--refresh", stdout=out)

    assert "toy-guideline@v2 (Toy guideline, second edition): 1 of 2 linked keys" in out.getvalue()
    assert f"#{changed.pk} " in out.getvalue() and f"#{backed.pk} " not in out.getvalue()
    assert "Stored the guidelines' current wording on 1 item(s)." in out.getvalue()
    changed.refresh_from_db()
    assert changed.guideline_snapshot["current"]["guideline"]["version"] == "v2"
    assert pending_changes() == []


def test_the_dashboard_counts_the_keys_each_version_disagrees_with(
    toy_model: DecisionModel, instructor: User, admin_user: User, client_for: Any
) -> None:
    toy_question(instructor, link="toy-guideline@v1", score=5)
    refresh_snapshot(now=timezone.now())

    html = client_for(admin_user).get("/admin/").content.decode()

    table = html[html.index('id="disagreements-by-version"') :]
    row = '<th scope="row">toy-guideline@{}</th><td>Toy guideline, {} edition</td>{}'
    assert row.format("v2", "second", "<td>1</td><td>1</td>") in table
    assert row.format("v1", "first", "<td>1</td><td>0</td>") in table


def test_each_kind_of_change_is_said_in_words() -> None:
    v1 = {"id": "m", "version": "v1", "title": "One"}
    v2 = {"id": "m", "version": "v2", "title": "Two"}
    note = {"guideline": v2, "option": 1, "explanation": "Why.", "citations": []}

    assert describe({"follows": v1}, {"follows": v1}) == []
    assert describe({"follows": v1}, {"follows": v2}) == ["follows m@v2 instead of m@v1"]
    assert describe({"follows": v1}, {"follows": {**v1, "title": "One, revised"}}) == [
        "the title, date or sources of m@v1 change"
    ]
    assert describe({"follows": v1, "current": note}, {"follows": v1}) == [
        "loses its 'Current guidelines' note"
    ]
    assert describe(
        {"follows": v1, "current": note}, {"follows": v1, "current": {**note, "option": 2}}
    ) == ["its 'Current guidelines' note changes (m@v2)"]
    assert describe({}, {"follows": v1}) == ["follows m@v1 instead of no guideline"]


def test_the_api_gives_the_note_after_answering_naming_options_as_the_item_does(
    toy_model: DecisionModel, instructor: User, student: User
) -> None:
    from rest_framework.test import APIClient

    from tests.learners.pages import token_of

    question = toy_question(instructor, link="toy-guideline@v1", score=5)
    client = APIClient()
    client.force_authenticate(student)
    body = {"mode": "tutor", "count": 1, "questions": [question.pk]}
    session = client.post("/api/v1/sessions/", body, format="json").json()
    item = session["items"][0]
    assert "guideline" not in str(item)

    client.post(
        f"/api/v1/sessions/{session['id']}/responses/",
        {"item": item["id"], "option": token_of(item["id"], correct=True)},
        format="json",
    )
    answered = client.get(f"/api/v1/sessions/{session['id']}/").json()["items"][0]

    note = answered["feedback"]["explanation"]["guideline"]
    assert note["follows"]["version"] == "v1"
    assert note["follows"]["sources"] == [V1_SOURCE]
    wait = next(o["id"] for o in item["question"]["options"] if o["text"] == "Option wait")
    assert note["current"]["option"] == wait
    assert note["current"]["explanation"] == "5 points is low, so wait."
    assert note["current"]["guideline"]["version"] == "v2"
