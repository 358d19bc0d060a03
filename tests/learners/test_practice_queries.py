"""The item page and the answer submission run a fixed number of queries, the same whether the
bank holds 100 or 10,000 questions and the learner has answered 10 or 10,000 items before."""

from __future__ import annotations

from collections.abc import Callable
from random import Random

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from learners.models import Mode, Pool, PracticeSession, SessionItem, User
from learners.practice import start_session
from tests.learners.conftest import BulkBank, BulkHistory

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
HTMX = {"HX-Request": "true"}
SIZES = [
    pytest.param(100, 10, id="100-questions-10-responses"),
    pytest.param(10_000, 10_000, id="10000-questions-10000-responses"),
]

# Every request: the Django session, the user, the user's and the groups' permissions.
SIGNED_IN = 4
# The session; the item with its question, topic, response, mark and note (one query); the
# question's options; its images; the session's items with their state, for the navigation.
ITEM = 5
# Unanswered: SIGNED_IN + ITEM + recording when the item was first shown.
ITEM_PAGE = SIGNED_IN + ITEM + 1
# Answered in tutor mode: SIGNED_IN + ITEM + option shares, references, the evidence summary link.
ANSWERED_ITEM_PAGE = SIGNED_IN + ITEM + 3
# What a first attempt teaches (learners.learning): the learner's card (looked up, created,
# reviewed), its review log, the topic ability (looked up, upserted), the item's difficulty.
LEARN = 7
# Recording: the question's options (the item itself comes with its stored answer and whether
# the question was answered before), savepoint, insert, LEARN, release, the session's last
# answer time.
RECORD = 5 + LEARN
# Plain POST: SIGNED_IN + the session + the item + RECORD, then a redirect.
ANSWER = SIGNED_IN + 2 + RECORD
# htmx: the plain POST's queries, then the answered item region (ANSWERED_ITEM_PAGE's item part).
HTMX_ANSWER = ANSWER + ITEM - 1 + 3


def tutor_session(
    student: User, bulk_bank: BulkBank, bulk_history: BulkHistory, questions: int, history: int
) -> PracticeSession:
    bank = bulk_bank(questions)
    # History on half of the bank; the session draws from the other half, so that each answer
    # is a first attempt at both sizes.
    bulk_history(student, bank[: questions // 2], history)
    return start_session(
        learner=student,
        mode=Mode.TUTOR,
        count=20,
        pool=Pool.UNUSED,
        now=timezone.now(),
        rng=Random(3),
    )


def item_url(session: PracticeSession, number: int) -> str:
    return f"/practice/sessions/{session.pk}/items/{number}/"


def correct_option(session: PracticeSession, number: int) -> str:
    options = SessionItem.objects.get(session=session, position=number - 1).shown_options()
    return next(option.token for option in options if option.is_correct)


@pytest.mark.parametrize(("questions", "history"), SIZES)
def test_the_item_page_runs_a_fixed_number_of_queries(
    client_for: ClientFor,
    student: User,
    bulk_bank: BulkBank,
    bulk_history: BulkHistory,
    django_assert_num_queries: DjangoAssertNumQueries,
    questions: int,
    history: int,
) -> None:
    session = tutor_session(student, bulk_bank, bulk_history, questions, history)
    client = client_for(student)
    client.get(item_url(session, 1))

    with django_assert_num_queries(ITEM_PAGE):
        assert client.get(item_url(session, 2)).status_code == 200


@pytest.mark.parametrize(("questions", "history"), SIZES)
def test_an_answered_item_page_runs_a_fixed_number_of_queries(
    client_for: ClientFor,
    student: User,
    bulk_bank: BulkBank,
    bulk_history: BulkHistory,
    django_assert_num_queries: DjangoAssertNumQueries,
    questions: int,
    history: int,
) -> None:
    session = tutor_session(student, bulk_bank, bulk_history, questions, history)
    client = client_for(student)
    for number in (1, 2):
        client.post(item_url(session, number), {"option": correct_option(session, number)})
    client.get(item_url(session, 1))

    with django_assert_num_queries(ANSWERED_ITEM_PAGE):
        assert "Why not other options?" in client.get(item_url(session, 2)).content.decode()


@pytest.mark.parametrize(("questions", "history"), SIZES)
def test_an_answer_runs_a_fixed_number_of_queries(
    client_for: ClientFor,
    student: User,
    bulk_bank: BulkBank,
    bulk_history: BulkHistory,
    django_assert_num_queries: DjangoAssertNumQueries,
    questions: int,
    history: int,
) -> None:
    session = tutor_session(student, bulk_bank, bulk_history, questions, history)
    client = client_for(student)
    client.post(item_url(session, 1), {"option": correct_option(session, 1)})
    answer = {"option": correct_option(session, 2)}

    with django_assert_num_queries(ANSWER):
        response = client.post(item_url(session, 2), answer)

    assert response.status_code == 302


@pytest.mark.parametrize(("questions", "history"), SIZES)
def test_an_htmx_answer_runs_a_fixed_number_of_queries(
    client_for: ClientFor,
    student: User,
    bulk_bank: BulkBank,
    bulk_history: BulkHistory,
    django_assert_num_queries: DjangoAssertNumQueries,
    questions: int,
    history: int,
) -> None:
    session = tutor_session(student, bulk_bank, bulk_history, questions, history)
    client = client_for(student)
    client.post(item_url(session, 1), {"option": correct_option(session, 1)}, headers=HTMX)
    answer = {"option": correct_option(session, 2)}

    with django_assert_num_queries(HTMX_ANSWER):
        response = client.post(item_url(session, 2), answer, headers=HTMX)

    assert "Why not other options?" in response.content.decode()
