"""A learner's progress in figures: totals, topics, the daily trend, the percentile against other
students, marks, notes and sessions. The dashboard page and GET /api/v1/progress/ show these.

Every figure is aggregated in the database, so `progress_summary` runs the same number of
queries whether the learner has answered ten items or ten thousand.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from learners.models import Mark, Note, PracticeSession, Response, User
from learners.practice import close_expired_sessions
from quizbank.models import Topic, topic_labels

RECENT_SESSIONS = 10


@dataclass(frozen=True)
class TopicProgress:
    topic_id: int
    label: str
    answered: int
    correct: int
    percent_correct: float


@dataclass(frozen=True)
class DayProgress:
    day: datetime.date
    answered: int
    correct: int


@dataclass(frozen=True)
class QuestionNote:
    """A question the learner marked or wrote a note on (`text` is "" for a mark)."""

    question_id: int
    lead_in: str
    topic: str
    text: str
    at: datetime.datetime


@dataclass(frozen=True)
class Progress:
    answered: int
    correct: int
    percent_correct: float | None
    topics: list[TopicProgress]
    trend: list[DayProgress]
    percentile: float | None
    peers: int
    marked: list[QuestionNote]
    notes: list[QuestionNote]
    # Sessions carry `answered_count` and `correct_count` annotations.
    unfinished: list[PracticeSession]
    recent: list[PracticeSession]


def _percent(correct: int, answered: int) -> float | None:
    return 100 * correct / answered if answered else None


def topic_progress(learner: User) -> list[tuple[Topic, int, int]]:
    """Return (topic, answered, correct) for each leaf topic the learner has answered in."""
    rows = (
        Response.objects.revealed()
        .filter(learner=learner)
        .values("question__topic_id", "question__topic__path")
        .annotate(answered=Count("id"), correct=Count("id", filter=Q(is_correct=True)))
        .order_by()
    )
    return [
        (
            Topic(pk=row["question__topic_id"], path=row["question__topic__path"]),
            row["answered"],
            row["correct"],
        )
        for row in rows
    ]


def daily_trend(*, learner: User, today: datetime.date, days: int) -> list[DayProgress]:
    """Return answered and correct per local day for the `days` days ending `today`, gaps as 0."""
    return [
        DayProgress(day=day, answered=answered, correct=correct)
        for day, answered, correct in Response.objects.revealed()
        .filter(learner=learner)
        .counts_per_day(
            first=today - datetime.timedelta(days=days - 1),
            days=days,
            zone=timezone.get_current_timezone(),
        )
    ]


def percentile_rank(learner: User) -> tuple[float | None, int]:
    """Return the learner's percentile among students on the same items, and the peer count.

    Only first attempts count. Take the questions the learner has first-attempted; for every
    student (the learner included) with a first attempt at any of them, their score is the
    share of those first attempts that were correct. The percentile rank is
    100 * (students scoring below the learner + half of the students scoring the same, the
    learner included) / all those students. A learner alone scores 50; the rank is None when
    no other student shares an item with the learner.
    """
    answers = Response.objects.first_attempts().revealed()
    mine = answers.filter(learner=learner).values("question_id")
    scores = {
        student: (correct, answered)
        for student, correct, answered in answers.filter(question_id__in=mine)
        .values("learner_id")
        .annotate(correct=Count("id", filter=Q(is_correct=True)), answered=Count("id"))
        .order_by()
        .values_list("learner_id", "correct", "answered")
    }
    own = scores.pop(learner.pk, None)
    if own is None or not scores:
        return None, 0
    correct, answered = own
    # Compare the fractions crosswise, in whole numbers, so equal scores compare equal.
    below = sum(1 for c, a in scores.values() if c * answered < correct * a)
    equal = 1 + sum(1 for c, a in scores.values() if c * answered == correct * a)
    return 100 * (below + equal / 2) / (len(scores) + 1), len(scores)


def progress_summary(*, learner: User, now: datetime.datetime, days: int = 30) -> Progress:
    """Gather the learner's progress figures as of `now`, with a trend over `days` days."""
    close_expired_sessions(learner=learner, now=now)
    topics = topic_progress(learner)
    marks = list(
        Mark.objects.filter(learner=learner).values(
            "question_id",
            "question__lead_in",
            "question__topic_id",
            "question__topic__path",
            "created_at",
        )
    )
    notes = list(
        Note.objects.filter(learner=learner).values(
            "question_id",
            "question__lead_in",
            "question__topic_id",
            "question__topic__path",
            "text",
            "updated_at",
        )
    )
    labels = topic_labels(
        [topic for topic, _, _ in topics]
        + [
            Topic(pk=row["question__topic_id"], path=row["question__topic__path"])
            for row in marks + notes
        ]
    )
    percentile, peers = percentile_rank(learner)
    sessions = PracticeSession.objects.for_learner(learner).with_scores()
    answered = sum(count for _, count, _ in topics)
    correct = sum(count for _, _, count in topics)
    return Progress(
        answered=answered,
        correct=correct,
        percent_correct=_percent(correct, answered),
        topics=sorted(
            (
                TopicProgress(
                    topic_id=topic.pk,
                    label=labels[topic.pk],
                    answered=topic_answered,
                    correct=topic_correct,
                    percent_correct=100 * topic_correct / topic_answered,
                )
                for topic, topic_answered, topic_correct in topics
            ),
            key=lambda row: (row.percent_correct, -row.answered, row.label),
        ),
        trend=daily_trend(learner=learner, today=timezone.localdate(now), days=days),
        percentile=percentile,
        peers=peers,
        marked=[
            QuestionNote(
                question_id=row["question_id"],
                lead_in=row["question__lead_in"],
                topic=labels[row["question__topic_id"]],
                text="",
                at=row["created_at"],
            )
            for row in marks
        ],
        notes=[
            QuestionNote(
                question_id=row["question_id"],
                lead_in=row["question__lead_in"],
                topic=labels[row["question__topic_id"]],
                text=row["text"],
                at=row["updated_at"],
            )
            for row in notes
        ],
        unfinished=list(sessions.unfinished()),
        recent=list(
            sessions.filter(finished_at__isnull=False).order_by("-finished_at", "-id")[
                :RECENT_SESSIONS
            ]
        ),
    )
