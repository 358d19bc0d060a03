"""An id no row can have is a clear 4xx wherever ids come in: API fields and queries name the
field (400), URLs are not found (404), forms and filters say the choice is invalid."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from learners.models import User
from quizbank import services
from quizbank.ids import MAX_ID, is_valid_id
from quizbank.models import Question, Status
from tests.quizbank.samples import sample_content

pytestmark = pytest.mark.django_db

SESSION = {"mode": "tutor", "count": 1}
TOO_BIG = [str(MAX_ID + 1), "99999999999999999999", "1" + "0" * 40]


@pytest.fixture
def question(instructor: User) -> Question:
    return services.create_question(
        content=sample_content(), by=instructor, status=Status.PUBLISHED
    )


def json_call(client: Client, method: str, url: str, body: Any = None) -> Any:
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.mark.parametrize("huge", TOO_BIG)
@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("get", "/api/v1/sessions/pool/?topics={id}", None, "topics"),
        ("post", "/api/v1/sessions/", {**SESSION, "questions": ["{id}"]}, "questions"),
        ("post", "/api/v1/sessions/", {**SESSION, "topics": ["{id}"]}, "topics"),
        ("post", "/api/v1/sessions/1/responses/", {"item": "{id}", "option": "ab"}, "item"),
        ("post", "/api/v1/problem-reports/", {"question": "{id}", "text": "Typo."}, "question"),
    ],
)  # fmt: skip
def test_a_student_gets_a_400_naming_the_id_field(
    client_for: Any,
    student: User,
    question: Question,
    method: str,
    url: str,
    body: dict[str, Any] | None,
    field: str,
    huge: str,
) -> None:
    sent = None if body is None else {k: _fill(v, huge) for k, v in body.items()}

    response = json_call(client_for(student), method, url.format(id=huge), sent)

    assert response.status_code == 400, response.content
    assert set(response.json()) == {field}


def _fill(value: Any, huge: str) -> Any:
    if value == "{id}":
        return int(huge)
    if value == ["{id}"]:
        return [int(huge)]
    return value


@pytest.mark.parametrize("huge", TOO_BIG)
@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("get", "/api/v1/questions/?topic={id}", None, "topic"),
        ("post", "/api/v1/questions/", {"topic": "{id}"}, "topic"),
        ("put", "/api/v1/questions/{question}/", {"options": "{id}"}, "options"),
    ],
)  # fmt: skip
def test_an_instructor_gets_a_400_naming_the_id_field(
    client_for: Any,
    instructor: User,
    question: Question,
    method: str,
    url: str,
    body: dict[str, Any] | None,
    field: str,
    huge: str,
) -> None:
    sent: dict[str, Any] | None = None
    if body is not None:
        sent = {"stem": "S", "lead_in": "L", "topic_path": ["Renal"], "options": []}
        sent.update(body)
        if "topic" in body:
            sent["topic"] = int(huge)
        else:
            sent["options"] = [{"id": int(huge), "text": "A", "is_correct": True}]
    target = url.format(id=huge, question=question.pk)

    response = json_call(client_for(instructor), method, target, sent)

    assert response.status_code == 400, response.content
    assert field in response.json()


@pytest.mark.parametrize("huge", TOO_BIG)
@pytest.mark.parametrize(
    ("who", "method", "url"),
    [
        ("student", "get", "/api/v1/sessions/{id}/"),
        ("student", "patch", "/api/v1/sessions/{id}/"),
        ("student", "put", "/api/v1/marks/{id}/"),
        ("student", "delete", "/api/v1/notes/{id}/"),
        ("student", "get", "/practice/sessions/{id}/"),
        ("student", "get", "/practice/sessions/{id}/items/1/"),
        ("student", "get", "/practice/sessions/1/items/{id}/"),
        ("student", "get", "/topics/{id}/"),
        ("student", "get", "/images/questions/{id}/"),
        ("instructor", "get", "/api/v1/questions/{id}/"),
        ("instructor", "get", "/api/v1/topics/{id}/"),
        ("instructor", "get", "/authoring/questions/{id}/"),
        ("instructor", "post", "/authoring/questions/{id}/retire/"),
    ],
)
def test_an_id_no_row_can_have_in_a_url_is_not_found(
    client_for: Any,
    student: User,
    instructor: User,
    who: str,
    method: str,
    url: str,
    huge: str,
) -> None:
    client = client_for(student if who == "student" else instructor)

    response = json_call(client, method, url.format(id=huge), {})

    assert response.status_code == 404


def test_the_session_builder_ignores_ids_no_row_can_have(
    client_for: Any, student: User, question: Question
) -> None:
    client: Client = client_for(student)

    response = client.post(
        "/practice/sessions/new/",
        {"mode": "tutor", "questions": [TOO_BIG[1], str(question.pk)], "filter": "all"},
    )

    assert response.status_code == 302


def test_the_authoring_list_says_a_topic_id_out_of_range_is_not_a_choice(
    client_for: Any, instructor: User, question: Question
) -> None:
    response = client_for(instructor).get("/authoring/", {"topic": TOO_BIG[1]})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, True), ("42", True), (MAX_ID, True), (0, False), (-1, False), (MAX_ID + 1, False),
     ("٣", False), ("1.0", False), ("", False)],
)  # fmt: skip
def test_is_valid_id(value: Any, expected: bool) -> None:
    assert is_valid_id(value) is expected
