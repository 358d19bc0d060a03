"""No practice page or partial shows an item's key or explanation before its answer (timed:
before the session ends)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from learners.models import Mode, PracticeSession
from learners.practice import start_session
from quizbank.content import EXPLANATION_FIELDS
from quizbank.models import Question
from tests.learners.conftest import MARKER
from tests.learners.pages import (
    BUILDER,
    HTMX,
    Learner,
    item_url,
    key_of,
    page,
    results_url,
)

pytestmark = pytest.mark.django_db


# The key stays on the server until the item is answered ------------------------------------------


KEY_SIGNS = (
    "Correct answer",
    "choice-correct",
    "choice-wrong",
    "of students chose this",
    "Why not other options?",
    "The correct answer",
    "is_correct",
    "is-correct",
)


def assert_no_key(html: str) -> None:
    """Fail if the page carries the secret question's explanation or any mark of its key."""
    assert MARKER.lower() not in html.lower()
    for sign in KEY_SIGNS:
        assert sign not in html, sign


def served_pages(learner: Learner, session: PracticeSession, number: int) -> list[str]:
    """Return every page and partial the item's controls lead to, plain and through htmx."""
    client = learner.client
    correct, wrong, _ = key_of(session, number)
    url = item_url(session, number)
    responses = [
        client.get(BUILDER),
        client.get(BUILDER, headers=HTMX),
        client.get(f"/practice/sessions/{session.pk}/", follow=True),
        client.get(url),
        client.post(url, {}),
        client.post(url, {}, headers=HTMX),
        client.post(f"{url}strike/", {"strike": wrong}, follow=True),
        client.post(f"{url}strike/", {"strike": wrong, "option": correct}, headers=HTMX),
        client.post(f"{url}mark/", {"is_marked": "1"}, follow=True),
        client.post(f"{url}mark/", {"is_marked": "0"}, headers=HTMX),
        client.post(f"{url}note/", {"text": "A note."}, follow=True),
        client.post(f"{url}note/", {"text": "x" * 5001}, headers=HTMX),
        client.post(f"{url}report/", {"text": "A report."}, follow=True),
        client.post(f"{url}report/", {"text": ""}, headers=HTMX),
        client.get(results_url(session), follow=True),
    ]
    assert [response.status_code for response in responses] == [200] * len(responses)
    return [page(response) for response in responses]


def test_no_page_shows_the_key_before_a_tutor_item_is_answered(
    learner: Learner, secret_question: Question
) -> None:
    session = learner.start(questions=[learner.bank[0], secret_question])
    secret = session.items.get(question=secret_question).number
    other = 3 - secret
    # Answering the other item through htmx swaps in its feedback and the whole navigation.
    assert MARKER not in page(learner.answer(session, other, headers=HTMX))

    for html in served_pages(learner, session, secret):
        assert_no_key(html)

    learner.answer(session, secret, correct=False)
    assert MARKER in learner.get(item_url(session, secret))


def test_no_page_shows_the_key_of_a_timed_item_until_the_session_ends(
    learner: Learner, secret_question: Question
) -> None:
    session = learner.start(Mode.TIMED, questions=[secret_question, learner.bank[0]])
    secret = session.items.get(question=secret_question).number
    other = 3 - secret

    for html in served_pages(learner, session, secret):
        assert_no_key(html)
    answered = [
        page(learner.answer(session, secret, follow=True)),
        page(learner.answer(session, secret, headers=HTMX)),
        page(learner.answer(session, other, follow=True)),
    ]
    for html in answered + served_pages(learner, session, secret):
        assert_no_key(html)

    ended = learner.client.post(f"/practice/sessions/{session.pk}/finish/", follow=True)

    assert ended.redirect_chain[-1][0] == results_url(session)
    results = page(ended)
    for field in EXPLANATION_FIELDS:
        assert f"{MARKER} {field}" in results
    assert f"{MARKER} pomalidomide" in results
    assert f"{MARKER} citation" in results
    assert "Correct answer" in results
    assert MARKER in learner.get(item_url(session, secret))


def test_no_page_shows_the_key_before_an_adaptive_item_is_answered(
    learner: Learner, secret_question: Question
) -> None:
    session = start_session(
        learner=learner.user,
        mode=Mode.ADAPTIVE,
        count=2,
        topics=[secret_question.topic],
        now=timezone.now(),
    )
    assert session.items.get().question == secret_question

    for html in [*served_pages(learner, session, 1), learner.get("/practice/")]:
        assert_no_key(html)

    learner.answer(session, 1, correct=False)
    assert MARKER in learner.get(item_url(session, 1))
