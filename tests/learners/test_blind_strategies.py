"""A student who does not know the answer scores at chance, whatever they read off what they are
sent before answering: option ids, their order, element ids and values, or the options' text.

Each strategy picks one option per item from what the student receives (an API body, an item
page); the key is read on the server only to count the hits. Over the whole starter bank in many
timed blocks, a strategy that read nothing of the key hits about one item in five (every starter
item has five options). The tolerance is five standard deviations of that binomial count: a fair
platform fails it about once in two million runs; before option ids were tokens, "lowest id"
hit every item.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from learners.models import PracticeSession, SessionItem, User
from quizbank.models import Question

pytestmark = pytest.mark.django_db

OPTIONS_PER_ITEM = 5
CHANCE = 1 / OPTIONS_PER_ITEM
API_BLOCKS = 25
PAGE_BLOCKS = 15


@dataclass(frozen=True)
class Seen:
    """An option as the student receives it, in the order received."""

    name: str
    text: str
    element_id: str = ""


Strategy = Callable[[Sequence[Seen]], str]

STRATEGIES: dict[str, Strategy] = {
    "lowest id": lambda options: min(options, key=lambda o: o.name).name,
    "highest id": lambda options: max(options, key=lambda o: o.name).name,
    "lowest id as a number": lambda options: min(options, key=lambda o: _number(o.name)).name,
    "first shown": lambda options: options[0].name,
    "last shown": lambda options: options[-1].name,
    "middle shown": lambda options: options[len(options) // 2].name,
    "lowest element id": lambda options: min(options, key=lambda o: o.element_id).name,
}


def _number(name: str) -> int:
    """Read an id as a number whatever its base, as a student trying their luck would."""
    return int(name) if name.isdigit() else int(name, 16)


def tolerance(trials: int) -> float:
    return 5 * math.sqrt(CHANCE * (1 - CHANCE) / trials)


def assert_at_chance(hits: dict[str, int], trials: int) -> None:
    rates = {name: count / trials for name, count in hits.items()}
    beyond = {name: rate for name, rate in rates.items() if abs(rate - CHANCE) > tolerance(trials)}
    assert not beyond, f"{beyond} of {trials} items; chance is {CHANCE} ± {tolerance(trials):.3f}"


def key_token(item_id: int) -> str:
    """The oracle: the key's token, read on the server, never sent before answering."""
    options = SessionItem.objects.get(pk=item_id).shown_options()
    return next(option.token for option in options if option.is_correct)


@pytest.fixture
def bank(starter_bank: None) -> int:
    questions = Question.objects.published()
    assert {q.options.count() for q in questions} == {OPTIONS_PER_ITEM}
    return questions.count()


def test_blind_strategies_score_at_chance_through_the_api(student: User, bank: int) -> None:
    client = APIClient()
    client.force_authenticate(student)
    hits = dict.fromkeys(STRATEGIES, 0)
    scored = 0
    for _ in range(API_BLOCKS):
        created = client.post("/api/v1/sessions/", {"mode": "timed", "count": bank}, format="json")
        session: dict[str, Any] = created.json()
        assert len(session["items"]) == bank
        for item in session["items"]:
            seen = [Seen(str(o["id"]), o["text"]) for o in item["question"]["options"]]
            key = key_token(item["id"])
            for name, strategy in STRATEGIES.items():
                hits[name] += strategy(seen) == key
            answered = client.post(
                f"/api/v1/sessions/{session['id']}/responses/",
                {"item": item["id"], "option": STRATEGIES["lowest id"](seen)},
                format="json",
            )
            assert answered.json() == {"recorded": True}
        results = client.patch(
            f"/api/v1/sessions/{session['id']}/", {"status": "finished"}, format="json"
        )
        scored += results.json()["score"]["correct"]

    # The platform's own score of the lowest-id attack is the count above, at chance too.
    assert scored == hits["lowest id"]
    assert_at_chance(hits, API_BLOCKS * bank)


OPTION_INPUT = re.compile(
    r'<input type="radio" id="(?P<element>[^"]+)" name="option" value="(?P<value>[^"]+)"'
)
OPTION_TEXT = re.compile(r'<span class="choice-text">(?P<text>.*?)</span>', re.S)
STRIKE_BUTTON = re.compile(r'<button type="submit" id="[^"]+" form="strike-form" name="strike"')


def seen_on_page(page: str) -> list[Seen]:
    inputs = list(OPTION_INPUT.finditer(page))
    texts = [html.unescape(m["text"]) for m in OPTION_TEXT.finditer(page)]
    assert len(inputs) == len(texts) == len(STRIKE_BUTTON.findall(page)) == OPTIONS_PER_ITEM
    return [
        Seen(name=m["value"], text=text, element_id=m["element"])
        for m, text in zip(inputs, texts, strict=True)
    ]


def test_blind_strategies_score_at_chance_through_the_pages(
    student: User, bank: int, client_for: Callable[[User], Client]
) -> None:
    client = client_for(student)
    hits = dict.fromkeys(STRATEGIES, 0)
    for _ in range(PAGE_BLOCKS):
        built = client.post(
            "/practice/sessions/new/", {"mode": "timed", "count": bank, "filter": "all"}
        )
        assert built.status_code == 302, built.content
        session = PracticeSession.objects.for_learner(student).first()
        assert session is not None and built["Location"].endswith("/items/1/")
        for item in session.items.all():
            url = f"/practice/sessions/{session.pk}/items/{item.number}/"
            seen = seen_on_page(client.get(url).content.decode())
            key = key_token(item.pk)
            for name, strategy in STRATEGIES.items():
                hits[name] += strategy(seen) == key
            client.post(url, {"option": STRATEGIES["first shown"](seen)})
        client.post(f"/practice/sessions/{session.pk}/finish/")
        assert session.items.filter(response__isnull=False).count() == bank

    assert_at_chance(hits, PAGE_BLOCKS * bank)
