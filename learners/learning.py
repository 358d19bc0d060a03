"""What each answer teaches the platform, and the adaptive session mode built on it.

Every new response reviews the learner's FSRS card for the question (`learners.scheduling`) and
stores the review log; a first attempt also updates the learner's ability in the question's
topic and the item's difficulty (`learners.ability`). `record_answer` calls `learn_from_answer`
inside the transaction that writes the response, so a response and its review exist together
or not at all.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from random import Random

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F
from django.db.models.functions import Coalesce

from learners import ability, planning, scheduling
from learners.models import (
    ItemCalibration,
    PracticeSession,
    Response,
    ReviewCard,
    ReviewLog,
    SessionItem,
    TopicAbility,
    User,
)
from learners.selection import option_order
from quizbank.models import Option, Question, QuestionQuerySet


def card_state(card: ReviewCard) -> scheduling.CardState:
    """Return the stored card as the value the scheduling maths takes."""
    return scheduling.CardState(
        state=card.state,
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def _item_difficulty(question: Question) -> ability.Estimate:
    """The item's current difficulty: its calibration if any, else the authored prior."""
    try:
        calibration = question.calibration
    except ObjectDoesNotExist:
        return ability.Estimate(value=question.difficulty, responses=0)
    return ability.Estimate(value=calibration.difficulty, responses=calibration.responses)


def learn_from_answer(*, response: Response, question: Question) -> None:
    """Review the learner's card for the answered question; update the Elo estimates too when
    the response is a first attempt. Call once per new response, inside its transaction."""
    now = response.answered_at
    card = ReviewCard.objects.filter(
        learner_id=response.learner_id, question_id=question.pk
    ).first()
    if card is None:
        # The database id is the fsrs card_id, so the row exists before its first review.
        card = ReviewCard.objects.create(
            learner_id=response.learner_id,
            question_id=question.pk,
            state=scheduling.NEW_CARD_STATE,
            due=now,
        )
        before = None
    else:
        before = card_state(card)
    after, review = scheduling.review(
        card_id=card.pk,
        card=before,
        is_correct=response.is_correct,
        is_confident=response.is_confident,
        reviewed_at=now,
        duration=response.time_spent,
    )
    card.state, card.step = after.state, after.step
    card.stability, card.difficulty = after.stability, after.difficulty
    card.due, card.last_review = after.due, after.last_review
    card.reviews += 1
    card.lapses += int(scheduling.is_lapse(review.rating))
    card.save(
        update_fields=[
            "state",
            "step",
            "stability",
            "difficulty",
            "due",
            "last_review",
            "reviews",
            "lapses",
        ]
    )
    ReviewLog.objects.create(
        card=card,
        response=response,
        rating=review.rating,
        reviewed_at=review.reviewed_at,
        duration_ms=review.duration_ms,
        stability=after.stability or 0.0,
        difficulty=after.difficulty or 0.0,
        due=after.due,
    )
    if response.is_first_attempt:
        _update_estimates(response=response, question=question)


def _update_estimates(*, response: Response, question: Question) -> None:
    row = TopicAbility.objects.filter(
        learner_id=response.learner_id, topic_id=question.topic_id
    ).first()
    learner_estimate = (
        ability.Estimate(value=row.ability, responses=row.responses)
        if row
        else ability.Estimate(value=ability.PRIOR_ABILITY, responses=0)
    )
    new_ability, new_difficulty = ability.update(
        ability=learner_estimate,
        difficulty=_item_difficulty(question),
        is_correct=response.is_correct,
    )
    # Upserts: the first answer in a topic (or to an item) creates the row. Two students
    # answering one item at the same instant may lose one of the two small difficulty steps;
    # Elo tolerates that, and a lock on every answer would cost more than it saves.
    TopicAbility.objects.bulk_create(
        [
            TopicAbility(
                learner_id=response.learner_id,
                topic_id=question.topic_id,
                ability=new_ability.value,
                responses=new_ability.responses,
            )
        ],
        update_conflicts=True,
        unique_fields=["learner", "topic"],
        update_fields=["ability", "responses"],
    )
    ItemCalibration.objects.bulk_create(
        [
            ItemCalibration(
                question_id=question.pk,
                difficulty=new_difficulty.value,
                responses=new_difficulty.responses,
            )
        ],
        update_conflicts=True,
        unique_fields=["question"],
        update_fields=["difficulty", "responses"],
    )


# The adaptive session mode -----------------------------------------------------------------------


def current_difficulty() -> Coalesce:
    """The expression for a question's current difficulty: calibrated, else authored."""
    return Coalesce(F("calibration__difficulty"), F("difficulty"))


def choose_next_item(
    *,
    learner: User,
    pool: QuestionQuerySet,
    exclude: Collection[int],
    now: datetime,
) -> int | None:
    """Return the question an adaptive session should ask next, from the learner's estimates.

    Due reviews within the pool come first when the memory model says they are slipping; else
    the unseen question whose predicted success is nearest the target, in the weakest topic.
    """
    due_cards = (
        ReviewCard.objects.for_learner(learner)
        .due(before=now)
        .filter(question__in=pool.values("pk"))
        .exclude(question_id__in=exclude)
        .select_related("question")
    )
    reviews = [
        planning.DueReview(
            question_id=card.question_id,
            topic_id=card.question.topic_id,
            due=card.due,
            retrievability=scheduling.retrievability(card_state(card), at=now),
        )
        for card in due_cards
    ]
    seen = ReviewCard.objects.for_learner(learner).values("question")
    candidates = [
        planning.NewCandidate(question_id=pk, topic_id=topic_id, difficulty=difficulty)
        for pk, topic_id, difficulty in pool.exclude(pk__in=seen)
        .exclude(pk__in=exclude)
        .values_list("pk", "topic_id", current_difficulty())
    ]
    abilities = dict(
        TopicAbility.objects.filter(learner=learner).values_list("topic_id", "ability")
    )
    chosen = planning.next_item(reviews=reviews, candidates=candidates, abilities=abilities)
    return None if chosen is None else chosen.question_id


def extend_adaptive_session(
    *, session: PracticeSession, pool: QuestionQuerySet, now: datetime, rng: Random
) -> SessionItem | None:
    """Append the next item to an adaptive session, unless it is full or nothing is left.

    When nothing is left before the session reaches its size, the size shrinks to the items it
    has, so the session can finish.
    """
    asked = list(session.items.values_list("question_id", flat=True))
    if len(asked) >= session.item_count:
        return None
    question_id = choose_next_item(learner=session.learner, pool=pool, exclude=asked, now=now)
    if question_id is None:
        PracticeSession.objects.filter(pk=session.pk).update(item_count=len(asked))
        session.item_count = len(asked)
        return None
    question = Question.objects.only("shuffle_options").get(pk=question_id)
    option_ids = list(
        Option.objects.filter(question_id=question_id)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    item, _ = SessionItem.objects.get_or_create(
        session=session,
        position=len(asked),
        defaults={
            "question_id": question_id,
            "option_order": option_order(option_ids, shuffle=question.shuffle_options, rng=rng),
        },
    )
    return item
