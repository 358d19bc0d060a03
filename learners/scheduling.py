"""The memory model: one FSRS-6 card per student and question, scheduled by the `fsrs` package.

Pure values in, values out: no ORM, no clock. The caller stores `CardState` on the student's
`ReviewCard` and `Review` as its `ReviewLog`. FSRS predicts the probability of recalling an item
(its retrievability) from the card's stability and the time since its last review, and schedules
the next review for when that probability falls to `DESIRED_RETENTION`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import fsrs

DESIRED_RETENTION = 0.9
# The state a card row holds before its first review (fsrs starts every card in Learning).
NEW_CARD_STATE = int(fsrs.State.Learning)

# No learning or relearning steps: with steps, fsrs would bring a card back minutes after a wrong
# answer, and an MCQ re-asked minutes after its explanation measures short-term memory of that
# explanation, not learning; the daily plan works in days anyway. Every review therefore lands a
# card in the Review state with an interval of whole days (at least one).
# No fuzz: fsrs fuzzes with an unseeded `random()`, and a re-run must give the same due dates so
# that plans built twice (a retried Celery job) are identical.
SCHEDULER = fsrs.Scheduler(
    learning_steps=(),
    relearning_steps=(),
    enable_fuzzing=False,
    desired_retention=DESIRED_RETENTION,
)


@dataclass(frozen=True)
class CardState:
    """The schedule of one card: the fields of an fsrs Card without its id."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None


@dataclass(frozen=True)
class Review:
    """One review of a card, as the review log stores it."""

    rating: int
    reviewed_at: datetime
    duration_ms: int | None


def rating_for(*, is_correct: bool, is_confident: bool | None) -> fsrs.Rating:
    """Return the fsrs rating an answer earns: wrong Again, right Good, right but unsure Hard."""
    if not is_correct:
        return fsrs.Rating.Again
    # None means the student was not asked to rate confidence: a right answer counts as Good.
    if is_confident is False:
        return fsrs.Rating.Hard
    return fsrs.Rating.Good


def is_lapse(rating: int) -> bool:
    """Return whether a review with this rating is a lapse (the student forgot the item)."""
    return rating == fsrs.Rating.Again


def review(
    *,
    card_id: int,
    card: CardState | None,
    is_correct: bool,
    is_confident: bool | None,
    reviewed_at: datetime,
    duration: timedelta | None,
) -> tuple[CardState, Review]:
    """Review a card (None for a new one) with an answer; return its new state and the log entry."""
    at = _utc(reviewed_at)
    if duration is not None and duration < timedelta(0):
        raise ValueError("duration must not be negative")
    rating = rating_for(is_correct=is_correct, is_confident=is_confident)
    before = fsrs.Card(card_id=card_id, due=at) if card is None else _fsrs_card(card_id, card)
    after, log = SCHEDULER.review_card(
        before,
        rating,
        review_datetime=at,
        review_duration=None if duration is None else round(duration / timedelta(milliseconds=1)),
    )
    return _card_state(after), Review(
        rating=int(log.rating), reviewed_at=log.review_datetime, duration_ms=log.review_duration
    )


# FSRS-6's forgetting curve, R = (1 + FACTOR * t / S) ** DECAY, with SCHEDULER's constants,
# computed as fsrs computes them. The nightly plans evaluate it for hundreds of thousands of
# cards over plain numbers, without building an fsrs.Card for each; a test holds it to fsrs's own
# `get_card_retrievability`.
_DECAY: float = -SCHEDULER.parameters[20]
_FACTOR: float = 0.9 ** (1 / _DECAY) - 1


def recall_probability(
    stability: float | None, last_review: datetime | None, at: datetime
) -> float:
    """Return the predicted probability of recall at `at` of a card last reviewed at `last_review`.

    None for either card value means the card was never reviewed, and its probability is 0, as
    in fsrs. fsrs counts the time since the review in whole days, rounded down, and a review
    dated after `at` as none. The two moments are compared as given: both aware, or both naive
    in the same terms. Positional, with nothing converted: the nightly plans read it for every
    due card.
    """
    if stability is None or last_review is None:
        return 0.0
    elapsed = (at - last_review).days
    # A positive base: the power is a real number (typeshed types float ** float as Any).
    recall: float = (1 + _FACTOR * (elapsed if elapsed > 0 else 0) / stability) ** _DECAY
    return recall


def retrievability(card: CardState, *, at: datetime) -> float:
    """Return the predicted probability of recalling the card at `at` (0 if never reviewed)."""
    at = _utc(at)
    if card.last_review is None:
        return 0.0
    return recall_probability(card.stability, _utc(card.last_review), at)


def _utc(moment: datetime) -> datetime:
    # fsrs accepts only `datetime.UTC` (timezone.utc) itself as tzinfo, not an equal zone such as
    # ZoneInfo("UTC"), so every aware datetime is converted; a naive one has no meaning here.
    if moment.tzinfo is UTC:
        return moment
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return moment.astimezone(UTC)


def _fsrs_card(card_id: int, card: CardState) -> fsrs.Card:
    # Always with an explicit id: without one fsrs sleeps a millisecond to make a unique id.
    return fsrs.Card(
        card_id=card_id,
        state=fsrs.State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=_utc(card.due),
        last_review=None if card.last_review is None else _utc(card.last_review),
    )


def _card_state(card: fsrs.Card) -> CardState:
    return CardState(
        state=int(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )
