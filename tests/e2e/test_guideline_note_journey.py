"""In Chromium: a student answers a question keyed by an older version of a guideline and reads,
only after answering, which version the answer follows and the "Current guidelines" note.

The made-up toy guideline (tests/decision/toy-guideline, not medicine) stands in for a model
with a teaching and a newer version: at 5 points its first edition acts, its second waits.
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from decision.engine import DecisionModel, registry
from decision.engine.guidelines import load_model
from learners.models import Mode
from learners.practice import start_session
from learners.roles import Role
from quizbank import services
from quizbank.content import OptionContent
from quizbank.models import Status
from tests.conftest import make_user
from tests.decision.conftest import TOY
from tests.e2e.test_practice_journey import log_in
from tests.quizbank.samples import sample_content

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

V2_CITATION = "Toy A. A made-up rule book. Test Data. 2024;2:3-4. Section 1.4."


@pytest.fixture
def toy_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register both editions of the toy guideline in this process, which serves the pages."""
    monkeypatch.setattr(registry, "_MODELS", dict(registry._MODELS))
    monkeypatch.setattr(registry, "_DEFAULTS", dict(registry._DEFAULTS))
    default, versions = load_model(TOY)
    for version in versions:
        registry.register(
            DecisionModel.of(version), is_default=version.guideline.version == default
        )


def test_the_current_guidelines_note_shows_after_answering(page: Page, toy_versions: None) -> None:
    author = make_user("ian-instructor", Role.INSTRUCTOR)
    options = ["act", "wait", "refer"]
    question = services.create_question(
        content=sample_content(
            name="toy-5-points",
            lead_in="At 5 points, what does the rule book say?",
            options=[
                OptionContent(
                    f"Option {o}", is_correct=o == "act", why_not="" if o == "act" else "No."
                )
                for o in options
            ],
            decision_model="toy-guideline@v1",
            decision_case={"score": 5, "flag": False, "options": options},
        ),
        by=author,
        status=Status.PUBLISHED,
    )
    student = make_user("sue-student", Role.STUDENT)
    session = start_session(
        learner=student, mode=Mode.TUTOR, count=1, question_ids=[question.pk], now=timezone.now()
    )
    log_in(page, student.username)

    page.goto(f"/practice/sessions/{session.pk}/items/1/")
    expect(page.get_by_role("heading", name="Item 1 of 1")).to_be_visible()
    expect(page.get_by_role("heading", name="Current guidelines")).to_have_count(0)
    expect(page.get_by_text("first edition")).to_have_count(0)

    page.get_by_text("Option act", exact=True).click()
    page.get_by_role("button", name="Submit answer").click()

    expect(page.get_by_text("This answer follows Toy guideline, first edition")).to_be_visible()
    note = page.get_by_role("complementary", name="Current guidelines")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Toy guideline, second edition (version v2")
    expect(note).to_contain_text("prefers")
    expect(note).to_contain_text("Option wait among these options")
    expect(note).to_contain_text("5 points is low, so wait.")
    expect(note).to_contain_text(V2_CITATION)
    references = page.locator(".references")
    expect(references).to_contain_text("Toy A. A made-up rule book. Test Data. 2020;1:1-2.")
