"""No API body carries an item's key or explanation before the student may see them: after
answering in tutor mode, once the session is over in timed mode."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from learners.models import PracticeSession, User
from quizbank.models import Question
from tests.learners.conftest import MARKER
from tests.learners.pages import token_of

pytestmark = pytest.mark.django_db

# Names that only a revealed key or explanation puts in a body.
KEY_NAMES = ['"correct_option"', '"is_correct"', '"why_not"', '"explanation"', '"option_shares"']


def assert_hidden(response: Any) -> None:
    assert response.status_code < 300, response.content
    body = response.content.decode()
    assert MARKER not in body
    for name in KEY_NAMES:
        assert name not in body


def assert_revealed(response: Any) -> None:
    assert response.status_code < 300, response.content
    body = response.content.decode()
    assert MARKER in body
    assert '"correct_option"' in body


def browse(client: APIClient, session: dict[str, Any]) -> list[Any]:
    """Fetch every read-only practice body a student can ask for."""
    question = session["items"][0]["question"]["id"]
    client.put(f"/api/v1/marks/{question}/")
    client.put(f"/api/v1/notes/{question}/", {"text": "Revise this."}, format="json")
    return [
        client.get("/api/v1/sessions/"),
        client.get(f"/api/v1/sessions/{session['id']}/"),
        client.get("/api/v1/sessions/pool/"),
        client.get("/api/v1/progress/"),
        client.get("/api/v1/marks/"),
        client.get("/api/v1/notes/"),
    ]


def start(client: APIClient, mode: str) -> Any:
    return client.post("/api/v1/sessions/", {"mode": mode, "count": 1}, format="json")


def answer(client: APIClient, session: dict[str, Any]) -> Any:
    """Answer the session's first item with its key."""
    item = session["items"][0]["id"]
    return client.post(
        f"/api/v1/sessions/{session['id']}/responses/",
        {"item": item, "option": token_of(item, correct=True)},
        format="json",
    )


@pytest.fixture
def client(student: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(student)
    return client


def test_tutor_mode_hides_the_key_until_the_item_is_answered(
    client: APIClient, secret_question: Question
) -> None:
    created = start(client, "tutor")
    session = created.json()

    for response in [created, *browse(client, session)]:
        assert_hidden(response)
    assert_revealed(answer(client, session))
    assert_revealed(client.get(f"/api/v1/sessions/{session['id']}/"))


def test_timed_mode_hides_the_key_until_the_session_is_finished(
    client: APIClient, secret_question: Question
) -> None:
    created = start(client, "timed")
    session = created.json()
    url = f"/api/v1/sessions/{session['id']}/"

    assert_hidden(created)
    assert_hidden(answer(client, session))
    assert_hidden(answer(client, session))
    for response in browse(client, session):
        assert_hidden(response)
    finished = client.patch(url, {"status": "finished"}, format="json")
    assert_revealed(finished)
    assert_revealed(client.get(url))
    assert_revealed(answer(client, session))


def test_timed_mode_reveals_the_key_only_once_the_grace_after_the_deadline_is_over(
    client: APIClient, secret_question: Question
) -> None:
    session = start(client, "timed").json()
    url = f"/api/v1/sessions/{session['id']}/"
    sessions = PracticeSession.objects.filter(pk=session["id"])

    sessions.update(deadline=timezone.now() - timedelta(seconds=20))
    assert_hidden(client.get(url))
    sessions.update(deadline=timezone.now() - timedelta(seconds=31))
    assert_revealed(client.get(url))


def test_progress_counts_no_correct_answer_of_a_running_timed_session(
    client: APIClient, secret_question: Question
) -> None:
    session = start(client, "timed").json()
    answer(client, session)

    progress = client.get("/api/v1/progress/").json()

    assert progress["correct"] == 0


def test_a_running_timed_items_key_cannot_be_read_through_another_session(
    client: APIClient, secret_question: Question
) -> None:
    # The attack: ask a tutor session for the timed item's question, answer it, read the key.
    timed = start(client, "timed").json()
    again = {"mode": "tutor", "count": 1, "questions": [secret_question.pk]}

    refused = client.post("/api/v1/sessions/", again, format="json")

    assert refused.status_code == 400
    assert "timed session still running" in refused.json()["questions"][0]
    assert client.get("/api/v1/sessions/pool/").json() == {"count": 0}
    client.patch(f"/api/v1/sessions/{timed['id']}/", {"status": "finished"}, format="json")
    assert client.post("/api/v1/sessions/", again, format="json").status_code == 201


def test_a_timed_session_draws_no_question_whose_key_another_open_session_would_show(
    client: APIClient, secret_question: Question
) -> None:
    # The attack: hold the question unanswered in a tutor session, start the timed session,
    # then finish the tutor session and read the key on its results.
    tutor = start(client, "tutor").json()

    refused = start(client, "timed")

    assert refused.status_code == 400
    assert "finish those sessions to include them" in refused.json()["filter"][0]
    assert client.get("/api/v1/sessions/pool/", {"mode": "timed"}).json() == {"count": 0}
    client.patch(f"/api/v1/sessions/{tutor['id']}/", {"status": "finished"}, format="json")
    assert start(client, "timed").status_code == 201


def test_the_schema_documents_no_key_on_unanswered_items_and_has_no_warnings(
    tmp_path: Path,
) -> None:
    path = tmp_path / "schema.yml"

    call_command("spectacular", validate=True, fail_on_warn=True, file=str(path))

    components = yaml.safe_load(path.read_text())["components"]["schemas"]
    assert set(components["PracticeOption"]["properties"]) == {"id", "letter", "text"}
    assert set(components["PracticeQuestion"]["properties"]) == {"id", "stem", "lead_in", "options"}
