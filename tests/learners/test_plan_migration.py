"""Migration 0007 moves each plan's PlanItem rows into its two lists, in order, and back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

BEFORE = ("learners", "0006_topic_ability_plural")
AFTER = ("learners", "0007_plan_items_on_the_plan")


def make_plan(apps: Any, username: str, questions: list[Any], kinds: list[str]) -> Any:
    User = apps.get_model("learners", "User")
    DailyPlan = apps.get_model("learners", "DailyPlan")
    PlanItem = apps.get_model("learners", "PlanItem")
    learner = User.objects.create(username=username)
    plan = DailyPlan.objects.create(
        learner=learner,
        day=dt.date(2026, 11, 21),
        built_at=dt.datetime(2026, 11, 21, tzinfo=dt.UTC),
        goal=len(kinds),
    )
    # Written out of order, to show the lists follow positions, not row ids.
    for position, (question, kind) in reversed(list(enumerate(zip(questions, kinds, strict=True)))):
        PlanItem.objects.create(plan=plan, position=position, question=question, kind=kind)
    return plan


@pytest.mark.django_db(transaction=True)
def test_plan_items_move_into_the_plans_lists_in_plan_order_and_back(migrator: Any) -> None:
    old = migrator.apply_initial_migration(BEFORE)
    Topic = old.apps.get_model("quizbank", "Topic")
    Question = old.apps.get_model("quizbank", "Question")
    User = old.apps.get_model("learners", "User")
    author = User.objects.create(username="author")
    topic = Topic.objects.create(name="Myeloma", path="0001", depth=1)
    questions = [
        Question.objects.create(topic=topic, author=author, stem=f"Case {n}", lead_in="Next?")
        for n in range(4)
    ]
    planned = make_plan(
        old.apps, "ana", [questions[2], questions[0], questions[3]], ["review", "review", "new"]
    )
    empty = make_plan(old.apps, "ben", [], [])

    new = migrator.apply_tested_migration(AFTER)
    DailyPlan = new.apps.get_model("learners", "DailyPlan")
    moved = DailyPlan.objects.get(pk=planned.pk)
    assert moved.review_ids == [questions[2].pk, questions[0].pk]
    assert moved.new_ids == [questions[3].pk]
    assert (
        DailyPlan.objects.get(pk=empty.pk).review_ids,
        DailyPlan.objects.get(pk=empty.pk).new_ids,
    ) == ([], [])

    back = migrator.apply_tested_migration(BEFORE)
    PlanItem = back.apps.get_model("learners", "PlanItem")
    assert list(
        PlanItem.objects.filter(plan_id=planned.pk)
        .order_by("position")
        .values_list("position", "question_id", "kind")
    ) == [
        (0, questions[2].pk, "review"),
        (1, questions[0].pk, "review"),
        (2, questions[3].pk, "new"),
    ]
    migrator.reset()
