"""Session building and answer recording in learners.practice (the web and the API share them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from random import Random

import pytest
from django.core.exceptions import ValidationError

from learners.models import Mark, Mode, Pool, PracticeSession, Response, SessionItem, User
from learners.practice import (
    PracticeError,
    find_topics,
    finish_session,
    option_shares,
    practice_pool,
    record_answer,
    set_mark,
    start_session,
)
from quizbank.models import Question, Status, Topic
from quizbank.services import create_question, update_question
from tests.quizbank.samples import sample_content

NOW = datetime.fromisoformat("2026-11-21T09:00:00+00:00")
pytestmark = pytest.mark.usefixtures("starter_bank")


def start(learner: User, **choices: object) -> PracticeSession:
    options: dict[str, object] = {"mode": Mode.TUTOR, "count": 10, "now": NOW, "rng": Random(7)}
    options.update(choices)
    return start_session(learner=learner, **options)  # type: ignore[arg-type]


def answer(item: SessionItem, *, correct: bool, at: datetime = NOW) -> Response:
    options = item.question.options.all()
    option = next(o for o in options if o.is_correct == correct)
    return record_answer(item=item, option_id=option.pk, now=at).response


def test_draws_only_published_questions(student: User, instructor: User) -> None:
    create_question(content=sample_content(name="a-draft"), by=instructor)
    session = start(student, count=100)
    statuses = {item.question.status for item in session.items.select_related("question")}
    assert statuses == {Status.PUBLISHED}
    assert session.item_count == Question.objects.published().count()


def test_rejects_a_count_outside_one_to_a_hundred(student: User) -> None:
    for count in (0, 101):
        with pytest.raises(ValidationError) as error:
            start(student, count=count)
        assert "count" in error.value.message_dict


def test_names_the_unknown_topic(student: User) -> None:
    with pytest.raises(ValidationError) as error:
        find_topics([999_999])
    assert "999999" in error.value.message_dict["topics"][0]


def test_a_parent_topic_takes_in_everything_below_it(student: User) -> None:
    root = Topic.objects.get_root_nodes().first()
    assert root is not None
    below = Question.objects.published().in_topic(root).count()
    assert practice_pool(learner=student, topics=[root], pool=Pool.ALL, now=NOW).count() == below


def test_shuffles_options_per_session_and_keeps_the_order_within_it(student: User) -> None:
    session = start(student, count=20)
    item = session.items.select_related("question").first()
    assert item is not None
    authored = list(item.question.options.values_list("pk", flat=True))
    assert sorted(item.option_order) == sorted(authored)
    orders = {tuple(i.option_order) for i in session.items.all()}
    authored_orders = {
        tuple(q.options.values_list("pk", flat=True))
        for q in Question.objects.filter(pk__in=session.items.values("question"))
    }
    assert orders != authored_orders
    item.refresh_from_db()
    assert [option.pk for option in item.shown_options()] == item.option_order


def test_keeps_the_authored_order_when_the_question_forbids_shuffling(
    student: User, instructor: User
) -> None:
    fixed = create_question(
        content=sample_content(name="fixed", shuffle_options=False),
        by=instructor,
        status=Status.PUBLISHED,
    )
    session = start(student, count=1, question_ids=[fixed.pk])
    item = session.items.get()
    assert item.option_order == list(fixed.options.values_list("pk", flat=True))


def test_records_an_answer_once_with_revision_correctness_and_time(student: User) -> None:
    session = start(student)
    item = session.items.select_related("session", "question").first()
    assert item is not None
    response = answer(item, correct=True, at=NOW + timedelta(seconds=75))
    assert response.is_correct and response.is_first_attempt
    assert response.time_spent == timedelta(seconds=75)
    assert response.version is not None
    assert response.version.object_id == str(item.question_id)
    again = record_answer(item=item, option_id=response.option_id or 0, now=NOW)
    assert not again.is_new and again.response.pk == response.pk
    assert Response.objects.count() == 1


def test_refuses_a_different_option_for_an_answered_item(student: User) -> None:
    item = start(student).items.select_related("session", "question").first()
    assert item is not None
    answer(item, correct=False)
    with pytest.raises(PracticeError) as error:
        answer(item, correct=True)
    assert error.value.code == "already_answered"
    assert Response.objects.get().is_correct is False


def test_rejects_an_option_of_another_question(student: User) -> None:
    first, second = start(student).items.select_related("session", "question")[:2]
    foreign = second.question.options.first()
    assert foreign is not None
    with pytest.raises(ValidationError) as error:
        record_answer(item=first, option_id=foreign.pk, now=NOW)
    assert "option" in error.value.message_dict


def test_only_the_first_answer_to_a_question_is_its_first_attempt(student: User) -> None:
    item = start(student, count=1).items.select_related("session", "question").get()
    answer(item, correct=False)
    again = start(student, count=1, question_ids=[item.question_id]).items.select_related(
        "session", "question"
    )
    later = answer(again.get(), correct=True)
    assert later.is_first_attempt is False


def test_accepts_timed_answers_within_the_grace_and_refuses_them_after(student: User) -> None:
    session = start(student, mode=Mode.TIMED, count=2, seconds_per_item=60)
    assert session.deadline == NOW + timedelta(seconds=120)
    first, second = session.items.select_related("session", "question")
    answer(first, correct=True, at=NOW + timedelta(seconds=145))
    with pytest.raises(PracticeError) as error:
        answer(second, correct=True, at=NOW + timedelta(seconds=151))
    assert error.value.code == "deadline_passed"
    session.refresh_from_db()
    assert session.finished_at == session.deadline


def test_timed_sessions_hide_answers_until_the_time_and_grace_are_over(student: User) -> None:
    session = start(student, mode=Mode.TIMED, count=1, seconds_per_item=60)
    assert not session.reveals_answers(NOW + timedelta(seconds=85))
    assert session.reveals_answers(NOW + timedelta(seconds=91))
    assert start(student, count=1).reveals_answers(NOW)


def test_refuses_answers_once_the_session_is_finished(student: User) -> None:
    session = start(student, count=2)
    finish_session(session=session, now=NOW)
    finish_session(session=session, now=NOW + timedelta(hours=1))
    session.refresh_from_db()
    assert session.finished_at == NOW
    item = session.items.select_related("session", "question").first()
    assert item is not None
    with pytest.raises(PracticeError) as error:
        answer(item, correct=True)
    assert error.value.code == "session_finished"


def test_pools_of_unused_incorrect_and_marked_questions(student: User) -> None:
    items = list(start(student, count=3).items.select_related("session", "question"))
    answer(items[0], correct=True)
    answer(items[1], correct=False)
    set_mark(learner=student, question=items[2].question, is_marked=True)
    published = Question.objects.published().count()

    def pool(name: str) -> set[int]:
        return set(
            practice_pool(learner=student, topics=(), pool=name, now=NOW).values_list(
                "pk", flat=True
            )
        )

    assert len(pool(Pool.UNUSED)) == published - 2
    assert pool(Pool.INCORRECT) == {items[1].question_id}
    assert pool(Pool.MARKED) == {items[2].question_id}
    # A later right answer takes the question out of the incorrect pool.
    retry = start(student, count=1, question_ids=[items[1].question_id])
    answer(retry.items.select_related("session", "question").get(), correct=True)
    assert pool(Pool.INCORRECT) == set()
    set_mark(learner=student, question=items[2].question, is_marked=False)
    assert not Mark.objects.exists()


def test_explains_why_nothing_matches(student: User) -> None:
    with pytest.raises(ValidationError) as error:
        start(student, pool=Pool.MARKED)
    assert error.value.message_dict["filter"] == ["You have not marked any questions."]


def test_option_shares_count_first_attempts_of_all_students(
    student: User, second_student: User
) -> None:
    item = start(student, count=1).items.select_related("session", "question").get()
    other = start(second_student, count=1, question_ids=[item.question_id])
    answer(item, correct=True)
    answer(other.items.select_related("session", "question").get(), correct=False)
    option_ids = list(item.question.options.values_list("pk", flat=True))
    shares = option_shares(item.question_id, option_ids)
    assert sum(shares.values()) == pytest.approx(1.0)
    correct = next(o.pk for o in item.question.options.all() if o.is_correct)
    assert shares[correct] == pytest.approx(0.5)


def test_an_edit_after_building_keeps_the_session_usable(student: User, admin_user: User) -> None:
    question = create_question(
        content=sample_content(name="edited"), by=admin_user, status=Status.PUBLISHED
    )
    item = start(student, count=1, question_ids=[question.pk]).items.get()
    content = sample_content(name="edited", lead_in="Which regimen now?")
    update_question(question=question, content=content, by=admin_user)
    # The edit replaced the options (no ids kept): the session shows the current ones.
    shown = item.shown_options()
    assert [o.text for o in shown] and len(shown) == 5
    assert set(o.pk for o in shown) == set(question.options.values_list("pk", flat=True))


def test_a_running_timed_session_does_not_fill_the_incorrect_pool(student: User) -> None:
    session = start(student, mode=Mode.TIMED, count=1)
    item = session.items.select_related("session", "question").get()
    answer(item, correct=False)
    # Until the exam is over, the pool must not tell the student the answer was wrong.
    assert not practice_pool(learner=student, topics=(), pool=Pool.INCORRECT, now=NOW).exists()
    finish_session(session=session, now=NOW + timedelta(minutes=1))
    incorrect = practice_pool(learner=student, topics=(), pool=Pool.INCORRECT, now=NOW)
    assert list(incorrect.values_list("pk", flat=True)) == [item.question_id]


# No key of a running timed session reachable elsewhere ------------------------------------------


def test_a_running_timed_sessions_questions_are_left_out_of_new_sessions(student: User) -> None:
    timed = start(student, mode=Mode.TIMED, count=5)
    held = [item.question_id for item in timed.items.all()]

    with pytest.raises(ValidationError) as refused:
        start(student, question_ids=held)
    tutor = start(student, count=100, now=NOW + timedelta(minutes=1))
    adaptive = start(student, mode=Mode.ADAPTIVE, count=100, now=NOW + timedelta(minutes=1))

    assert "timed session still running" in refused.value.message_dict["questions"][0]
    assert not {item.question_id for item in tutor.items.all()} & set(held)
    assert adaptive.items.get().question_id not in held
    finish_session(session=timed, now=NOW + timedelta(minutes=2))
    again = start(student, question_ids=held, now=NOW + timedelta(minutes=3))
    assert sorted(item.question_id for item in again.items.all()) == sorted(held)


def test_a_timed_sessions_questions_return_to_the_pool_once_its_time_is_up(student: User) -> None:
    timed = start(student, mode=Mode.TIMED, count=5, seconds_per_item=60)
    held = [item.question_id for item in timed.items.all()]
    after_grace = NOW + timedelta(minutes=5, seconds=31)

    again = start(student, question_ids=held, now=after_grace)

    assert sorted(item.question_id for item in again.items.all()) == sorted(held)


def test_a_timed_session_leaves_out_questions_waiting_in_open_sessions(student: User) -> None:
    tutor = start(student, count=5)
    items = list(tutor.items.all())
    for item in items[:2]:
        answer(item, correct=False)
    waiting = {item.question_id for item in items[2:]}

    timed = start(student, mode=Mode.TIMED, count=100)

    drawn = {item.question_id for item in timed.items.all()}
    assert not drawn & waiting
    assert {item.question_id for item in items[:2]} <= drawn
    finish_session(session=timed, now=NOW)
    finish_session(session=tutor, now=NOW)
    drawn_later = start(student, mode=Mode.TIMED, count=100).items.values_list("question_id")
    assert waiting <= {question_id for (question_id,) in drawn_later}
