"""Choosing what a student practises: the daily plan and the next item of an adaptive session.

Pure values in, values out: the caller loads the student's due cards (with their retrievability
from `learners.scheduling`), the unseen candidate items (with their current difficulty) and the
student's topic abilities (from `learners.ability`), and stores what comes back. The same inputs
always give the same list, so a plan built twice is the same plan.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from learners.ability import PRIOR_ABILITY, TARGET_SUCCESS, predicted_success
from learners.scheduling import DESIRED_RETENTION

REVIEW: Literal["review"] = "review"
NEW: Literal["new"] = "new"
# The adaptive session asks a due review before new material only while the memory model says
# it is slipping. fsrs rounds intervals to whole days and counts elapsed time in whole days, so
# a card it has made due today may still be predicted at up to about 0.93 (a stability of 1.49
# days scheduled at 1 day); a cut-off a little above the desired retention takes every card
# fsrs itself has made due, and skips only a card "due" by the caller's window whose memory is
# still fresh (reviewed less than a day ago, predicted at 1.0).
REVIEW_BELOW = DESIRED_RETENTION + 0.05


@dataclass(frozen=True)
class DueReview:
    """A card due for review, with its predicted recall probability now."""

    question_id: int
    topic_id: int
    due: datetime
    retrievability: float


@dataclass(frozen=True)
class NewCandidate:
    """A question the student has never answered, with its current difficulty (logit)."""

    question_id: int
    topic_id: int
    difficulty: float


@dataclass(frozen=True)
class PlannedItem:
    """One item of a plan: a question and whether it comes back as a review or is new."""

    question_id: int
    kind: str


def plan_day(
    *,
    reviews: Sequence[DueReview],
    candidates: Sequence[NewCandidate],
    abilities: Mapping[int, float],
    goal: int,
    today: date,
    exam_date: date | None,
    target: float = TARGET_SUCCESS,
) -> list[PlannedItem]:
    """Return today's plan: due reviews, most forgotten first, then new items; at most `goal`.

    New items come from the weakest topics first, one topic at a time in turn, each the item
    whose predicted success is nearest `target`. Before an exam, some slots are kept for new
    items so that a backlog of reviews cannot stop the student covering unseen material.
    """
    if goal <= 0:
        return []
    due = _most_forgotten_first(reviews)
    review_ids = {review.question_id for review in due}
    fresh = _unique(
        candidate for candidate in candidates if candidate.question_id not in review_ids
    )
    reserved = _new_slots_before_exam(len(fresh), goal, today, exam_date)
    chosen = due[: goal - reserved]
    plan = [PlannedItem(question_id=review.question_id, kind=REVIEW) for review in chosen]
    for candidate in _new_in_turn(fresh, abilities, target):
        if len(plan) >= goal:
            break
        plan.append(PlannedItem(question_id=candidate.question_id, kind=NEW))
    return plan


def next_item(
    *,
    reviews: Sequence[DueReview],
    candidates: Sequence[NewCandidate],
    abilities: Mapping[int, float],
    target: float = TARGET_SUCCESS,
) -> PlannedItem | None:
    """Return the item an adaptive session asks next: a slipping review, else the best new one.

    A due review that is not slipping yet still comes before ending the session for want of
    new material; None means nothing is left to ask.
    """
    due = _most_forgotten_first(reviews)
    if due and due[0].retrievability < REVIEW_BELOW:
        return PlannedItem(question_id=due[0].question_id, kind=REVIEW)
    review_ids = {review.question_id for review in due}
    fresh = _unique(c for c in candidates if c.question_id not in review_ids)
    best = next(_new_in_turn(fresh, abilities, target), None)
    if best is not None:
        return PlannedItem(question_id=best.question_id, kind=NEW)
    return PlannedItem(question_id=due[0].question_id, kind=REVIEW) if due else None


def _most_forgotten_first(reviews: Sequence[DueReview]) -> list[DueReview]:
    ordered = sorted(reviews, key=lambda r: (r.retrievability, r.due, r.question_id))
    seen: set[int] = set()
    unique = []
    for review in ordered:
        if review.question_id not in seen:
            seen.add(review.question_id)
            unique.append(review)
    return unique


def _unique(candidates: Iterable[NewCandidate]) -> list[NewCandidate]:
    # The first of any repeated question wins, so the outcome does not depend on set order.
    by_id: dict[int, NewCandidate] = {}
    for candidate in candidates:
        by_id.setdefault(candidate.question_id, candidate)
    return list(by_id.values())


def _new_slots_before_exam(candidates: int, goal: int, today: date, exam_date: date | None) -> int:
    # Enough new items a day to see every unseen one by the exam, but never more than half the
    # day, so that reviews of what was already learnt still get done.
    if exam_date is None or exam_date <= today or candidates == 0:
        return 0
    days_left = (exam_date - today).days
    return min(goal, math.ceil(candidates / days_left), goal // 2)


def _new_in_turn(
    candidates: Sequence[NewCandidate], abilities: Mapping[int, float], target: float
) -> Iterator[NewCandidate]:
    """Yield new items one topic at a time, weakest topic first, nearest the target first."""
    by_topic: dict[int, list[NewCandidate]] = {}
    for candidate in candidates:
        by_topic.setdefault(candidate.topic_id, []).append(candidate)
    topics = sorted(by_topic, key=lambda topic: (abilities.get(topic, PRIOR_ABILITY), topic))
    queues = [
        iter(
            sorted(
                by_topic[topic], key=_nearest_target(abilities.get(topic, PRIOR_ABILITY), target)
            )
        )
        for topic in topics
    ]
    while queues:
        still_open = []
        for queue in queues:
            item = next(queue, None)
            if item is not None:
                yield item
                still_open.append(queue)
        queues = still_open


def _nearest_target(ability: float, target: float) -> Callable[[NewCandidate], tuple[float, int]]:
    def distance(candidate: NewCandidate) -> tuple[float, int]:
        success = predicted_success(ability=ability, difficulty=candidate.difficulty)
        return (abs(success - target), candidate.question_id)

    return distance
