"""Daily plans: due reviews first, the goal respected, built once per student and local day."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from learners.models import DailyPlan, Mode, ReviewCard, TopicAbility, User
from learners.plans import (
    build_plans,
    forecast,
    plan_view,
    start_plan_session,
    students_starting_a_day,
    students_without_plan,
)
from learners.roles import Role
from quizbank.models import Question, Status
from tests.conftest import make_user
from tests.learners.conftest import BulkBank

# 10:00 UTC on a Monday: mid-morning in London, evening in Tokyo, early morning in New York.
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def card(learner: User, question: Question, *, due: datetime, stability: float = 3.0) -> ReviewCard:
    """A reviewed card (fsrs Review state) last seen `stability` days before it falls due."""
    return ReviewCard.objects.create(
        learner=learner,
        question=question,
        state=2,
        stability=stability,
        difficulty=5.0,
        due=due,
        last_review=due - timedelta(days=stability),
        reviews=1,
    )


def planned(learner: User) -> list[tuple[int, str]]:
    return DailyPlan.objects.get(learner=learner).planned()


def students(n: int, prefix: str = "student") -> list[User]:
    return [make_user(f"{prefix}-{i}", Role.STUDENT) for i in range(n)]


def test_due_reviews_come_first_then_new_items_up_to_the_goal(
    student: User, bulk_bank: BulkBank
) -> None:
    bank = bulk_bank(10)
    student.daily_goal = 5
    student.save(update_fields=["daily_goal"])
    # Due today, the longest overdue (least remembered) first; one due next week is not planned.
    card(student, bank[0], due=NOW - timedelta(hours=2))
    card(student, bank[1], due=NOW - timedelta(days=6))
    card(student, bank[2], due=NOW + timedelta(hours=5))
    card(student, bank[3], due=NOW + timedelta(days=7))

    assert build_plans(learner_ids=[student.pk], now=NOW) == 1

    items = planned(student)
    assert [kind for _, kind in items] == ["review"] * 3 + ["new"] * 2
    assert [pk for pk, _ in items[:3]] == [bank[1].pk, bank[0].pk, bank[2].pk]
    seen = {bank[0].pk, bank[1].pk, bank[2].pk, bank[3].pk}
    assert not {pk for pk, _ in items[3:]} & seen


def test_the_plan_never_exceeds_the_daily_goal(student: User, bulk_bank: BulkBank) -> None:
    bank = bulk_bank(30)
    student.daily_goal = 8
    student.save(update_fields=["daily_goal"])
    for index, question in enumerate(bank[:20]):
        card(student, question, due=NOW - timedelta(days=index))

    build_plans(learner_ids=[student.pk], now=NOW)

    items = planned(student)
    assert len(items) == 8
    assert {kind for _, kind in items} == {"review"}
    assert DailyPlan.objects.get(learner=student).goal == 8


def test_an_exam_date_keeps_room_for_new_items_despite_a_backlog(
    student: User, bulk_bank: BulkBank
) -> None:
    bank = bulk_bank(40)
    student.daily_goal = 10
    student.exam_date = date(2026, 3, 12)
    student.save(update_fields=["daily_goal", "exam_date"])
    for question in bank[:20]:
        card(student, question, due=NOW - timedelta(days=1))

    build_plans(learner_ids=[student.pk], now=NOW)

    kinds = [kind for _, kind in planned(student)]
    assert len(kinds) == 10
    assert kinds[0] == "review"
    assert kinds.count("new") >= 2  # 20 unseen items, 10 days to go: at least 2 a day


def test_new_items_come_from_the_weakest_topic_first(student: User, bulk_bank: BulkBank) -> None:
    strong, weak = bulk_bank(3), bulk_bank(4)
    TopicAbility.objects.create(learner=student, topic=strong[0].topic, ability=2.0, responses=9)
    TopicAbility.objects.create(learner=student, topic=weak[0].topic, ability=-1.5, responses=9)
    student.daily_goal = 1
    student.save(update_fields=["daily_goal"])

    build_plans(learner_ids=[student.pk], now=NOW)

    [(question_id, kind)] = planned(student)
    assert kind == "new"
    assert Question.objects.get(pk=question_id).topic == weak[0].topic


def test_the_plan_is_for_the_students_own_day(bulk_bank: BulkBank) -> None:
    bulk_bank(5)
    tokyo, new_york = students(2)
    tokyo.time_zone = ZoneInfo("Asia/Tokyo")
    tokyo.save(update_fields=["time_zone"])
    new_york.time_zone = ZoneInfo("America/New_York")
    new_york.save(update_fields=["time_zone"])
    late = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)

    build_plans(learner_ids=[tokyo.pk, new_york.pk], now=late)

    assert DailyPlan.objects.get(learner=tokyo).day == date(2026, 3, 3)
    assert DailyPlan.objects.get(learner=new_york).day == date(2026, 3, 2)


def test_building_again_changes_nothing(student: User, bulk_bank: BulkBank) -> None:
    bank = bulk_bank(12)
    card(student, bank[0], due=NOW - timedelta(days=1))
    build_plans(learner_ids=[student.pk], now=NOW)
    first = list(DailyPlan.objects.values_list("pk", "built_at", "review_ids", "new_ids"))

    assert build_plans(learner_ids=[student.pk], now=NOW + timedelta(hours=3)) == 0

    again = list(DailyPlan.objects.values_list("pk", "built_at", "review_ids", "new_ids"))
    assert again == first
    assert DailyPlan.objects.count() == 1


def test_a_plan_row_keeps_its_day_goal_items_and_build_moment_exactly(
    student: User, bulk_bank: BulkBank
) -> None:
    # The plans go in as one statement of plain values on either database (a JSON document on
    # PostgreSQL): nothing may be rounded or shifted on the way, microseconds and zone included.
    bank = bulk_bank(4)
    card(student, bank[0], due=NOW - timedelta(days=1))
    moment = datetime(2026, 3, 2, 19, 0, 0, 123456, tzinfo=ZoneInfo("Asia/Tokyo"))

    build_plans(learner_ids=[student.pk], now=moment)

    plan = DailyPlan.objects.get(learner=student)
    assert plan.built_at == moment
    assert (plan.day, plan.goal) == (date(2026, 3, 2), student.daily_goal)
    assert plan.review_ids == [bank[0].pk]
    assert sorted(plan.new_ids) == sorted(question.pk for question in bank[1:])


def test_a_plan_that_appeared_meanwhile_is_kept_and_the_rest_are_built(
    student: User, second_student: User, bulk_bank: BulkBank
) -> None:
    # As when the dashboard builds a student's plan on demand while the nightly chunk holding
    # that student is being planned: the chunk's write skips it rather than failing or
    # replacing it.
    bank = bulk_bank(6)
    on_demand = DailyPlan.objects.create(
        learner=student, day=date(2026, 3, 2), built_at=NOW, goal=1, new_ids=[bank[5].pk]
    )

    created = build_plans(learner_ids=[student.pk, second_student.pk], now=NOW + timedelta(hours=1))

    assert created == 1
    assert list(DailyPlan.objects.filter(learner=student).values_list("pk", "new_ids")) == [
        (on_demand.pk, [bank[5].pk])
    ]
    assert len(DailyPlan.objects.get(learner=second_student).new_ids) == 6


def test_a_plan_depends_on_the_day_not_the_hour_it_is_built(
    student: User, second_student: User, bulk_bank: BulkBank
) -> None:
    bank = bulk_bank(12)
    for learner in (student, second_student):
        card(learner, bank[0], due=NOW - timedelta(days=2), stability=4.0)
        card(learner, bank[1], due=NOW - timedelta(hours=1), stability=1.0)

    build_plans(learner_ids=[student.pk], now=NOW)
    build_plans(learner_ids=[second_student.pk], now=NOW + timedelta(hours=9))

    assert planned(student) == planned(second_student)


def test_retired_questions_are_not_planned(student: User, bulk_bank: BulkBank) -> None:
    bank = bulk_bank(3)
    card(student, bank[0], due=NOW - timedelta(days=1))
    Question.objects.filter(pk__in=[bank[0].pk, bank[1].pk]).update(status=Status.RETIRED)

    build_plans(learner_ids=[student.pk], now=NOW)

    assert planned(student) == [(bank[2].pk, "new")]


def test_a_chunk_costs_the_same_queries_whatever_it_holds(
    bulk_bank: BulkBank, django_assert_num_queries: Any
) -> None:
    bank = bulk_bank(60)
    light, heavy = students(5, "light"), students(5, "heavy")
    for learner in heavy:
        for index, question in enumerate(bank[:50]):
            card(learner, question, due=NOW + timedelta(days=index - 5))
    for group in (light, heavy):
        for learner in group:
            learner.daily_goal = 10
            learner.save(update_fields=["daily_goal"])

    # Learners with their seen questions, due cards, abilities, candidates; the plans; and the
    # savepoint around it all.
    for group in (light, heavy):
        with django_assert_num_queries(7):
            assert build_plans(learner_ids=[u.pk for u in group], now=NOW) == 5
    plans = DailyPlan.objects.filter(learner__in=heavy)
    assert [len(plan.question_ids) for plan in plans] == [10] * 5
    # Five cards overdue and one due now: six reviews, then four new items.
    assert {len(plan.review_ids) for plan in plans} == {6}


def test_a_chunks_reads_are_the_same_statements_for_one_student_or_many(
    bulk_bank: BulkBank,
) -> None:
    # The students' ids go as one parameter (an array, or a JSON text on SQLite), not a
    # placeholder each, so a chunk's reads are the same statements whatever its size: neither
    # the driver nor the server parses and plans them id by id.
    bulk_bank(3)

    def reads(group: list[User]) -> list[tuple[str, int]]:
        statements: list[tuple[str, int]] = []

        def record(execute: Callable[..., Any], sql: str, params: Any, *args: Any) -> Any:
            statements.append((sql, len(params or ())))
            return execute(sql, params, *args)

        with connection.execute_wrapper(record):
            build_plans(learner_ids=[learner.pk for learner in group], now=NOW)
        return [(sql, count) for sql, count in statements if sql.startswith("SELECT")]

    one, many = reads(students(1, "one")), reads(students(5, "many"))
    assert len(one) == 4
    assert one == many


def test_only_the_insert_runs_in_the_chunks_transaction(student: User, bulk_bank: BulkBank) -> None:
    # On SQLite the chunk's transaction holds the write lock from its first statement, so the
    # reads and the planning come before it: answers wait for the write alone. (In a test the
    # transaction is a savepoint.)
    bulk_bank(3)

    with CaptureQueriesContext(connection) as queries:
        build_plans(learner_ids=[student.pk], now=NOW)

    # Django logs an executemany (SQLite's insert) as "N times: SQL".
    sql = [re.sub(r"^\d+ times: ", "", query["sql"]) for query in queries.captured_queries]
    assert [text.split(None, 1)[0].upper() for text in sql] == ["SELECT"] * 4 + [
        "SAVEPOINT",
        "INSERT",
        "RELEASE",
    ]


def test_the_sweep_lists_active_students_still_without_todays_plan(bulk_bank: BulkBank) -> None:
    bulk_bank(3)
    planned_one, missed, gone = students(3)
    User.objects.filter(pk=gone.pk).update(is_active=False)
    build_plans(learner_ids=[planned_one.pk], now=NOW)
    # A plan for yesterday does not count as today's.
    DailyPlan.objects.create(learner=missed, day=date(2026, 3, 1), built_at=NOW, goal=20)

    assert students_without_plan(now=NOW) == [missed.pk]


def test_long_inactive_students_get_no_plans(bulk_bank: BulkBank) -> None:
    recent, dormant = students(2)
    User.objects.filter(pk=dormant.pk).update(
        date_joined=NOW - timedelta(days=90), last_login=NOW - timedelta(days=60)
    )

    assert students_without_plan(now=NOW) == [recent.pk]


def test_the_nightly_run_picks_the_students_whose_day_just_began() -> None:
    london, tokyo, new_york = students(3)
    for learner, zone in ((tokyo, "Asia/Tokyo"), (new_york, "America/New_York")):
        learner.time_zone = ZoneInfo(zone)
        learner.save(update_fields=["time_zone"])

    # 15:05 UTC is 00:05 in Tokyo; 05:05 UTC is 00:05 in New York (EST).
    assert students_starting_a_day(now=datetime(2026, 3, 2, 15, 5, tzinfo=UTC)) == [tokyo.pk]
    assert students_starting_a_day(now=datetime(2026, 3, 2, 5, 5, tzinfo=UTC)) == [new_york.pk]
    assert students_starting_a_day(now=datetime(2026, 3, 2, 0, 5, tzinfo=UTC)) == [london.pk]


def test_a_missing_plan_is_built_on_demand(student: User, bulk_bank: BulkBank) -> None:
    bulk_bank(4)

    view = plan_view(learner=student, now=NOW)

    assert (view.reviews, view.new, view.done) == (0, 4, 0)
    assert DailyPlan.objects.filter(learner=student).count() == 1


def test_starting_the_plan_practises_it_in_order_and_resumes(
    student: User, bulk_bank: BulkBank
) -> None:
    bank = bulk_bank(6)
    student.daily_goal = 4
    student.save(update_fields=["daily_goal"])
    card(student, bank[5], due=NOW - timedelta(days=1))
    view = plan_view(learner=student, now=NOW)

    session = start_plan_session(learner=student, now=NOW)

    assert session is not None
    assert session.mode == Mode.TUTOR
    assert list(session.items.values_list("question_id", flat=True)) == view.remaining
    assert view.remaining[0] == bank[5].pk
    assert start_plan_session(learner=student, now=NOW + timedelta(minutes=5)) == session


def test_the_forecast_counts_coming_reviews_and_predicts_retention(
    student: User, bulk_bank: BulkBank
) -> None:
    bank = bulk_bank(4)
    card(student, bank[0], due=NOW + timedelta(days=2))
    card(student, bank[1], due=NOW + timedelta(days=10))
    card(student, bank[2], due=NOW + timedelta(days=40))

    result = forecast(learner=student, now=NOW)

    assert (result.due_7_days, result.due_30_days) == (1, 2)
    [topic] = result.topics
    assert topic.cards == 3
    assert 0.9 < topic.retention < 1.0


def test_the_dashboard_shows_todays_plan_and_starts_it(
    student: User, bulk_bank: BulkBank, client_for: Callable[[User], Client]
) -> None:
    bank = bulk_bank(3)
    client = client_for(student)

    page = client.get("/practice/").content.decode()

    assert "Today's plan" in page
    assert "3 items" in page
    response = client.post("/practice/plan/start/")
    session = DailyPlan.objects.get(learner=student).session
    assert session is not None
    assert response["Location"] == f"/practice/sessions/{session.pk}/"
    assert set(session.items.values_list("question_id", flat=True)) == {q.pk for q in bank}
