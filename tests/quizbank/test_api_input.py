"""A request body with a field its endpoint does not take is a 400 naming that field, and writes
nothing: a misspelt field must not silently do something other than the client meant."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from learners.models import Note, PracticeSession, User
from quizbank import services
from quizbank.models import ProblemReport, Question, Status
from tests.quizbank.samples import sample_content

pytestmark = pytest.mark.django_db

LOG_IN = {"username": "a", "password": "b"}
QUESTION = {
    "topic_path": ["Renal"],
    "stem": "A stem.",
    "lead_in": "Which?",
    "options": [{"text": "A", "is_correct": True}, {"text": "B", "why_not": "No."}],
}


@pytest.fixture
def question(instructor: User) -> Question:
    return services.create_question(
        content=sample_content(), by=instructor, status=Status.PUBLISHED
    )


def send(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(url, body, content_type="application/json")


def test_a_student_request_with_an_unknown_field_is_refused_naming_it(
    client_for: Any, student: User, question: Question
) -> None:
    client: Client = client_for(student)
    started = send(client, "post", "/api/v1/sessions/", {"mode": "tutor", "count": 1}).json()
    item = started["items"][0]
    session_url = f"/api/v1/sessions/{started['id']}/"
    answer = {"item": item["id"], "option": item["question"]["options"][0]["id"]}

    refused = [
        send(client, "post", "/api/v1/sessions/", {"mode": "tutor", "count": 1, "bogus_field": 1}),
        send(client, "post", f"{session_url}responses/", {**answer, "bogus_field": 1}),
        send(client, "patch", session_url, {"status": "finished", "bogus_field": 1}),
        send(client, "put", f"/api/v1/notes/{question.pk}/", {"text": "x", "bogus_field": 1}),
        send(
            client,
            "post",
            "/api/v1/problem-reports/",
            {"question": question.pk, "text": "Typo.", "bogus_field": 1},
        ),
        send(Client(), "post", "/api/v1/auth/token/", {**LOG_IN, "bogus_field": 1}),
    ]  # fmt: skip

    for response in refused:
        assert response.status_code == 400, response.content
        assert list(response.json()) == ["bogus_field"]
    assert PracticeSession.objects.count() == 1
    assert PracticeSession.objects.get().finished_at is None
    assert not Note.objects.exists() and not ProblemReport.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**QUESTION, "explantion": {"key_point": "Typo'd."}}, "explantion"),
        ({**QUESTION, "options": [{"text": "A", "is_correct": True, "correct": True}]}, "options"),
        ({**QUESTION, "explanation": {"keypoint": "Typo'd."}}, "explanation"),
        ({**QUESTION, "references": [{"citation": "C", "link": "https://x.org"}]}, "references"),
    ],
)
def test_an_instructor_request_with_an_unknown_field_is_refused_naming_it(
    client_for: Any, instructor: User, body: dict[str, Any], field: str
) -> None:
    response = send(client_for(instructor), "post", "/api/v1/questions/", body)

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Question.objects.exists()


def test_a_status_change_with_an_unknown_field_changes_nothing(
    client_for: Any, instructor: User, question: Question
) -> None:
    url = f"/api/v1/questions/{question.pk}/"

    response = send(client_for(instructor), "patch", url, {"status": "retired", "reason": "x"})

    assert response.status_code == 400
    assert list(response.json()) == ["reason"]
    question.refresh_from_db()
    assert question.status == Status.PUBLISHED
