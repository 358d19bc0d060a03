"""Item statistics: the maths against hand-computed tables, and the periodic job against a small
bank of real questions, students and first attempts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from random import Random
from typing import Any

import pytest

from learners.models import Mode, PracticeSession, Response, SessionItem, User
from learners.practice import record_answer, start_session
from quizbank import services
from quizbank.models import ItemStatistics, Option, Question, Status
from quizbank.statistics import (
    LATE_COMMIT_MARGIN,
    MIN_ATTEMPTS_FOR_FLAGS,
    FirstAttempt,
    Score,
    discrimination,
    facility,
    item_flags,
    option_shares,
    pearson,
    recompute_item_statistics,
    rest_scores,
)
from quizbank.tasks import recompute_item_statistics_task
from tests.quizbank.samples import sample_content

# The maths -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ([True, True, True, False], 0.75),
        ([False, False], 0.0),
        ([True], 1.0),
        ([], 0.0),
    ],
)
def test_facility_is_the_share_of_correct_first_attempts(
    results: list[bool], expected: float
) -> None:
    assert facility(results) == expected


# Five students: x is the item (1 right, 0 wrong), y the share right on every other item.
#   x     y     x-0.6  y-0.52  (x-mx)(y-my)  (x-mx)^2  (y-my)^2
#   1    0.8     0.4    0.28      0.112        0.16     0.0784
#   1    0.6     0.4    0.08      0.032        0.16     0.0064
#   1    0.4     0.4   -0.12     -0.048        0.16     0.0144
#   0    0.6    -0.6    0.08     -0.048        0.36     0.0064
#   0    0.2    -0.6   -0.32      0.192        0.36     0.1024
#                      sums:      0.240        1.20     0.2080
# r = 0.24 / sqrt(1.2 * 0.208) = 0.24 / 0.49960 = 0.48038
FIVE_STUDENTS_X = [1.0, 1.0, 1.0, 0.0, 0.0]
FIVE_STUDENTS_Y = [0.8, 0.6, 0.4, 0.6, 0.2]
FIVE_STUDENTS_R = 0.48038


def test_pearson_matches_the_hand_computed_five_student_table() -> None:
    assert pearson(FIVE_STUDENTS_X, FIVE_STUDENTS_Y) == pytest.approx(FIVE_STUDENTS_R, abs=1e-5)


@pytest.mark.parametrize(
    ("xs", "ys", "expected"),
    [
        # Better students get it right: +1; only the weaker ones do: -1.
        ([1, 1, 0, 0], [0.8, 0.8, 0.3, 0.3], 1.0),
        ([1, 0, 1, 0], [0.1, 0.9, 0.1, 0.9], -1.0),
        # Right and wrong spread evenly over the rest scores: 0.
        ([1, 0, 1, 0], [0.2, 0.2, 0.8, 0.8], 0.0),
    ],
)
def test_pearson_of_tables_with_known_correlations(
    xs: list[float], ys: list[float], expected: float
) -> None:
    assert pearson(xs, ys) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("xs", "ys"),
    [
        ([1, 1, 1, 1], [0.2, 0.4, 0.6, 0.8]),  # everyone right
        ([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5]),  # everyone equally good elsewhere
        ([1], [0.5]),
        ([], []),
    ],
)
def test_pearson_is_undefined_when_a_side_does_not_vary(xs: list[float], ys: list[float]) -> None:
    assert pearson(xs, ys) is None


def attempt(learner_id: int, is_correct: bool, option_id: int | None = None) -> FirstAttempt:
    return FirstAttempt(learner_id, is_correct, option_id, seconds=40.0)


def test_the_rest_score_leaves_out_the_item_and_students_who_answered_nothing_else() -> None:
    attempts = [attempt(1, True), attempt(2, False), attempt(3, True)]
    scores = {1: Score(attempts=5, correct=4), 2: Score(attempts=3, correct=2), 3: Score(1, 1)}

    # 1: (4 - 1) / 4 others; 2: (2 - 0) / 2 others; 3 has no other item.
    assert rest_scores(attempts, scores) == [(1.0, 0.75), (0.0, 1.0)]


def test_discrimination_of_the_five_students_matches_the_table() -> None:
    # Totals that give the table's rest scores over 5 other items each.
    attempts = [attempt(n, x == 1.0) for n, x in enumerate(FIVE_STUDENTS_X)]
    scores = {
        n: Score(attempts=6, correct=round(y * 5 + x))
        for n, (x, y) in enumerate(zip(FIVE_STUDENTS_X, FIVE_STUDENTS_Y, strict=True))
    }

    assert discrimination(attempts, scores) == pytest.approx(FIVE_STUDENTS_R, abs=1e-5)


def test_discrimination_needs_five_students_with_a_rest_score() -> None:
    attempts = [attempt(n, n % 2 == 0) for n in range(4)]
    scores = {n: Score(attempts=3, correct=n % 3) for n in range(4)}

    assert discrimination(attempts, scores) is None


def test_option_shares_count_offered_options_nobody_chose_and_ignore_missing_options() -> None:
    shares = option_shares([11, 11, 12, None, 11], offered=[11, 12, 13])

    assert shares == {11: 0.75, 12: 0.25, 13: 0.0}


@pytest.mark.parametrize(
    ("attempts", "share_correct", "correlation", "expected"),
    [
        (30, 0.96, 0.40, ["too_easy"]),
        (30, 0.95, 0.40, []),
        (30, 0.19, 0.40, ["too_hard"]),
        (30, 0.20, 0.40, []),
        (30, 0.60, 0.14, ["low_discrimination"]),
        (30, 0.60, 0.15, []),
        (30, 0.60, None, []),
        (200, 0.10, -0.30, ["too_hard", "low_discrimination"]),
        # Too few answers to say anything.
        (29, 1.00, -0.50, []),
    ],
)
def test_items_are_flagged_only_with_enough_first_attempts(
    attempts: int, share_correct: float, correlation: float | None, expected: list[str]
) -> None:
    flags = item_flags(attempts=attempts, facility=share_correct, discrimination=correlation)

    assert flags == expected


# The periodic job ------------------------------------------------------------------------------

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEY, B, C, D, E = range(5)


@dataclass
class Answer:
    learner: User
    question: Question
    choice: int  # the option's position; 0 is the key of the sample questions
    seconds: int = 40
    is_first_attempt: bool = True
    at: datetime = NOW - timedelta(hours=1)
    has_version: bool = True


def answer_in_bulk(answers: Sequence[Answer]) -> None:
    """Store the answers as finished tutor sessions of one item each, in a few queries."""
    questions = {answer.question.pk for answer in answers}
    options = {
        (o.question_id, o.position): o for o in Option.objects.filter(question__in=questions)
    }
    sessions = PracticeSession.objects.bulk_create(
        PracticeSession(
            learner=a.learner, mode=Mode.TUTOR, item_count=1, created_at=a.at, finished_at=a.at
        )
        for a in answers
    )
    items = SessionItem.objects.bulk_create(
        SessionItem(session=session, position=0, question=a.question)
        for session, a in zip(sessions, answers, strict=True)
    )
    Response.objects.bulk_create(
        Response(
            item=item,
            learner=a.learner,
            question=a.question,
            version_id=a.question.current_version_id if a.has_version else None,
            option=options[a.question.pk, a.choice],
            is_correct=options[a.question.pk, a.choice].is_correct,
            is_first_attempt=a.is_first_attempt,
            time_spent=timedelta(seconds=a.seconds),
            answered_at=a.at,
        )
        for item, a in zip(items, answers, strict=True)
    )


_names = count()


def publish(author: User) -> Question:
    n = next(_names)
    return services.create_question(
        content=sample_content(name=f"stats-{n}", lead_in=f"Which regimen, case {n}?"),
        by=author,
        status=Status.PUBLISHED,
    )


def students(n: int) -> list[User]:
    start = next(_names)
    return list(
        User.objects.bulk_create(User(username=f"stats-student-{start}-{i}") for i in range(n))
    )


def build_small_bank(author: User) -> tuple[Question, list[Question]]:
    """Put the five-student table on a real question, with a sixth student who answered
    nothing else, a retry and a legacy answer that must not count; return it and the others.

    Item Q's first attempts (student: choice, seconds; rest score over O1..O5):
      A: key 30 s, 4/5 right elsewhere   B: key 40 s, 3/5   C: key 50 s, 2/5
      D: B   60 s, 3/5                   E: C   70 s, 1/5   F: key 80 s, nothing else
    Attempts 6; facility 4/6; discrimination over A..E = 0.48038 (the table above);
    shares: key 4/6, B 1/6, C 1/6, D 0, E 0; mean time (30+...+80)/6 = 55 s.
    """
    q = publish(author)
    others = [publish(author) for _ in range(5)]
    a, b, c, d, e, f, legacy = students(7)
    answers = [
        Answer(a, q, KEY, 30),
        Answer(b, q, KEY, 40),
        Answer(c, q, KEY, 50),
        Answer(d, q, B, 60),
        Answer(e, q, C, 70),
        Answer(f, q, KEY, 80),
        # A retry by D, right this time: not a first attempt.
        Answer(d, q, KEY, 5, is_first_attempt=False, at=NOW - timedelta(minutes=30)),
        # Recorded before revisions were: no revision to file it under.
        Answer(legacy, q, B, 10, has_version=False),
    ]
    for learner, right in ((a, 4), (b, 3), (c, 2), (d, 3), (e, 1)):
        answers += [Answer(learner, o, KEY if i < right else B) for i, o in enumerate(others)]
    answer_in_bulk(answers)
    return q, others


@pytest.fixture
def small_bank(instructor: User) -> dict[str, Any]:
    q, others = build_small_bank(instructor)
    return {"q": q, "others": others}


def test_statistics_of_a_revision_match_hand_computed_values(small_bank: dict[str, Any]) -> None:
    q: Question = small_bank["q"]

    recomputed = recompute_item_statistics(now=NOW)

    stats = ItemStatistics.objects.get(question=q)
    options = {o.position: str(o.pk) for o in q.options.all()}
    assert recomputed == 6
    assert stats.version_id == q.current_version_id
    assert stats.attempts == 6
    assert stats.facility == pytest.approx(4 / 6)
    assert stats.discrimination == pytest.approx(FIVE_STUDENTS_R, abs=1e-5)
    assert stats.option_shares == pytest.approx(
        {options[KEY]: 4 / 6, options[B]: 1 / 6, options[C]: 1 / 6, options[D]: 0, options[E]: 0}
    )
    assert stats.mean_seconds == pytest.approx(55)
    assert stats.flags == []
    assert stats.computed_at == NOW


def test_a_later_revision_gets_statistics_of_its_own(
    small_bank: dict[str, Any], reviewer: User
) -> None:
    q: Question = small_bank["q"]
    recompute_item_statistics(now=NOW)
    first_revision = q.current_version_id
    content = services.question_content(q)
    content.lead_in = "Which regimen is now most appropriate?"
    services.update_question(question=q, content=content, by=reviewer)
    (newcomer,) = students(1)
    answer_in_bulk([Answer(newcomer, q, B, 20, at=NOW + timedelta(minutes=5))])

    recomputed = recompute_item_statistics(now=NOW + timedelta(minutes=10))

    old, new = ItemStatistics.objects.filter(question=q).order_by("version_id")
    assert recomputed == 1
    assert (old.version_id, old.attempts, old.computed_at) == (first_revision, 6, NOW)
    assert new.version_id == q.current_version_id != first_revision
    assert (new.attempts, new.facility, new.mean_seconds) == (1, 0.0, 20.0)


def test_only_revisions_with_new_first_attempts_are_recomputed(
    small_bank: dict[str, Any],
) -> None:
    q: Question = small_bank["q"]
    recompute_item_statistics(now=NOW)
    quiet = recompute_item_statistics(now=NOW + timedelta(minutes=10))
    (newcomer,) = students(1)
    answer_in_bulk(
        [
            Answer(newcomer, q, KEY, 20, at=NOW + timedelta(minutes=12)),
            # Not a first attempt: it changes nothing.
            Answer(
                newcomer,
                small_bank["others"][0],
                B,
                is_first_attempt=False,
                at=NOW + timedelta(minutes=12),
            ),
        ]
    )

    recomputed = recompute_item_statistics(now=NOW + timedelta(minutes=20))

    stats = ItemStatistics.objects.get(question=q)
    assert quiet == 0
    assert recomputed == 1
    assert stats.attempts == 7
    assert stats.facility == pytest.approx(5 / 7)
    assert stats.computed_at == NOW + timedelta(minutes=20)
    assert set(
        ItemStatistics.objects.exclude(question=q).values_list("computed_at", flat=True)
    ) == {NOW}


def test_an_answer_committed_after_a_run_that_began_later_still_counts(
    small_bank: dict[str, Any],
) -> None:
    q: Question = small_bank["q"]
    recompute_item_statistics(now=NOW)
    (late,) = students(1)
    # Stamped a minute before the run, committed after it had read the responses.
    answer_in_bulk([Answer(late, q, KEY, at=NOW - LATE_COMMIT_MARGIN / 2)])

    recomputed = recompute_item_statistics(now=NOW + timedelta(minutes=10))

    assert recomputed == 1
    assert ItemStatistics.objects.get(question=q).attempts == 7


def test_running_the_job_again_writes_the_same_rows(small_bank: dict[str, Any]) -> None:
    fields = ["version", "attempts", "facility", "discrimination", "option_shares", "flags"]
    recompute_item_statistics(now=NOW)
    first = list(ItemStatistics.objects.order_by("version").values(*fields))
    # As if another run had crashed before storing: everything is due again.
    ItemStatistics.objects.update(computed_at=NOW - timedelta(days=1))

    recomputed = recompute_item_statistics(now=NOW)

    assert recomputed == 6
    assert list(ItemStatistics.objects.order_by("version").values(*fields)) == first


@pytest.mark.parametrize("answered", [MIN_ATTEMPTS_FOR_FLAGS - 1, MIN_ATTEMPTS_FOR_FLAGS])
def test_an_item_everyone_gets_right_is_flagged_too_easy_from_thirty_answers(
    instructor: User, answered: int
) -> None:
    q, other = publish(instructor), publish(instructor)
    learners = students(answered)
    answer_in_bulk(
        [Answer(learner, q, KEY) for learner in learners]
        + [Answer(learner, other, KEY if n % 2 else B) for n, learner in enumerate(learners)]
    )

    recompute_item_statistics(now=NOW)

    stats = ItemStatistics.objects.get(question=q)
    assert stats.facility == 1.0
    assert stats.discrimination is None
    assert stats.flags == (["too_easy"] if answered >= MIN_ATTEMPTS_FOR_FLAGS else [])


def test_a_hard_item_that_strong_students_miss_is_flagged_twice(instructor: User) -> None:
    q, other = publish(instructor), publish(instructor)
    learners = students(40)
    # Only the 6 students who miss the other item get q right: facility 0.15, r negative.
    answer_in_bulk(
        [Answer(learner, q, KEY if n < 6 else D) for n, learner in enumerate(learners)]
        + [Answer(learner, other, B if n < 10 else KEY) for n, learner in enumerate(learners)]
    )

    recompute_item_statistics(now=NOW)

    stats = ItemStatistics.objects.get(question=q)
    assert stats.facility == pytest.approx(0.15)
    assert stats.discrimination is not None and stats.discrimination < 0
    assert stats.flags == ["too_hard", "low_discrimination"]


def build_bank(instructor: User, *, questions: int, learners: int) -> None:
    bank = [publish(instructor) for _ in range(questions)]
    people = students(learners)
    answer_in_bulk(
        [
            Answer(learner, q, (n + i) % 5, seconds=10 + n)
            for n, learner in enumerate(people)
            for i, q in enumerate(bank)
        ]
    )


@pytest.mark.parametrize(("questions", "learners"), [(2, 3), (12, 25)])
def test_the_job_runs_four_queries_whatever_the_number_of_revisions_and_answers(
    instructor: User, django_assert_num_queries: Any, questions: int, learners: int
) -> None:
    build_bank(instructor, questions=questions, learners=learners)

    with django_assert_num_queries(4):
        recomputed = recompute_item_statistics(now=NOW)

    assert recomputed == questions


def test_a_run_without_new_first_attempts_is_one_query(
    instructor: User, django_assert_num_queries: Any
) -> None:
    build_bank(instructor, questions=3, learners=4)
    recompute_item_statistics(now=NOW)

    with django_assert_num_queries(1):
        recomputed = recompute_item_statistics(now=NOW + timedelta(minutes=10))

    assert recomputed == 0


def test_answers_recorded_in_practice_reach_the_statistics(instructor: User, student: User) -> None:
    q = publish(instructor)
    session = start_session(
        learner=student, mode=Mode.TUTOR, count=1, question_ids=[q.pk], now=NOW, rng=Random(1)
    )
    item = SessionItem.objects.for_answering().get(session=session)
    wrong = q.options.get(position=B)
    record_answer(item=item, option_id=wrong.pk, now=NOW + timedelta(seconds=45))

    recomputed = recompute_item_statistics_task()

    stats = ItemStatistics.objects.get(question=q)
    assert recomputed == 1
    assert stats.version_id == q.current_version_id
    assert (stats.attempts, stats.facility, stats.mean_seconds) == (1, 0.0, 45.0)
    assert stats.option_shares[str(wrong.pk)] == 1.0
