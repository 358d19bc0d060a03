"""Answers submitted at the same moment are recorded exactly once, on every database."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from learners.models import Mode, PracticeSession, Response, User
from learners.practice import start_session
from quizbank.models import Option, Question
from tests.learners.conftest import BulkBank
from tests.servers import database_on_file

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
T = TypeVar("T")


@pytest.fixture(autouse=True)
def file_database(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    """On SQLite, run the test on a file, as the platform does, not in shared memory."""
    with database_on_file(tmp_path / "db.sqlite3"):
        yield


def at_once(calls: list[Callable[[], T]]) -> list[T]:
    """Run the calls in threads released together by a barrier; each closes its connection."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T:
        try:
            barrier.wait(timeout=30)
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def submit(user_id: int, session: PracticeSession, option: int) -> Callable[[], tuple[int, Any]]:
    """Post the answer `option` (an option id) to the session's only item, named as it names it."""
    item = session.items.get()
    token = item.option_token(option)

    def call() -> tuple[int, Any]:
        client = APIClient()
        client.force_authenticate(User.objects.get(pk=user_id))
        response = client.post(
            f"/api/v1/sessions/{session.pk}/responses/",
            {"item": item.pk, "option": token},
            format="json",
        )
        return response.status_code, response.json()

    return call


def session_of(learner: User, question: Question) -> PracticeSession:
    return start_session(
        learner=learner, mode=Mode.TUTOR, count=1, question_ids=[question.pk], now=timezone.now()
    )


def key_of(question: Question) -> int:
    return Option.objects.get(question=question, is_correct=True).pk


def test_identical_answers_sent_at_once_are_recorded_once(
    student: User, bulk_bank: BulkBank
) -> None:
    question = bulk_bank(1)[0]
    session = session_of(student, question)

    results = at_once([submit(student.pk, session, key_of(question))] * THREADS)

    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * (THREADS - 1) + [201]
    assert all(body == results[0][1] for _, body in results)
    assert results[0][1]["correct"] is True
    assert Response.objects.count() == 1


def test_different_answers_sent_at_once_keep_the_first(student: User, bulk_bank: BulkBank) -> None:
    question = bulk_bank(1)[0]
    session = session_of(student, question)
    options = list(Option.objects.filter(question=question).values_list("pk", flat=True))

    results = at_once([submit(student.pk, session, option) for option in options * 2])

    # Each option is sent twice: the twin of the kept answer gets the stored result.
    assert sorted(status for status, _ in results) == [200, 201] + [409] * (len(results) - 2)
    assert all(body["code"] == "already_answered" for status, body in results if status == 409)
    assert Response.objects.count() == 1


def test_one_question_answered_at_once_in_two_sessions_has_one_first_attempt(
    student: User, bulk_bank: BulkBank
) -> None:
    question = bulk_bank(1)[0]
    sessions = [session_of(student, question) for _ in range(2)]

    results = at_once([submit(student.pk, session, key_of(question)) for session in sessions])

    assert [status for status, _ in results] == [201, 201]
    first_attempts = Response.objects.filter(question=question).values_list(
        "is_first_attempt", flat=True
    )
    assert sorted(first_attempts) == [False, True]
