"""The practice dashboard at /practice/, seen through the URL by the student it belongs to."""

from __future__ import annotations

from datetime import timedelta
from random import Random
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from learners.models import Mode, PracticeSession, User
from learners.plans import build_plans
from learners.practice import record_answer, save_note, set_mark, start_session
from learners.roles import Role
from quizbank.models import Question
from tests.learners.conftest import BulkBank, BulkHistory

pytestmark = pytest.mark.django_db

URL = "/practice/"


def open_session(learner: User, questions: list[Question], **options: Any) -> PracticeSession:
    return start_session(
        learner=learner,
        mode=options.pop("mode", Mode.TUTOR),
        count=len(questions),
        question_ids=[question.pk for question in questions],
        now=options.pop("now", timezone.now()),
        rng=Random(3),
        **options,
    )


def answer_correctly(session: PracticeSession, *, count: int) -> None:
    for item in session.items.order_by("position")[:count]:
        option = item.question.options.get(is_correct=True)
        record_answer(item=item, option_id=option.pk, now=timezone.now())


@pytest.fixture
def questions(bulk_bank: BulkBank) -> list[Question]:
    return bulk_bank(6)


def test_a_new_student_is_invited_to_start_a_session(client_for: Any, student: User) -> None:
    page = client_for(student).get(URL)

    assert page.status_code == 200
    html = page.content.decode()
    assert "You have not answered any questions yet" in html
    assert f'href="{reverse("practice-new")}"' in html
    assert "<svg" not in html


def test_shows_the_figures_the_trend_chart_and_the_topics(
    client_for: Any, student: User, questions: list[Question], bulk_history: BulkHistory
) -> None:
    # Three answers, every third one wrong: 2 of 3 correct, all in one topic.
    bulk_history(student, questions[:3], 3)

    html = client_for(student).get(URL).content.decode()

    assert '<dd class="figure-value">3</dd>' in html
    assert '<dd class="figure-value">67%</dd>' in html
    assert "2 of 3" in html
    assert '<th scope="row">Bulk &gt; Bank of 6</th>' in html
    assert '<svg class="trend-chart"' in html
    assert '<rect class="chart-bar"' in html
    assert '<title id="trend-title">' in html
    assert "You answered 3 items on 1 of the last 30 days" in html
    assert f'href="{reverse("practice-new")}"' in html


def test_explains_the_percentile_against_peers_on_the_same_items(
    client_for: Any,
    student: User,
    second_student: User,
    questions: list[Question],
    bulk_history: BulkHistory,
) -> None:
    bulk_history(student, questions[:2], 2)  # 2 of 2 right first time
    # Right on question 2, which the student never met, right on 0 and wrong on 1: 1 of 2.
    bulk_history(second_student, [questions[2], questions[0], questions[1]], 3)

    html = client_for(student).get(URL).content.decode()

    # One peer below: 100 * (1 + 1/2) / 2.
    assert '<dd class="figure-value">75</dd>' in html
    assert "(1 other and you)" in html


def test_lists_marked_questions_and_notes_with_a_link_to_practise_the_marked(
    client_for: Any, student: User, questions: list[Question]
) -> None:
    open_session(student, questions[:2])
    set_mark(learner=student, question=questions[0], is_marked=True)
    save_note(
        learner=student, question=questions[1], text="Recheck the staging.", now=timezone.now()
    )

    html = client_for(student).get(URL).content.decode()

    assert "Bulk question 0?" in html
    assert "Bulk question 1?" in html
    assert "Recheck the staging." in html
    assert f'href="{reverse("practice-new")}?filter=marked"' in html


def test_offers_to_resume_an_unfinished_session(
    client_for: Any, student: User, questions: list[Question]
) -> None:
    session = open_session(student, questions[:3])
    answer_correctly(session, count=1)

    html = client_for(student).get(URL).content.decode()

    assert f'href="{reverse("practice-session", args=[session.pk])}"' in html
    assert "1 of 3 answered" in html


def test_a_timed_session_shows_the_time_left(
    client_for: Any, student: User, questions: list[Question]
) -> None:
    session = open_session(student, questions[:2], mode=Mode.TIMED, seconds_per_item=300)

    html = client_for(student).get(URL).content.decode()

    assert f'href="{reverse("practice-session", args=[session.pk])}"' in html
    assert "about 10 minutes left" in html


def test_a_timed_session_out_of_time_offers_its_results_instead(
    client_for: Any, student: User, questions: list[Question]
) -> None:
    session = open_session(
        student,
        questions[:2],
        mode=Mode.TIMED,
        seconds_per_item=60,
        now=timezone.now() - timedelta(hours=1),
    )

    html = client_for(student).get(URL).content.decode()

    assert f'href="{reverse("practice-session", args=[session.pk])}"' not in html
    assert f'href="{reverse("practice-results", args=[session.pk])}"' in html
    assert "0 of 2 correct" in html


def test_another_students_data_never_appears(
    client_for: Any, student: User, second_student: User, bulk_bank: BulkBank
) -> None:
    mine, theirs = bulk_bank(2)
    open_session(student, [mine])
    other = open_session(second_student, [theirs])
    answer_correctly(other, count=1)
    set_mark(learner=second_student, question=theirs, is_marked=True)
    save_note(learner=second_student, question=theirs, text="SECRET-NOTE", now=timezone.now())
    later = open_session(second_student, [mine])

    html = client_for(student).get(URL).content.decode()

    assert "SECRET-NOTE" not in html
    assert "Bulk question 1?" not in html
    assert reverse("practice-session", args=[other.pk]) not in html
    assert reverse("practice-session", args=[later.pk]) not in html
    assert reverse("practice-results", args=[other.pk]) not in html


def test_an_instructor_practises_too(client_for: Any, instructor: User) -> None:
    assert client_for(instructor).get(URL).status_code == 200


def test_an_instructor_without_the_practise_permission_is_refused(
    client_for: Any, instructor: User
) -> None:
    practise = Permission.objects.get(codename="practise_questions")
    Group.objects.get(name=Role.INSTRUCTOR.value).permissions.remove(practise)

    assert client_for(instructor).get(URL).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client: Any) -> None:
    page = client.get(URL)

    assert page.status_code == 302
    assert page["Location"].startswith(reverse("login"))


def test_the_page_has_no_inline_styles_or_scripts(
    client_for: Any, student: User, questions: list[Question], bulk_history: BulkHistory
) -> None:
    bulk_history(student, questions, 12)

    html = client_for(student).get(URL).content.decode()

    assert "style=" not in html
    assert "<script>" not in html
    assert " on" + "click=" not in html


# GET /practice/ runs this many queries: the session and the user, the user's and the role's
# permissions, then the progress figures (closing expired sessions, topics, marks, notes, topic
# labels, percentile, trend, unfinished and recent sessions), today's plan and its items, and
# the forecast (cards, their topics). The plan exists, as the nightly job leaves it.
DASHBOARD_QUERIES = 17


@pytest.mark.parametrize(("bank_size", "responses", "marks"), [(100, 10, 2), (10_000, 10_000, 40)])
def test_the_dashboard_runs_a_fixed_number_of_queries(
    client_for: Any,
    django_assert_num_queries: Any,
    student: User,
    second_student: User,
    bulk_bank: BulkBank,
    bulk_history: BulkHistory,
    bank_size: int,
    responses: int,
    marks: int,
) -> None:
    bank = bulk_bank(bank_size)
    bulk_history(student, bank, responses)
    bulk_history(second_student, bank[:20], 20)
    for question in bank[:marks]:
        set_mark(learner=student, question=question, is_marked=True)
        save_note(learner=student, question=question, text="A note.", now=timezone.now())
    open_session(student, bank[:3])
    open_session(student, bank[3:5], mode=Mode.TIMED)
    build_plans(learner_ids=[student.pk], now=timezone.now())
    client = client_for(student)

    with django_assert_num_queries(DASHBOARD_QUERIES):
        page = client.get(URL)

    assert page.status_code == 200
    assert page.content.decode().count('<rect class="chart-bar"') >= 1
