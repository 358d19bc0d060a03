"""Helpers for the tests of the practice pages: URLs, a signed-in learner, reading a page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from random import Random
from typing import Any

from django.http import HttpResponse, HttpResponseBase
from django.test import Client
from django.utils import timezone

from learners.models import Mode, PracticeSession, SessionItem, User
from learners.practice import start_session
from quizbank.models import Question

HTMX = {"HX-Request": "true"}
BUILDER = "/practice/sessions/new/"
RESULT = re.compile(r'<h2 id="result-heading"[^>]*>(Correct|Incorrect|Not answered)</h2>')


def page(response: HttpResponseBase) -> str:
    assert isinstance(response, HttpResponse)
    return response.content.decode()


def item_url(session: PracticeSession, number: int = 1, action: str = "") -> str:
    return f"/practice/sessions/{session.pk}/items/{number}/" + (f"{action}/" if action else "")


def results_url(session: PracticeSession) -> str:
    return f"/practice/sessions/{session.pk}/results/"


def key_of(session: PracticeSession, number: int = 1) -> tuple[str, str, str]:
    """Return the names an item's page gives its key and a distractor, and the key's letter."""
    options = SessionItem.objects.get(session=session, position=number - 1).shown_options()
    correct = next(o for o in options if o.is_correct)
    return correct.token, next(o.token for o in options if not o.is_correct), correct.letter


def token_of(item_id: int, *, correct: bool) -> str:
    """Return the name an item gives its key (or a distractor) to the student, read server-side."""
    options = SessionItem.objects.get(pk=item_id).shown_options()
    return next(option.token for option in options if option.is_correct == correct)


def result_of(html: str) -> str | None:
    found = RESULT.search(html)
    return found.group(1) if found else None


@dataclass
class Learner:
    """A signed-in student with a bank of three published questions of a topic of its own."""

    user: User
    client: Client
    bank: list[Question]

    def start(
        self, mode: str = Mode.TUTOR, questions: list[Question] | None = None
    ) -> PracticeSession:
        """Start a session of these questions (the whole bank by default)."""
        chosen = self.bank if questions is None else questions
        return start_session(
            learner=self.user,
            mode=mode,
            count=len(chosen),
            question_ids=[q.pk for q in chosen],
            now=timezone.now(),
            rng=Random(7),
        )

    def get(self, url: str, data: dict[str, Any] | None = None, **extra: Any) -> str:
        return page(self.client.get(url, data, **extra))

    def answer(
        self, session: PracticeSession, number: int = 1, *, correct: bool = True, **extra: Any
    ) -> Any:  # the test client's response, with redirect_chain when followed
        right, wrong, _ = key_of(session, number)
        url = item_url(session, number)
        return self.client.post(url, {"option": right if correct else wrong}, **extra)


def move_deadline(session: PracticeSession, seconds_ago: int) -> None:
    PracticeSession.objects.filter(pk=session.pk).update(
        deadline=timezone.now() - timedelta(seconds=seconds_ago)
    )
