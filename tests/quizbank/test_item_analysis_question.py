"""One question's item analysis: each revision's metadata beside its statistics and the change
since the previous revision with statistics; who may see it; retiring from it; and the
statistics section of the question page, for its author and admins only."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from learners.models import User
from quizbank import services
from quizbank.models import Question, ReviewEvent, Status
from quizbank.statistics import FLAG_TEXT, recompute_item_statistics
from tests.quizbank.test_item_analysis import question, statistics
from tests.quizbank.test_item_statistics import (
    NOW,
    Answer,
    B,
    C,
    answer_in_bulk,
    build_small_bank,
    students,
)
from tests.quizbank.test_item_statistics_page import revise

pytestmark = pytest.mark.django_db


def analysis_url(q: Question) -> str:
    return reverse("authoring-question-analysis", args=[q.pk])


def words(html: str) -> str:
    """Return the page's text as a reader sees it, spaces collapsed."""
    main = html[html.index('<main id="main">') :]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split()).replace("&#x27;", "'")


def revision_texts(html: str) -> dict[int, str]:
    """Return the words of each revision's article, by revision number."""
    articles = re.findall(
        r'<article class="revision-statistics" aria-labelledby="revision-(\d+)">(.*?)</article>',
        html,
        re.S,
    )
    return {int(number): words('<main id="main">' + body) for number, body in articles}


def edit(q: Question, *, by: User, comment: str, stem: str = "") -> None:
    """Save a new revision of `q` with a changed stem and this revision comment."""
    content = services.question_content(q)
    content.stem += stem or f" ({comment})"
    services.update_question(question=q, content=content, by=by, comment=comment)
    q.refresh_from_db()


def test_each_revision_is_shown_with_who_saved_it_and_its_figures_newest_first(
    client_for: Any, instructor: User, reviewer: User
) -> None:
    q, _ = build_small_bank(instructor)
    recompute_item_statistics(now=NOW)
    # Revision 2 drops option C, which one student chose in revision 1.
    revise(q, by=reviewer, lead_in="Which regimen is now most appropriate?", drop=C)
    (newcomer,) = students(1)
    answer_in_bulk([Answer(newcomer, q, B, 20, at=NOW + timedelta(minutes=5))])
    recompute_item_statistics(now=NOW + timedelta(minutes=10))

    page = client_for(instructor).get(analysis_url(q))

    html = page.content.decode()
    revisions = revision_texts(html)
    assert page.status_code == 200
    assert list(revisions) == [2, 1]
    assert "Item analysis" in words(html)
    assert "Which regimen is now most appropriate?" in words(html)
    assert "Changed lead-in, options by rita-reviewer" in revisions[2]
    assert "First attempts 1 Facility 0% Discrimination — Mean time 20 s" in revisions[2]
    assert "B. Pomalidomide plus dexamethasone 100%" in revisions[2]
    # Both facilities known, revision 2's discrimination not: -67 points, change unknown.
    assert "Since revision 1: facility -67 points, discrimination —." in revisions[2]
    assert "Created by ingrid-instructor" in revisions[1]
    assert "First attempts 6 Facility 67% Discrimination 0.48 Mean time 55 s" in revisions[1]
    assert "A. Lenalidomide plus dexamethasone (key) 67%" in revisions[1]
    assert "removed option 17%" in revisions[1]
    assert "Since revision" not in revisions[1]


def test_the_change_is_measured_from_the_last_revision_that_has_statistics(
    client_for: Any, instructor: User, reviewer: User
) -> None:
    q = question(instructor, "Which regimen, before and after?")
    statistics(q, attempts=40, facility=0.40, discrimination=0.05, flags=("low_discrimination",))
    edit(q, by=reviewer, comment="Clarified the renal function")
    edit(q, by=reviewer, comment="Rewrote distractor D")
    statistics(q, attempts=32, facility=0.55, discrimination=0.32)

    html = client_for(instructor).get(analysis_url(q)).content.decode()

    revisions = revision_texts(html)
    assert list(revisions) == [3, 2, 1]
    assert "Rewrote distractor D by rita-reviewer" in revisions[3]
    # 0.55 - 0.40 = +15 points; 0.32 - 0.05 = +0.27.
    assert "Since revision 1: facility +15 points, discrimination +0.27." in revisions[3]
    assert "Clarified the renal function by rita-reviewer" in revisions[2]
    assert "No statistics for this revision" in revisions[2]
    assert FLAG_TEXT["low_discrimination"] in revisions[1]
    assert FLAG_TEXT["low_discrimination"] not in revisions[3]


def test_the_page_links_to_the_question_and_shows_its_status(
    client_for: Any, instructor: User
) -> None:
    q = question(instructor, "Which regimen, linked?")

    html = client_for(instructor).get(analysis_url(q)).content.decode()

    assert f'href="{reverse("authoring-question", args=[q.pk])}"' in html
    assert '<span class="status status-published">Published</span>' in html


# Who sees what ---------------------------------------------------------------------------------


def test_another_instructors_question_is_not_found(
    client_for: Any, instructor: User, reviewer: User
) -> None:
    theirs = question(reviewer, "Theirs?")
    statistics(theirs, attempts=20, facility=0.8, discrimination=0.1)

    page = client_for(instructor).get(analysis_url(theirs))

    assert page.status_code == 404
    assert b"Theirs?" not in page.content


def test_an_admin_analyses_any_question(client_for: Any, admin_user: User, reviewer: User) -> None:
    theirs = question(reviewer, "Theirs?")
    statistics(theirs, attempts=20, facility=0.8, discrimination=0.1)

    page = client_for(admin_user).get(analysis_url(theirs))

    assert page.status_code == 200
    assert "First attempts 20 Facility 80% Discrimination 0.10" in words(page.content.decode())


def test_students_are_refused_and_anonymous_visitors_sent_to_log_in(
    client_for: Any, instructor: User, student: User
) -> None:
    q = question(instructor, "Which regimen, hidden?")
    statistics(q, attempts=20, facility=0.8, discrimination=0.1)

    as_student = client_for(student).get(analysis_url(q))
    anonymous = Client().get(analysis_url(q))

    assert as_student.status_code == 403
    assert b"Facility" not in as_student.content
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))


# Retiring from the page ------------------------------------------------------------------------


def test_an_admin_retires_a_question_with_the_plain_form_on_the_page(
    admin_user: User, instructor: User
) -> None:
    q = question(instructor, "Which regimen, too easy?")
    statistics(q, attempts=40, facility=0.97, discrimination=0.3, flags=("too_easy",))
    # A browser without JavaScript: the form's own CSRF token and action are all it has.
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    html = client.get(analysis_url(q)).content.decode()
    form = re.search(r'<form method="post" action="([^"]+/retire/)"[^>]*>(.*?)</form>', html, re.S)
    assert form is not None
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(2))
    assert token is not None
    done = client.post(
        form.group(1), {"csrfmiddlewaretoken": token.group(1), "comment": "Too easy"}
    )

    q.refresh_from_db()
    assert form.group(1) == reverse("authoring-question-retire", args=[q.pk])
    # The retire step lands on the question page, which shows the new status.
    assert done["Location"] == reverse("authoring-question", args=[q.pk])
    assert q.status == Status.RETIRED
    assert q.review_events.filter(action=ReviewEvent.Action.RETIRED, actor=admin_user).exists()


def test_only_the_author_is_offered_retiring_their_own_question(
    client_for: Any, instructor: User, reviewer: User
) -> None:
    q = question(instructor, "Which regimen, mine?")

    authors = client_for(instructor).get(analysis_url(q)).content.decode()
    reviewers = client_for(reviewer).get(analysis_url(q)).content.decode()

    assert reverse("authoring-question-retire", args=[q.pk]) in authors
    assert reverse("authoring-question-retire", args=[q.pk]) not in reviewers


def test_a_draft_cannot_be_retired_from_the_page(
    client_for: Any, admin_user: User, instructor: User
) -> None:
    q = question(instructor, "Which regimen, draft?", status=Status.DRAFT)

    html = client_for(admin_user).get(analysis_url(q)).content.decode()

    assert reverse("authoring-question-retire", args=[q.pk]) not in html


# The statistics section of the question page ---------------------------------------------------


def test_a_reviewer_who_is_not_the_author_sees_the_question_page_without_statistics(
    client_for: Any, instructor: User, reviewer: User
) -> None:
    q = question(instructor, "Which regimen, under review?")
    statistics(q, attempts=20, facility=0.8, discrimination=0.1)

    page = client_for(reviewer).get(reverse("authoring-question", args=[q.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Which regimen, under review?" in html
    assert 'id="statistics-heading"' not in html
    assert "Facility" not in html
    assert analysis_url(q) not in html


@pytest.mark.parametrize("viewer", ["instructor", "admin_user"])
def test_the_author_and_admins_see_the_statistics_linked_to_the_analysis(
    client_for: Any, instructor: User, viewer: str, request: pytest.FixtureRequest
) -> None:
    q = question(instructor, "Which regimen, analysed?")
    statistics(q, attempts=20, facility=0.8, discrimination=0.1)

    html = (
        client_for(request.getfixturevalue(viewer))
        .get(reverse("authoring-question", args=[q.pk]))
        .content.decode()
    )

    assert 'id="statistics-heading"' in html
    assert "Facility 80%" in words(html)
    assert f'href="{analysis_url(q)}"' in html


# Query count -----------------------------------------------------------------------------------

# Session, user, permissions (2), the question, its options, its revisions, the statistics,
# the topic label.
PAGE_QUERIES = 9


@pytest.mark.parametrize("revisions", [1, 4])
def test_the_page_runs_the_same_queries_whatever_the_number_of_revisions(
    client_for: Any,
    instructor: User,
    reviewer: User,
    django_assert_num_queries: Any,
    revisions: int,
) -> None:
    q = question(instructor, "Which regimen, revised?")
    for n in range(revisions):
        if n:
            edit(q, by=reviewer, comment=f"Revision {n + 1}")
        statistics(q, attempts=30 + n, facility=0.5, discrimination=0.2)
    client = client_for(instructor)

    with django_assert_num_queries(PAGE_QUERIES):
        html = client.get(analysis_url(q)).content.decode()

    assert len(revision_texts(html)) == revisions
