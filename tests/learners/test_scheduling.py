"""The memory model: ratings, fsrs due dates for the default FSRS-6 parameters, time zones.

The pinned numbers were computed once with fsrs 6.3.2 and checked against its formulas: a new
card's stability after its first review is the default parameter w0, w1 or w2 for Again, Hard or
Good (0.212, 1.2931, 2.3065 days), and with a desired retention of 0.9 fsrs's interval is the
stability itself rounded to whole days, at least one. A change of fsrs version or parameters
that moves a student's due dates makes these tests fail on purpose.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import fsrs
import pytest

from learners import scheduling
from learners.scheduling import CardState, Review, rating_for, retrievability, review

FIRST = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def first_review(is_correct: bool, is_confident: bool | None = None) -> CardState:
    card, _ = review(
        card_id=7,
        card=None,
        is_correct=is_correct,
        is_confident=is_confident,
        reviewed_at=FIRST,
        duration=None,
    )
    return card


@pytest.mark.parametrize(
    ("is_correct", "is_confident", "rating"),
    [
        (False, None, fsrs.Rating.Again),
        (False, True, fsrs.Rating.Again),
        (False, False, fsrs.Rating.Again),
        (True, None, fsrs.Rating.Good),
        (True, True, fsrs.Rating.Good),
        (True, False, fsrs.Rating.Hard),
    ],
)
def test_answer_earns_rating(
    is_correct: bool, is_confident: bool | None, rating: fsrs.Rating
) -> None:
    assert rating_for(is_correct=is_correct, is_confident=is_confident) == rating


@pytest.mark.parametrize(
    ("rating", "is_lapse"),
    [(fsrs.Rating.Again, True), (fsrs.Rating.Hard, False), (fsrs.Rating.Good, False)],
)
def test_only_again_is_a_lapse(rating: fsrs.Rating, is_lapse: bool) -> None:
    assert scheduling.is_lapse(int(rating)) is is_lapse


@pytest.mark.parametrize(
    ("is_correct", "is_confident", "days", "stability", "difficulty"),
    [
        # Again: stability w0 = 0.212 rounds to 0 days, raised to the minimum of one day.
        (False, None, 1, 0.212, 6.4133),
        # Hard (right but unsure): w1 = 1.2931 rounds to one day.
        (True, False, 1, 1.2931, 5.1122),
        # Good: w2 = 2.3065 rounds to two days.
        (True, None, 2, 2.3065, 2.1181),
    ],
)
def test_new_card_is_due_after_the_interval_fsrs_gives(
    is_correct: bool, is_confident: bool | None, days: int, stability: float, difficulty: float
) -> None:
    card = first_review(is_correct, is_confident)

    assert card.due == FIRST + timedelta(days=days)
    assert card.stability == pytest.approx(stability, abs=1e-4)
    assert card.difficulty == pytest.approx(difficulty, abs=1e-4)
    # No learning steps: the first review takes every card straight to the Review state.
    assert (card.state, card.step, card.last_review) == (fsrs.State.Review, None, FIRST)


@pytest.mark.parametrize(
    ("first_correct", "second_correct", "days", "stability"),
    [
        # Recalled at 2 days (retrievability 0.909): stability grows about 4.75 times.
        (True, True, 11, 10.9643),
        # Forgotten at 2 days: stability falls to 0.6076 and the card returns the next day.
        (True, False, 1, 0.6076),
        # Wrong first, right the next day: stability 1.8868, due two days later.
        (False, True, 2, 1.8868),
        (False, False, 1, 0.1009),
    ],
)
def test_second_review_on_the_due_date_is_scheduled_as_fsrs_gives(
    first_correct: bool, second_correct: bool, days: int, stability: float
) -> None:
    card = first_review(first_correct)

    after, _ = review(
        card_id=7,
        card=card,
        is_correct=second_correct,
        is_confident=None,
        reviewed_at=card.due,
        duration=None,
    )

    assert after.due == card.due + timedelta(days=days)
    assert after.stability == pytest.approx(stability, abs=1e-4)
    assert after.last_review == card.due


def test_wrong_answer_brings_a_card_back_sooner_than_a_right_one() -> None:
    card = first_review(True)
    card, _ = review(
        card_id=7,
        card=card,
        is_correct=True,
        is_confident=None,
        reviewed_at=card.due,
        duration=None,
    )
    at = card.due + timedelta(days=3)

    outcomes = {
        answer: review(
            card_id=7,
            card=card,
            is_correct=answer,
            is_confident=None,
            reviewed_at=at,
            duration=None,
        )[0]
        for answer in (True, False)
    }

    wrong, right = outcomes[False], outcomes[True]
    assert wrong.due < right.due
    assert (wrong.stability or 0.0) < (right.stability or 0.0)


def test_review_log_records_rating_moment_and_duration_in_milliseconds() -> None:
    _, log = review(
        card_id=7,
        card=None,
        is_correct=False,
        is_confident=None,
        reviewed_at=FIRST,
        duration=timedelta(seconds=42, milliseconds=345),
    )

    assert log == Review(rating=fsrs.Rating.Again, reviewed_at=FIRST, duration_ms=42_345)


def test_same_review_twice_gives_identical_due_dates() -> None:
    runs = []
    for _ in range(2):
        card = first_review(True)
        for is_correct in (True, False, True, True):
            card, log = review(
                card_id=7,
                card=card,
                is_correct=is_correct,
                is_confident=None,
                reviewed_at=card.due,
                duration=timedelta(seconds=30),
            )
        runs.append((card, log))

    assert runs[0] == runs[1]


def test_review_neither_sleeps_nor_reads_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # fsrs sleeps a millisecond and reads the clock to invent an id for a Card built without one.
    def forbidden(*args: object) -> None:
        raise AssertionError("fsrs built a card without card_id")

    monkeypatch.setattr(time, "sleep", forbidden)

    cards = [first_review(card_id % 2 == 0) for card_id in range(200)]

    assert {card.due for card in cards} == {FIRST + timedelta(days=1), FIRST + timedelta(days=2)}


def test_naive_datetimes_are_rejected() -> None:
    naive = datetime(2025, 3, 1, 8, 0)

    with pytest.raises(ValueError, match="timezone-aware"):
        review(
            card_id=7,
            card=None,
            is_correct=True,
            is_confident=None,
            reviewed_at=naive,
            duration=None,
        )
    with pytest.raises(ValueError, match="timezone-aware"):
        retrievability(first_review(True), at=naive)


@pytest.mark.parametrize(
    "reviewed_at",
    [
        datetime(2025, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Paris")),
        datetime(2025, 3, 1, 8, 0, tzinfo=ZoneInfo("UTC")),
        datetime(2025, 3, 1, 13, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    ],
)
def test_aware_datetimes_in_any_zone_are_reviewed_as_the_same_instant(
    reviewed_at: datetime,
) -> None:
    card, log = review(
        card_id=7,
        card=None,
        is_correct=True,
        is_confident=None,
        reviewed_at=reviewed_at,
        duration=None,
    )

    assert card == first_review(True)
    assert log.reviewed_at == FIRST and log.reviewed_at.tzinfo is UTC


def test_negative_duration_is_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        review(
            card_id=7,
            card=None,
            is_correct=True,
            is_confident=None,
            reviewed_at=FIRST,
            duration=timedelta(seconds=-1),
        )


def test_card_never_reviewed_has_zero_retrievability() -> None:
    new = CardState(
        state=scheduling.NEW_CARD_STATE,
        step=0,
        stability=None,
        difficulty=None,
        due=FIRST,
        last_review=None,
    )

    assert retrievability(new, at=FIRST + timedelta(days=3)) == 0


@pytest.mark.parametrize(
    ("days_after_review", "expected"),
    [(0, 1.0), (5, 0.9446), (11, 0.8998), (20, 0.8537), (60, 0.7517)],
)
def test_retrievability_falls_with_time_and_is_about_the_target_when_due(
    days_after_review: int, expected: float
) -> None:
    # Two right answers: stability 10.96 days, due 11 days after the second review.
    card = first_review(True)
    card, _ = review(
        card_id=7,
        card=card,
        is_correct=True,
        is_confident=None,
        reviewed_at=card.due,
        duration=None,
    )
    assert card.last_review is not None

    at = card.last_review + timedelta(days=days_after_review)

    assert retrievability(card, at=at) == pytest.approx(expected, abs=1e-4)
    if at == card.due:
        assert retrievability(card, at=at) == pytest.approx(scheduling.DESIRED_RETENTION, abs=0.01)


def test_retrievability_accepts_a_moment_in_another_zone() -> None:
    card = first_review(True)
    paris = (FIRST + timedelta(days=2)).astimezone(ZoneInfo("Europe/Paris"))

    assert retrievability(card, at=paris) == pytest.approx(0.9095, abs=1e-4)


@pytest.mark.parametrize("stability", [0.1, 0.5, 1.49, 3.2, 10.96, 87.0, 365.0, 2000.0])
@pytest.mark.parametrize(
    "elapsed",
    [
        timedelta(0),
        timedelta(hours=23, minutes=59),
        timedelta(days=1),
        timedelta(days=1, hours=12),
        timedelta(days=11),
        timedelta(days=400, seconds=1),
        timedelta(days=-2),  # a review dated after the moment asked about
    ],
)
def test_recall_probability_is_exactly_what_fsrs_computes(
    stability: float, elapsed: timedelta
) -> None:
    at = FIRST + timedelta(days=500)
    card = fsrs.Card(
        card_id=1,
        state=fsrs.State.Review,
        stability=stability,
        difficulty=5.0,
        due=at,
        last_review=at - elapsed,
    )
    expected = scheduling.SCHEDULER.get_card_retrievability(card, current_datetime=at)

    assert scheduling.recall_probability(stability, at - elapsed, at) == expected
    state = CardState(
        state=int(fsrs.State.Review),
        step=None,
        stability=stability,
        difficulty=5.0,
        due=at,
        last_review=at - elapsed,
    )
    assert retrievability(state, at=at) == expected


def test_recall_probability_of_a_card_never_reviewed_is_zero() -> None:
    assert scheduling.recall_probability(None, FIRST, FIRST + timedelta(days=3)) == 0
    assert scheduling.recall_probability(2.0, None, FIRST) == 0
