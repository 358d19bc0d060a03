"""Shared data for the learners tests: a signed-in learner with a small bank, a question carrying a
marker in every part that gives its key away, and bulk data for the pinned query counts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from itertools import cycle, islice

import pytest
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.utils import timezone

from learners.models import Mode, PracticeSession, Response, ReviewCard, SessionItem, User
from quizbank import services
from quizbank.content import EXPLANATION_FIELDS, OptionContent, ReferenceContent
from quizbank.models import Option, Question, Status, Topic
from quizbank.services import ensure_topic
from tests.learners.pages import Learner
from tests.quizbank.samples import sample_content

# Planted in every part of a question that gives its key away; no body may show it too early.
MARKER = "SECRET-KEY-MARKER"

BulkBank = Callable[[int], list[Question]]
BulkHistory = Callable[[User, Sequence[Question], int], None]


def refresh_planner_statistics(*models: type[Model]) -> None:
    """ANALYZE the tables a fixture filled in bulk, on PostgreSQL, as autovacuum would.

    Without it the planner may plan with the statistics an earlier test left (autovacuum, after
    rolled-back rows, can record the tables as empty) and pick plans that are quadratic on the
    thousands of rows these fixtures add. ANALYZE inside the test's transaction sees them.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"ANALYZE {table}")


@pytest.fixture
def bulk_bank(instructor: User) -> BulkBank:
    """Return a function that adds n published single-best-answer questions of 4 options."""

    def build(n: int) -> list[Question]:
        topic = ensure_topic(["Bulk", f"Bank of {n}"])
        questions = Question.objects.bulk_create(
            Question(
                topic=topic,
                stem=f"Vignette {i}.",
                lead_in=f"Bulk question {i}?",
                key_point="The key point.",
                why_correct="Why the key is right.",
                status=Status.PUBLISHED,
                author=instructor,
                published_at=timezone.now(),
            )
            for i in range(n)
        )
        Option.objects.bulk_create(
            Option(
                question=question,
                position=position,
                text=f"Option {position}",
                is_correct=position == 0,
                why_not="" if position == 0 else "Why not this one.",
            )
            for question in questions
            for position in range(4)
        )
        refresh_planner_statistics(Topic, Question, Option)
        return questions

    return build


@pytest.fixture
def bulk_history() -> BulkHistory:
    """Return a function that gives a learner n answered items over the questions, in bulk.

    The answers sit in finished tutor sessions of up to 100 items, spread over the last days;
    each question's first answer is the first attempt and every third answer is wrong. Each
    answered question gets a review card, some of them due.
    """

    def build(learner: User, questions: Sequence[Question], n: int) -> None:
        options: dict[int, list[int]] = {}
        for question_id, option_id in Option.objects.filter(question__in=questions).values_list(
            "question_id", "pk"
        ):
            options.setdefault(question_id, []).append(option_id)
        picked = list(islice(cycle(questions), n))
        now = timezone.now()
        # Sessions end at local noon on the days before today, so no session's answers
        # straddle a midnight, whatever the time the test runs.
        noon = timezone.localtime(now).replace(hour=12, minute=0, second=0, microsecond=0)
        chunks = [picked[start : start + 100] for start in range(0, n, 100)]
        sessions = PracticeSession.objects.bulk_create(
            PracticeSession(
                learner=learner,
                mode=Mode.TUTOR,
                item_count=len(chunk),
                created_at=noon - timedelta(days=len(chunks) - index, minutes=30),
                finished_at=noon - timedelta(days=len(chunks) - index),
            )
            for index, chunk in enumerate(chunks)
        )
        items = SessionItem.objects.bulk_create(
            SessionItem(
                session=session,
                position=position,
                question=question,
                option_order=sorted(options[question.pk]),
            )
            for session, chunk in zip(sessions, chunks, strict=True)
            for position, question in enumerate(chunk)
        )
        seen: set[int] = set(
            Response.objects.filter(learner=learner).values_list("question_id", flat=True)
        )
        responses = []
        for index, item in enumerate(items):
            is_correct = index % 3 != 2
            chosen = sorted(options[item.question_id])[0 if is_correct else 1]
            responses.append(
                Response(
                    item=item,
                    learner=learner,
                    question_id=item.question_id,
                    option_id=chosen,
                    is_correct=is_correct,
                    is_first_attempt=item.question_id not in seen,
                    time_spent=timedelta(seconds=40),
                    answered_at=item.session.created_at + timedelta(seconds=40 * item.position),
                )
            )
            seen.add(item.question_id)
        Response.objects.bulk_create(responses, batch_size=2000)
        # Each answered question has its spaced-repetition card, as the answers would leave it.
        ReviewCard.objects.bulk_create(
            (
                ReviewCard(
                    learner=learner,
                    question_id=question_id,
                    state=2,
                    stability=3.0,
                    difficulty=5.0,
                    due=now + timedelta(days=question_id % 10 - 3),
                    last_review=now - timedelta(days=1),
                    reviews=1,
                )
                for question_id in seen
            ),
            batch_size=2000,
            ignore_conflicts=True,
        )
        refresh_planner_statistics(PracticeSession, SessionItem, Response, ReviewCard)

    return build


@pytest.fixture
def learner(student: User, instructor: User, client_for: Callable[[User], Client]) -> Learner:
    bank = [
        services.create_question(
            content=sample_content(
                topic_path=["Nephrology", "Practice pages"],
                name=f"question-{n}",
                lead_in=f"Which regimen, case {n}?",
            ),
            by=instructor,
            status=Status.PUBLISHED,
        )
        for n in range(3)
    ]
    return Learner(user=student, client=client_for(student), bank=bank)


@pytest.fixture
def secret_question(instructor: User) -> Question:
    """A published question whose every explanation, why-not and reference carries MARKER."""
    content = sample_content(
        name="secret",
        lead_in="Which regimen is most appropriate for the secret case?",
        options=[
            OptionContent("Lenalidomide plus dexamethasone", is_correct=True),
            OptionContent("Pomalidomide plus dexamethasone", why_not=f"{MARKER} pomalidomide"),
            OptionContent("Bortezomib plus dexamethasone", why_not=f"{MARKER} bortezomib"),
            OptionContent("Carfilzomib plus dexamethasone", why_not=f"{MARKER} carfilzomib"),
        ],
        explanation={field: f"{MARKER} {field}" for field in EXPLANATION_FIELDS},
        references=[
            ReferenceContent(f"{MARKER} citation", url="https://example.org/secret-key-marker")
        ],
    )
    return services.create_question(content=content, by=instructor, status=Status.PUBLISHED)
