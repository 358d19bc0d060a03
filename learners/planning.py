"""Choosing what a student practises: the daily plan and the next item of an adaptive session.

Pure values in, values out: the caller loads the student's due cards (with their retrievability
from `learners.scheduling`), the unseen candidate items (with their current difficulty) and the
student's topic abilities (from `learners.ability`), and stores what comes back. The same inputs
always give the same list, so a plan built twice is the same plan.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from itertools import chain, islice
from operator import attrgetter, itemgetter
from typing import Literal, NamedTuple

from learners.ability import PRIOR_ABILITY, TARGET_SUCCESS, difficulty_for, predicted_success
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


# The values planning works on are named tuples rather than frozen dataclasses: a nightly chunk
# makes tens of thousands of them, and a frozen dataclass costs three times as much to build.
class DueReview(NamedTuple):
    """A card due for review, with its predicted recall probability now."""

    question_id: int
    topic_id: int
    due: datetime
    retrievability: float


class NewCandidate(NamedTuple):
    """A question the student has never answered, with its current difficulty (logit)."""

    question_id: int
    topic_id: int
    difficulty: float


class PlannedItem(NamedTuple):
    """One item of a plan: a question and whether it comes back as a review or is new."""

    question_id: int
    kind: str


class DayPlan(NamedTuple):
    """A day's plan: the questions to review, most forgotten first, then the new ones, in order."""

    reviews: list[int]
    new: list[int]

    @property
    def question_ids(self) -> list[int]:
        """Return the planned questions in plan order, as `DailyPlan.question_ids` does."""
        return [*self.reviews, *self.new]


def plan_day(
    *,
    reviews: Sequence[DueReview],
    candidates: Sequence[NewCandidate] | CandidatePool,
    abilities: Mapping[int, float],
    goal: int,
    today: date,
    exam_date: date | None,
    target: float = TARGET_SUCCESS,
    seen: Collection[int] = (),
) -> DayPlan:
    """Return today's plan: due reviews, most forgotten first, then new items; at most `goal`.

    New items come from the weakest topics first, one topic at a time in turn, each the item
    whose predicted success is nearest `target`. Before an exam, some slots are kept for new
    items so that a backlog of reviews cannot stop the student covering unseen material.
    `candidates` may be a `CandidatePool` shared by many students, with each student's `seen`
    questions left out; a plain sequence holds only the student's unseen items.
    """
    if goal <= 0:
        return DayPlan([], [])
    pool = candidates if isinstance(candidates, CandidatePool) else CandidatePool(candidates)
    due, review_ids = _most_forgotten_first(reviews)
    excluded = review_ids.union(seen)
    reserved = _new_slots_before_exam(pool, excluded, goal, today, exam_date)
    planned_reviews = list(map(_QUESTION_ID, due[: goal - reserved]))
    room = goal - len(planned_reviews)
    new = _new_in_turn(pool, abilities, target, excluded)
    return DayPlan(planned_reviews, list(map(_QUESTION_ID, islice(new, room))))


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
    due, review_ids = _most_forgotten_first(reviews)
    if due and due[0].retrievability < REVIEW_BELOW:
        return PlannedItem(question_id=due[0].question_id, kind=REVIEW)
    best = next(_new_in_turn(CandidatePool(candidates), abilities, target, review_ids), None)
    if best is not None:
        return PlannedItem(question_id=best.question_id, kind=NEW)
    return PlannedItem(question_id=due[0].question_id, kind=REVIEW) if due else None


# The ability of an (ability, topic) pair.
_ABILITY = itemgetter(0)
_QUESTION_ID = attrgetter("question_id")
_DIFFICULTY = attrgetter("difficulty")
# Most forgotten first: (retrievability, due, question_id), read by index without a Python call.
_FORGOTTEN_ORDER = itemgetter(
    DueReview._fields.index("retrievability"),
    DueReview._fields.index("due"),
    DueReview._fields.index("question_id"),
)


def _most_forgotten_first(reviews: Sequence[DueReview]) -> tuple[list[DueReview], set[int]]:
    """Return the reviews most forgotten first, one per question, and their question ids."""
    ordered = sorted(reviews, key=_FORGOTTEN_ORDER)
    ids = set(map(_QUESTION_ID, ordered))
    if len(ids) == len(ordered):
        return ordered, ids
    # A question listed twice (a caller's mistake) keeps its most forgotten entry.
    seen: set[int] = set()
    unique = []
    for review in ordered:
        if review.question_id not in seen:
            seen.add(review.question_id)
            unique.append(review)
    return unique, ids


def _new_slots_before_exam(
    pool: CandidatePool, excluded: Collection[int], goal: int, today: date, exam_date: date | None
) -> int:
    # Enough new items a day to see every unseen one by the exam, but never more than half the
    # day, so that reviews of what was already learnt still get done.
    if exam_date is None or exam_date <= today:
        return 0
    unseen = len(pool) - pool.count_of(excluded)
    if unseen == 0:
        return 0
    days_left = (exam_date - today).days
    return min(goal, math.ceil(unseen / days_left), goal // 2)


def _new_in_turn(
    pool: CandidatePool, abilities: Mapping[int, float], target: float, excluded: Collection[int]
) -> Iterator[NewCandidate]:
    """Yield new items one topic at a time, weakest topic first, nearest the target first."""
    # A topic's walk starts only when the plan reaches it: most plans need a few topics.
    walks = []
    for ability, topic in pool.weakest_first(abilities):
        walk = pool.nearest(topic, ability, target, excluded)
        item = next(walk, None)
        if item is not None:
            yield item
            walks.append(walk)
    while walks:
        still_open = []
        for walk in walks:
            item = next(walk, None)
            if item is not None:
                yield item
                still_open.append(walk)
        walks = still_open


class CandidatePool:
    """New-item candidates indexed by topic and difficulty, to share between many students.

    A nightly chunk plans hundreds of students over the same bank: sorting each topic once and
    walking outward from each student's target difficulty touches only the items a plan takes
    (and the ones it skips as seen), instead of scoring the whole bank per student. Predicted
    success falls as difficulty rises, so walking down from the target on one side and up on
    the other, always taking the nearer of the two, yields items in order of distance from the
    target (ties by question id), exactly as sorting by that distance would. The walks from the
    prior ability, which every student without an estimate for a topic takes, are shared.
    """

    def __init__(self, candidates: Iterable[NewCandidate]) -> None:
        # The first of any repeated question wins, so the outcome does not depend on set order.
        unique: dict[int, NewCandidate] = {}
        for candidate in candidates:
            unique.setdefault(candidate.question_id, candidate)
        self._ids = frozenset(unique)
        by_topic: dict[int, list[NewCandidate]] = {}
        for candidate in unique.values():
            by_topic.setdefault(candidate.topic_id, []).append(candidate)
        # Per topic: ascending (difficulty, id) for the harder side, descending difficulty with
        # ascending id for the easier side, and the difficulties to bisect. Each side is sorted
        # by id, then by difficulty alone: Python's sort is stable, in reverse too, so equal
        # difficulties keep id order (and a key read in C is cheaper than a tuple per item).
        by_id = {topic: sorted(items, key=_QUESTION_ID) for topic, items in by_topic.items()}
        self._rising = {topic: sorted(items, key=_DIFFICULTY) for topic, items in by_id.items()}
        self._falling = {
            topic: sorted(items, key=_DIFFICULTY, reverse=True) for topic, items in by_id.items()
        }
        self._rising_keys = {
            topic: list(map(_DIFFICULTY, items)) for topic, items in self._rising.items()
        }
        self._falling_keys = {
            topic: [-difficulty for difficulty in map(_DIFFICULTY, items)]
            for topic, items in self._falling.items()
        }
        self._topics = sorted(by_topic)
        # Each topic's order from the prior ability, as far as any student has walked it.
        self._from_prior: dict[tuple[int, float], _Order] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def weakest_first(self, abilities: Mapping[int, float]) -> Iterator[tuple[float, int]]:
        """Yield (ability, topic) for the pool's topics, lowest ability first, ties by topic.

        Topics without an estimate are at the prior ability; they are merged in lazily, in
        topic order, so that a plan that needs three topics does not rank all of them.
        """
        known = sorted(
            (ability, topic) for topic, ability in abilities.items() if topic in self._rising
        )
        rest = ((PRIOR_ABILITY, topic) for topic in self._topics if topic not in abilities)
        # Estimates below the prior, then the topics at it, then the estimates above it. Only
        # an estimate exactly at the prior needs merging with the rest.
        low = bisect_left(known, PRIOR_ABILITY, key=_ABILITY)
        high = bisect_right(known, PRIOR_ABILITY, key=_ABILITY)
        at_prior = heapq.merge(known[low:high], rest) if high > low else rest
        return chain(known[:low], at_prior, known[high:])

    def count_of(self, question_ids: Collection[int]) -> int:
        """Count how many of these questions are in the pool."""
        return len(self._ids.intersection(question_ids))

    def nearest(
        self, topic: int, ability: float, target: float, excluded: Collection[int]
    ) -> Iterator[NewCandidate]:
        """Yield the topic's items nearest `target` success first, skipping `excluded` ones."""
        if ability != PRIOR_ABILITY:
            return self._walk(topic, ability, target, excluded)
        # Every student without an estimate for the topic walks it from the prior: the order
        # is found once per pool and each student skips their own seen questions in it.
        order = self._from_prior.get((topic, target))
        if order is None:
            order = _Order(self._walk(topic, ability, target, ()))
            self._from_prior[topic, target] = order
        return order.without(excluded)

    def _walk(
        self, topic: int, ability: float, target: float, excluded: Collection[int]
    ) -> Iterator[NewCandidate]:
        pivot = difficulty_for(ability=ability, target=target)
        rising, falling = self._rising[topic], self._falling[topic]
        # Harder side: difficulty >= pivot; easier side: difficulty < pivot. Each side is walked
        # by index, skipping excluded items, and the nearer of the two heads goes first. Plain
        # loops rather than nested generators: this runs for every topic a plan draws from.
        up = bisect_left(self._rising_keys[topic], pivot)
        down = bisect_right(self._falling_keys[topic], -pivot)
        up_end, down_end = len(rising), len(falling)
        while True:
            while up < up_end and rising[up].question_id in excluded:
                up += 1
            while down < down_end and falling[down].question_id in excluded:
                down += 1
            if up < up_end and down < down_end:
                # Both sides have a head: the one whose predicted success is nearer the target,
                # the lower question id on a tie. Written out, not through a helper: this runs
                # for every topic a plan draws from.
                harder, easier = rising[up], falling[down]
                harder_gap = abs(
                    predicted_success(ability=ability, difficulty=harder.difficulty) - target
                )
                easier_gap = abs(
                    predicted_success(ability=ability, difficulty=easier.difficulty) - target
                )
                take_harder = (harder_gap, harder.question_id) <= (easier_gap, easier.question_id)
            elif up < up_end or down < down_end:
                take_harder = up < up_end
            else:
                return
            if take_harder:
                yield rising[up]
                up += 1
            else:
                yield falling[down]
                down += 1


class _Order:
    """A topic's items in order of distance from one target, found only as far as asked for.

    Leaving some items out of the two sorted sides of a walk and then merging them gives the
    same order as merging them and then leaving the items out, so students who walk a topic
    from the same ability can share one order and each skip their own seen questions.
    """

    __slots__ = ("_items", "_rest")

    def __init__(self, items: Iterator[NewCandidate]) -> None:
        self._items: list[NewCandidate] = []
        self._rest = items

    def without(self, excluded: Collection[int]) -> Iterator[NewCandidate]:
        """Yield the items in order, skipping `excluded` questions."""
        items = self._items
        position = 0
        while True:
            if position == len(items):
                item = next(self._rest, None)
                if item is None:
                    return
                items.append(item)
            item = items[position]
            position += 1
            if item.question_id not in excluded:
                yield item
