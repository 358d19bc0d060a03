"""Item statistics on the question page: instructors see each revision's figures and flags in
words; students never reach the page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils.html import escape

from learners.models import User
from quizbank import services
from quizbank.models import Question
from quizbank.statistics import FLAG_TEXT, MIN_ATTEMPTS_FOR_FLAGS, recompute_item_statistics
from tests.quizbank.test_item_statistics import (
    KEY,
    NOW,
    Answer,
    B,
    C,
    answer_in_bulk,
    build_small_bank,
    publish,
    students,
)

pytestmark = pytest.mark.django_db


def statistics_text(html: str) -> str:
    """Return the Statistics section as the words a reader sees, spaces collapsed."""
    section = html[html.index('id="statistics-heading"') :]
    section = section[: section.index("</section>")]
    return " ".join(re.sub(r"<[^>]+>", " ", section).split())


def revise(question: Question, *, by: User, lead_in: str, drop: int | None = None) -> None:
    """Save a new revision of `question`, optionally without the option at position `drop`."""
    content = services.question_content(question)
    content.lead_in = lead_in
    if drop is not None:
        del content.options[drop]
    services.update_question(question=question, content=content, by=by)


def test_instructors_see_each_revision_with_its_figures_newest_first(
    client_for: Any, instructor: User, reviewer: User
) -> None:
    q, _ = build_small_bank(instructor)
    recompute_item_statistics(now=NOW)
    # Revision 2 drops option C, which one student chose in revision 1.
    revise(q, by=reviewer, lead_in="Which regimen is now most appropriate?", drop=C)
    (newcomer,) = students(1)
    answer_in_bulk([Answer(newcomer, q, B, 20, at=NOW + timedelta(minutes=5))])
    recompute_item_statistics(now=NOW + timedelta(minutes=10))

    page = client_for(instructor).get(reverse("authoring-question", args=[q.pk]))

    text = statistics_text(page.content.decode())
    newest, oldest = text.split("Revision 1")
    assert page.status_code == 200
    assert "Revision 2" in newest
    assert "First attempts 1 Facility 0% Discrimination — Mean time 20 s" in newest
    assert "B. Pomalidomide plus dexamethasone 100%" in newest
    assert "removed option" not in newest
    assert "First attempts 6 Facility 67% Discrimination 0.48 Mean time 55 s" in oldest
    assert "A. Lenalidomide plus dexamethasone (key) 67%" in oldest
    assert "B. Pomalidomide plus dexamethasone 17%" in oldest
    assert "removed option 17%" in oldest
    assert "Melphalan plus prednisone 0%" in oldest


@pytest.mark.parametrize("answered", [MIN_ATTEMPTS_FOR_FLAGS - 1, MIN_ATTEMPTS_FOR_FLAGS])
def test_a_flag_is_spelled_out_and_highlighted_once_enough_students_answered(
    client_for: Any, instructor: User, answered: int
) -> None:
    q = publish(instructor)
    answer_in_bulk([Answer(learner, q, KEY) for learner in students(answered)])
    recompute_item_statistics(now=NOW)

    html = client_for(instructor).get(reverse("authoring-question", args=[q.pk])).content.decode()

    shown = escape(FLAG_TEXT["too_easy"]) in html and 'class="stat-flag stat-flag-too_easy"' in html
    assert "Facility 100%" in statistics_text(html)
    assert shown == (answered >= MIN_ATTEMPTS_FOR_FLAGS)


def test_a_question_nobody_answered_has_no_statistics_yet(
    client_for: Any, instructor: User
) -> None:
    q = publish(instructor)

    html = client_for(instructor).get(reverse("authoring-question", args=[q.pk])).content.decode()

    assert "No statistics yet" in statistics_text(html)


def test_students_are_refused_the_question_page_and_its_statistics(
    client_for: Any, instructor: User, student: User
) -> None:
    q, _ = build_small_bank(instructor)
    recompute_item_statistics(now=NOW)

    page = client_for(student).get(reverse("authoring-question", args=[q.pk]))

    assert page.status_code == 403
    assert "Facility" not in page.content.decode()
    assert "Discrimination" not in page.content.decode()


# The page's own queries, and one for the statistics whatever the number of revisions.
PAGE_QUERIES = 15  # 14, and the question's open retirement requests


@pytest.mark.parametrize("revisions", [1, 4])
def test_the_page_runs_the_same_queries_whatever_the_number_of_revisions(
    client_for: Any,
    instructor: User,
    reviewer: User,
    django_assert_num_queries: Any,
    revisions: int,
) -> None:
    q = publish(instructor)
    for n in range(revisions):
        if n:
            revise(q, by=reviewer, lead_in=f"Which regimen, revision {n + 1}?")
        at = NOW + timedelta(hours=n)
        answer_in_bulk([Answer(learner, q, n % 5, at=at) for learner in students(3 + n)])
        recompute_item_statistics(now=at + timedelta(minutes=10))
    client = client_for(instructor)

    with django_assert_num_queries(PAGE_QUERIES):
        html = client.get(reverse("authoring-question", args=[q.pk])).content.decode()

    assert statistics_text(html).count("First attempts") == revisions
