"""What an answer teaches the platform: the FSRS card and its review log, the Elo estimates, and
the adaptive session that chooses each next item from them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from random import Random

import pytest
from django.core.exceptions import ValidationError

from learners.models import (
    ItemCalibration,
    Mode,
    PracticeSession,
    ReviewCard,
    ReviewLog,
    SessionItem,
    TopicAbility,
    User,
)
from learners.practice import record_answer, start_session
from quizbank.models import Question
from tests.learners.conftest import BulkBank
from tests.learners.pages import Learner, item_url, key_of

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def answer(
    learner: User,
    question: Question,
    *,
    correct: bool,
    at: datetime = NOW,
    is_confident: bool | None = None,
) -> None:
    """Practise `question` alone in a tutor session and answer it, right or wrong, at `at`."""
    session = start_session(
        learner=learner, mode=Mode.TUTOR, count=1, question_ids=[question.pk], now=at
    )
    item = SessionItem.objects.for_answering().get(session=session)
    option = (
        question.options.get(is_correct=correct)
        if correct
        else question.options.filter(is_correct=False).first()
    )
    assert option is not None
    record_answer(item=item, option_id=option.pk, now=at, is_confident=is_confident)


def card_of(learner: User, question: Question) -> ReviewCard:
    return ReviewCard.objects.get(learner=learner, question=question)


def test_a_first_answer_creates_a_card_scheduled_by_fsrs(
    student: User, bulk_bank: BulkBank
) -> None:
    [question] = bulk_bank(1)

    answer(student, question, correct=True)

    card = card_of(student, question)
    assert card.last_review == NOW
    assert card.due > NOW + timedelta(days=1)
    assert card.reviews == 1
    [log] = ReviewLog.objects.filter(card=card)
    assert (log.rating, log.reviewed_at, log.due) == (3, NOW, card.due)  # Good


def test_a_wrong_answer_brings_the_question_back_sooner(
    student: User, second_student: User, bulk_bank: BulkBank
) -> None:
    [question] = bulk_bank(1)

    answer(student, question, correct=True)
    answer(second_student, question, correct=False)

    right, wrong = card_of(student, question), card_of(second_student, question)
    assert wrong.due < right.due
    assert wrong.lapses == 1
    assert ReviewLog.objects.get(card=wrong).rating == 1  # Again


def test_an_unsure_right_answer_is_rated_hard(student: User, bulk_bank: BulkBank) -> None:
    [question] = bulk_bank(1)

    answer(student, question, correct=True, is_confident=False)

    assert ReviewLog.objects.get(card__learner=student).rating == 2  # Hard


def test_scheduling_is_deterministic(
    student: User, second_student: User, bulk_bank: BulkBank
) -> None:
    [question] = bulk_bank(1)
    for learner in (student, second_student):
        answer(learner, question, correct=True)
        answer(learner, question, correct=True, at=card_of(learner, question).due)

    assert card_of(student, question).due == card_of(second_student, question).due


def test_each_answer_is_reviewed_once(student: User, bulk_bank: BulkBank) -> None:
    [question] = bulk_bank(1)
    session = start_session(
        learner=student, mode=Mode.TUTOR, count=1, question_ids=[question.pk], now=NOW
    )
    key = question.options.get(is_correct=True).pk
    for _ in range(3):
        item = SessionItem.objects.for_answering().get(session=session)
        record_answer(item=item, option_id=key, now=NOW)

    assert ReviewLog.objects.filter(card__learner=student).count() == 1
    assert card_of(student, question).reviews == 1


def test_first_attempts_move_ability_and_difficulty_later_ones_only_the_card(
    student: User, bulk_bank: BulkBank
) -> None:
    [question] = bulk_bank(1)

    answer(student, question, correct=True)
    ability = TopicAbility.objects.get(learner=student, topic=question.topic)
    calibration = ItemCalibration.objects.get(question=question)
    assert ability.ability > 0 and ability.responses == 1
    assert calibration.difficulty < question.difficulty and calibration.responses == 1

    answer(student, question, correct=False, at=NOW + timedelta(days=3))

    assert TopicAbility.objects.get(pk=ability.pk).ability == ability.ability
    assert ItemCalibration.objects.get(pk=calibration.pk).difficulty == calibration.difficulty
    assert card_of(student, question).reviews == 2


def test_a_wrong_first_attempt_lowers_ability_and_raises_difficulty(
    student: User, bulk_bank: BulkBank
) -> None:
    [question] = bulk_bank(1)

    answer(student, question, correct=False)

    assert TopicAbility.objects.get(learner=student).ability < 0
    assert ItemCalibration.objects.get(question=question).difficulty > question.difficulty


# The adaptive session -----------------------------------------------------------------------------


def start_adaptive(learner: User, count: int, at: datetime = NOW) -> PracticeSession:
    return start_session(learner=learner, mode=Mode.ADAPTIVE, count=count, now=at, rng=Random(3))


def answer_next(session: PracticeSession, *, correct: bool, at: datetime = NOW) -> Question:
    item = SessionItem.objects.for_answering().filter(session=session, response__isnull=True).get()
    option = item.question.options.filter(is_correct=correct).first()
    assert option is not None
    record_answer(item=item, option_id=option.pk, now=at)
    return item.question


def test_an_adaptive_session_starts_with_one_item_and_adds_one_per_answer(
    student: User, bulk_bank: BulkBank
) -> None:
    bulk_bank(5)

    session = start_adaptive(student, count=3)
    assert session.items.count() == 1

    asked = [answer_next(session, correct=True), answer_next(session, correct=False)]
    assert session.items.count() == 3
    asked.append(answer_next(session, correct=True))

    assert session.items.count() == 3  # full: no fourth item
    assert len({q.pk for q in asked}) == 3


def test_an_adaptive_session_asks_a_due_review_before_new_items(
    student: User, bulk_bank: BulkBank
) -> None:
    bank = bulk_bank(6)
    answer(student, bank[4], correct=False, at=NOW - timedelta(days=10))

    session = start_adaptive(student, count=2)

    assert session.items.get().question == bank[4]


def test_an_adaptive_session_offers_items_near_the_target_difficulty(
    student: User, bulk_bank: BulkBank
) -> None:
    bank = bulk_bank(3)
    # Ability 0 (no history): the chance of success is 0.7 at difficulty about -0.85.
    for question, difficulty in zip(bank, (2.5, -0.8, -3.0), strict=True):
        Question.objects.filter(pk=question.pk).update(difficulty=difficulty)

    session = start_adaptive(student, count=1)

    assert session.items.get().question == bank[1]


def test_an_adaptive_session_shrinks_to_what_is_left(student: User, bulk_bank: BulkBank) -> None:
    bulk_bank(2)
    session = start_adaptive(student, count=5)

    answer_next(session, correct=True)
    answer_next(session, correct=True)

    session.refresh_from_db()
    assert session.item_count == 2
    assert session.items.count() == 2


def test_an_adaptive_session_needs_a_question_to_start(student: User) -> None:
    with pytest.raises(ValidationError) as error:
        start_adaptive(student, count=5)

    assert "filter" in error.value.message_dict or "topics" in error.value.message_dict


def test_students_who_rate_confidence_can_answer_unsure_on_the_item_page(
    learner: Learner,
) -> None:
    session = learner.start()
    url = item_url(session, 1)
    right, _, _ = key_of(session, 1)
    assert "I am unsure" not in learner.get(url)

    User.objects.filter(pk=learner.user.pk).update(rates_confidence=True)
    assert "I am unsure" in learner.get(url)
    learner.client.post(url, {"option": right, "unsure": "1"})
    learner.client.post(item_url(session, 2), {"option": key_of(session, 2)[0]})

    ratings = ReviewLog.objects.filter(card__learner=learner.user).order_by("reviewed_at", "pk")
    assert list(ratings.values_list("rating", flat=True)) == [2, 3]  # Hard, then Good
