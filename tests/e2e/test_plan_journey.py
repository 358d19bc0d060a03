"""Journey in Chromium: a student with history sees today's plan on the dashboard, with the
reviews due first, starts it in one click and works through it; and an adaptive session."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from learners.models import (
    DailyPlan,
    Mode,
    PracticeSession,
    ReviewCard,
    SessionItem,
    User,
)
from learners.practice import record_answer, start_session
from learners.roles import Role
from quizbank.models import Question
from quizbank.starter import load_starter_bank
from tests.conftest import make_user
from tests.e2e.test_practice_journey import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def learner_with_history() -> User:
    """A student who answered three starter questions a week ago, one of them wrongly."""
    report = load_starter_bank(by=make_user("ada-admin", Role.ADMIN))
    assert report.errors == []
    student = make_user("sam-student", Role.STUDENT)
    student.daily_goal = 5
    student.save(update_fields=["daily_goal"])
    week_ago = timezone.now() - timedelta(days=7)
    questions = list(Question.objects.published().order_by("pk")[:3])
    session = start_session(
        learner=student,
        mode=Mode.TUTOR,
        count=3,
        question_ids=[q.pk for q in questions],
        keep_order=True,
        now=week_ago,
    )
    for item in SessionItem.objects.for_answering().filter(session=session):
        option = item.question.options.filter(is_correct=item.position != 0).first()
        assert option is not None
        record_answer(item=item, option_id=option.pk, now=week_ago)
    return student


def test_a_student_sees_todays_plan_and_starts_it(page: Page, learner_with_history: User) -> None:
    due = ReviewCard.objects.filter(learner=learner_with_history, due__lt=timezone.now()).count()
    assert due >= 1

    log_in(page, learner_with_history.username)

    plan = page.get_by_role("region", name="Today's plan")
    expect(plan.get_by_test_id("plan-count")).to_have_text("5 items")
    expect(plan).to_contain_text(f"{due} review{'s' if due > 1 else ''} due, {5 - due} new")
    expect(page.get_by_role("region", name="Forecast")).to_contain_text("Predicted retention")

    plan.get_by_role("button", name="Start today's plan").click()

    expect(page).to_have_url(re.compile(r"/practice/sessions/\d+/items/1/$"))
    session = DailyPlan.objects.get(learner=learner_with_history).session
    assert session is not None
    planned = DailyPlan.objects.get(learner=learner_with_history)
    assert planned.review_ids, "the learner with history has reviews due"
    assert session.items.get(position=0).question_id == planned.review_ids[0]

    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_role("heading", name=re.compile("^(Correct|Incorrect)$"))).to_be_visible()

    page.goto("/practice/")
    plan = page.get_by_role("region", name="Today's plan")
    expect(plan).to_contain_text("1 done")
    plan.get_by_role("button", name="Continue today's plan").click()
    expect(page).to_have_url(re.compile(rf"/practice/sessions/{session.pk}/items/2/$"))


def test_an_adaptive_session_chooses_each_next_item(page: Page, learner_with_history: User) -> None:
    log_in(page, learner_with_history.username)
    page.get_by_role("link", name="Start a session").click()
    page.get_by_role("radio", name=re.compile("^Adaptive")).check()
    page.get_by_label("Number of items").fill("2")
    page.get_by_role("button", name="Start").click()

    expect(page).to_have_url(re.compile(r"/practice/sessions/\d+/items/1/$"))
    session = PracticeSession.objects.get(mode=Mode.ADAPTIVE)
    assert session.items.count() == 1

    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_role("heading", name=re.compile("^(Correct|Incorrect)$"))).to_be_visible()
    assert session.items.count() == 2

    page.locator("#item-region").get_by_role("link", name="Next item").click()
    expect(page).to_have_url(re.compile(rf"/practice/sessions/{session.pk}/items/2/$"))
