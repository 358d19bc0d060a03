"""The progress figures, hand-computed on a small history built through the practice services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from random import Random
from typing import Any

import pytest

from learners.models import Mode, PracticeSession, User
from learners.practice import finish_session, record_answer, save_note, set_mark, start_session
from learners.progress import DayProgress, TopicProgress, progress_summary
from quizbank.models import Question, Status
from quizbank.services import create_question
from tests.quizbank.samples import TOPIC, sample_content

pytestmark = pytest.mark.django_db

NOW = datetime(2024, 3, 12, 12, 0, tzinfo=UTC)
MYELOMA = " > ".join(TOPIC)
HEART_FAILURE = "Cardiology > Heart failure"


@dataclass
class Bank:
    q1: Question
    q2: Question
    q3: Question


@pytest.fixture
def bank(instructor: User) -> Bank:
    """Two questions on myeloma and one on heart failure, all published."""

    def publish(name: str, topic: list[str], lead_in: str) -> Question:
        content = sample_content(name=name, topic_path=topic, lead_in=lead_in)
        return create_question(content=content, by=instructor, status=Status.PUBLISHED)

    return Bank(
        q1=publish("q1", list(TOPIC), "Which regimen first?"),
        q2=publish("q2", list(TOPIC), "Which regimen next?"),
        q3=publish("q3", ["Cardiology", "Heart failure"], "Which drug lowers mortality?"),
    )


def session_of(
    learner: User, questions: list[Question], at: datetime, **options: Any
) -> PracticeSession:
    return start_session(
        learner=learner,
        mode=options.pop("mode", Mode.TUTOR),
        count=len(questions),
        question_ids=[question.pk for question in questions],
        now=at,
        rng=Random(5),
        **options,
    )


def answer(session: PracticeSession, question: Question, *, correct: bool, at: datetime) -> None:
    item = session.items.get(question=question)
    option = question.options.filter(is_correct=correct).order_by("position").first()
    assert option is not None
    record_answer(item=item, option_id=option.pk, now=at)


@pytest.fixture
def history(student: User, bank: Bank) -> dict[str, PracticeSession]:
    """Sunday: a finished session of three (1 right). Tuesday: q1 and q2 again, both right, q3 open.

    Totals 3 of 5; myeloma 3 of 4, heart failure 0 of 1; first attempts 1 of 3.
    """
    sunday = datetime(2024, 3, 10, 9, 0, tzinfo=UTC)
    first = session_of(student, [bank.q1, bank.q2, bank.q3], sunday)
    answer(first, bank.q1, correct=True, at=sunday + timedelta(minutes=1))
    answer(first, bank.q2, correct=False, at=sunday + timedelta(minutes=2))
    answer(first, bank.q3, correct=False, at=sunday + timedelta(minutes=3))
    finish_session(session=first, now=sunday + timedelta(minutes=5))
    tuesday = datetime(2024, 3, 12, 10, 0, tzinfo=UTC)
    second = session_of(student, [bank.q1, bank.q2, bank.q3], tuesday)
    answer(second, bank.q1, correct=True, at=tuesday + timedelta(minutes=1))
    answer(second, bank.q2, correct=True, at=tuesday + timedelta(minutes=2))
    return {"finished": first, "open": second}


def test_counts_every_answer_and_the_share_correct(student: User, history: Any) -> None:
    progress = progress_summary(learner=student, now=NOW)

    assert (progress.answered, progress.correct, progress.percent_correct) == (5, 3, 60.0)


def test_lists_topics_by_full_label_weakest_first(student: User, bank: Bank, history: Any) -> None:
    progress = progress_summary(learner=student, now=NOW)

    assert progress.topics == [
        TopicProgress(
            topic_id=bank.q3.topic_id,
            label=HEART_FAILURE,
            answered=1,
            correct=0,
            percent_correct=0.0,
        ),
        TopicProgress(
            topic_id=bank.q1.topic_id, label=MYELOMA, answered=4, correct=3, percent_correct=75.0
        ),
    ]


def test_the_trend_includes_days_without_answers(student: User, history: Any) -> None:
    progress = progress_summary(learner=student, now=NOW, days=4)

    assert progress.trend == [
        DayProgress(day=date(2024, 3, 9), answered=0, correct=0),
        DayProgress(day=date(2024, 3, 10), answered=3, correct=1),
        DayProgress(day=date(2024, 3, 11), answered=0, correct=0),
        DayProgress(day=date(2024, 3, 12), answered=2, correct=2),
    ]


def test_the_trend_covers_thirty_days_ending_today_by_default(student: User, history: Any) -> None:
    trend = progress_summary(learner=student, now=NOW).trend

    assert len(trend) == 30
    assert (trend[0].day, trend[-1].day) == (date(2024, 2, 12), date(2024, 3, 12))
    assert sum(day.answered for day in trend) == 5


def test_answers_older_than_the_trend_still_count_in_the_totals(
    student: User, history: Any
) -> None:
    progress = progress_summary(learner=student, now=NOW, days=1)

    assert progress.trend == [DayProgress(day=date(2024, 3, 12), answered=2, correct=2)]
    assert progress.answered == 5


@pytest.mark.parametrize(
    ("zone", "monday", "tuesday"),
    [
        ("UTC", (1, 1), (1, 0)),
        # 23:30 UTC on Monday and 02:30 UTC on Tuesday are both Monday evening in New York.
        ("America/New_York", (2, 1), (0, 0)),
    ],
)
def test_answers_fall_on_the_local_day_of_the_site(
    settings: Any,
    student: User,
    bank: Bank,
    zone: str,
    monday: tuple[int, int],
    tuesday: tuple[int, int],
) -> None:
    settings.TIME_ZONE = zone
    late = datetime(2024, 3, 11, 23, 0, tzinfo=UTC)
    session = session_of(student, [bank.q1, bank.q2], late)
    answer(session, bank.q1, correct=True, at=late + timedelta(minutes=30))
    answer(session, bank.q2, correct=False, at=late + timedelta(hours=3, minutes=30))

    trend = progress_summary(learner=student, now=NOW, days=2).trend

    assert [(day.day, day.answered, day.correct) for day in trend] == [
        (date(2024, 3, 11), *monday),
        (date(2024, 3, 12), *tuesday),
    ]


def test_a_learner_alone_on_their_items_has_no_percentile(student: User, history: Any) -> None:
    progress = progress_summary(learner=student, now=NOW)

    assert (progress.percentile, progress.peers) == (None, 0)


def test_ranks_against_other_students_first_attempts_on_the_same_items(
    student: User, second_student: User, bank: Bank, history: Any
) -> None:
    # The second student gets both myeloma items wrong first time (0 of 2) and right later;
    # the student's first attempts score 1 of 3, so one peer below: (1 + 1/2) / 2.
    at = datetime(2024, 3, 11, 8, 0, tzinfo=UTC)
    first = session_of(second_student, [bank.q1, bank.q2], at)
    answer(first, bank.q1, correct=False, at=at)
    answer(first, bank.q2, correct=False, at=at)
    again = session_of(second_student, [bank.q1, bank.q2], at)
    answer(again, bank.q1, correct=True, at=at)
    answer(again, bank.q2, correct=True, at=at)

    mine = progress_summary(learner=student, now=NOW)
    theirs = progress_summary(learner=second_student, now=NOW)

    assert (mine.percentile, mine.peers) == (75.0, 1)
    assert (theirs.percentile, theirs.peers) == (25.0, 1)


def test_equal_scores_share_the_middle(
    student: User, second_student: User, instructor: User, bank: Bank, history: Any
) -> None:
    # The second student scores 1 of 3 like the student; the instructor scores 1 of 1 on q1.
    at = datetime(2024, 3, 11, 8, 0, tzinfo=UTC)
    peer = session_of(second_student, [bank.q1, bank.q2, bank.q3], at)
    answer(peer, bank.q1, correct=False, at=at)
    answer(peer, bank.q2, correct=False, at=at)
    answer(peer, bank.q3, correct=True, at=at)
    better = session_of(instructor, [bank.q1], at)
    answer(better, bank.q1, correct=True, at=at)

    progress = progress_summary(learner=student, now=NOW)

    # Nobody below, two equal (the student and the peer), three in all: 100 * 1 / 3.
    assert progress.percentile == pytest.approx(100 / 3)
    assert progress.peers == 2


def test_students_on_other_items_are_not_peers(
    student: User, second_student: User, instructor: User, history: Any
) -> None:
    other = create_question(
        content=sample_content(name="elsewhere", topic_path=["Renal", "AKI"]),
        by=instructor,
        status=Status.PUBLISHED,
    )
    session = session_of(second_student, [other], NOW)
    answer(session, other, correct=True, at=NOW)

    assert progress_summary(learner=student, now=NOW).peers == 0


def test_a_new_learner_has_empty_figures(student: User, bank: Bank) -> None:
    progress = progress_summary(learner=student, now=NOW, days=3)

    assert (progress.answered, progress.correct, progress.percent_correct) == (0, 0, None)
    assert progress.topics == []
    assert [day.answered for day in progress.trend] == [0, 0, 0]
    assert (progress.percentile, progress.peers) == (None, 0)
    assert (progress.marked, progress.notes, progress.unfinished, progress.recent) == (
        [],
        [],
        [],
        [],
    )


def test_lists_marks_and_notes_newest_first_with_lead_in_and_topic(
    student: User, bank: Bank, history: Any
) -> None:
    set_mark(learner=student, question=bank.q3, is_marked=True)
    set_mark(learner=student, question=bank.q1, is_marked=True)
    save_note(learner=student, question=bank.q2, text="Check the renal dose.", now=NOW)
    save_note(learner=student, question=bank.q3, text="SGLT2.", now=NOW + timedelta(minutes=1))

    progress = progress_summary(learner=student, now=NOW)

    assert [(m.question_id, m.lead_in, m.topic, m.text) for m in progress.marked] == [
        (bank.q1.pk, "Which regimen first?", MYELOMA, ""),
        (bank.q3.pk, "Which drug lowers mortality?", HEART_FAILURE, ""),
    ]
    assert [(n.question_id, n.topic, n.text, n.at) for n in progress.notes] == [
        (bank.q3.pk, HEART_FAILURE, "SGLT2.", NOW + timedelta(minutes=1)),
        (bank.q2.pk, MYELOMA, "Check the renal dose.", NOW),
    ]


def test_sessions_are_split_into_unfinished_and_recent_with_scores(
    student: User, history: dict[str, PracticeSession]
) -> None:
    progress = progress_summary(learner=student, now=NOW)

    assert [s.pk for s in progress.unfinished] == [history["open"].pk]
    assert [s.pk for s in progress.recent] == [history["finished"].pk]
    opened, finished = progress.unfinished[0], progress.recent[0]
    assert (opened.answered_count, opened.correct_count) == (2, 2)  # type: ignore[attr-defined]
    assert (finished.answered_count, finished.correct_count) == (3, 1)  # type: ignore[attr-defined]


def test_a_timed_session_past_its_deadline_moves_to_recent(student: User, bank: Bank) -> None:
    started = NOW - timedelta(hours=1)
    timed = session_of(student, [bank.q1], started, mode=Mode.TIMED, seconds_per_item=60)

    progress = progress_summary(learner=student, now=NOW)

    assert progress.unfinished == []
    assert [s.pk for s in progress.recent] == [timed.pk]
    assert progress.recent[0].finished_at == started + timedelta(seconds=60)


def test_a_timed_session_within_its_time_stays_unfinished(student: User, bank: Bank) -> None:
    timed = session_of(student, [bank.q1], NOW, mode=Mode.TIMED, seconds_per_item=60)

    progress = progress_summary(learner=student, now=NOW + timedelta(seconds=30))

    assert [s.pk for s in progress.unfinished] == [timed.pk]


def test_recent_holds_the_last_ten_finished_sessions_newest_first(
    student: User, bank: Bank
) -> None:
    finished = []
    for hour in range(12):
        session = session_of(student, [bank.q1], NOW - timedelta(hours=24 - hour))
        finish_session(session=session, now=NOW - timedelta(hours=23 - hour))
        finished.append(session.pk)

    progress = progress_summary(learner=student, now=NOW)

    assert [s.pk for s in progress.recent] == finished[::-1][:10]


def test_another_students_history_is_not_counted(
    student: User, second_student: User, history: Any
) -> None:
    progress = progress_summary(learner=second_student, now=NOW)

    assert (progress.answered, progress.topics, progress.unfinished, progress.recent) == (
        0,
        [],
        [],
        [],
    )
