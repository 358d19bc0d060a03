"""The review steps on a question's page, its history and the review queue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from learners.models import User
from quizbank import services
from quizbank.models import Question, ReviewEvent, Status
from tests.quizbank.samples import sample_content
from tests.quizbank.test_authoring_views import saved_edit

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(draft: Question, instructor: User) -> Question:
    services.submit_for_review(question=draft, by=instructor)
    return draft


# The review workflow --------------------------------------------------------------------------


def step(client: Client, name: str, question: Question, comment: str = "") -> Any:
    return client.post(
        reverse(f"authoring-question-{name}", args=[question.pk]), {"comment": comment}
    )


def test_the_author_submits_a_draft_for_review(
    client_for: Any, instructor: User, draft: Question
) -> None:
    client = client_for(instructor)
    detail = client.get(reverse("authoring-question", args=[draft.pk])).content.decode()

    response = step(client, "submit", draft)

    draft.refresh_from_db()
    assert "Submit for review" in detail
    assert ">Publish</button>" not in detail
    assert response.status_code == 302
    assert draft.status == Status.IN_REVIEW
    assert "Submitted for review." in client.get(response["Location"]).content.decode()


def test_submitting_an_unexplained_draft_lists_what_is_missing(
    client_for: Any, instructor: User
) -> None:
    content = sample_content()
    content.options[1].why_not = ""
    question = services.create_question(content=content, by=instructor)

    response = step(client_for(instructor), "submit", question)

    assert response.status_code == 200
    assert escape("Distractor B needs a 'why not' explanation") in response.content.decode()
    question.refresh_from_db()
    assert question.status == Status.DRAFT


def test_the_author_cannot_publish_their_own_question(
    client_for: Any, instructor: User, in_review: Question
) -> None:
    client = client_for(instructor)
    detail = client.get(reverse("authoring-question", args=[in_review.pk])).content.decode()

    response = step(client, "publish", in_review)

    in_review.refresh_from_db()
    assert ">Publish</button>" not in detail
    assert response.status_code == 403
    assert in_review.status == Status.IN_REVIEW


def test_a_second_instructor_publishes_a_question_in_review(
    client_for: Any, reviewer: User, in_review: Question
) -> None:
    client = client_for(reviewer)
    detail = client.get(reverse("authoring-question", args=[in_review.pk])).content.decode()

    response = step(client, "publish", in_review, comment="Clear and well referenced.")

    in_review.refresh_from_db()
    assert ">Publish</button>" in detail
    assert ">Request changes</button>" in detail
    assert response.status_code == 302
    assert in_review.status == Status.PUBLISHED
    assert in_review.review_events.last().comment == "Clear and well referenced."  # type: ignore[union-attr]


def test_an_admin_may_publish_their_own_draft_as_an_override(
    client_for: Any, admin_user: User
) -> None:
    question = services.create_question(content=sample_content(), by=admin_user)
    client = client_for(admin_user)
    detail = client.get(reverse("authoring-question", args=[question.pk])).content.decode()

    step(client, "publish", question)

    question.refresh_from_db()
    assert ">Publish</button>" in detail
    assert question.status == Status.PUBLISHED
    assert "without a second reviewer" in question.review_events.get(action="published").comment


def test_a_step_the_workflow_does_not_allow_shows_an_error_message(
    client_for: Any, reviewer: User, draft: Question
) -> None:
    client = client_for(reviewer)

    response = step(client, "publish", draft)

    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    followed = client.get(response["Location"]).content.decode()
    assert "A draft question cannot be published." in followed


def test_requesting_changes_needs_a_comment_and_returns_the_question_to_draft(
    client_for: Any, reviewer: User, in_review: Question
) -> None:
    client = client_for(reviewer)

    refused = step(client, "request-changes", in_review, comment=" ")
    in_review.refresh_from_db()
    status_after_refusal = in_review.status
    accepted = step(client, "request-changes", in_review, comment="Cite the trial for option C.")

    in_review.refresh_from_db()
    assert '<ul class="errorlist" id="id_comment_error"><li>Say what should change.' in (
        refused.content.decode()
    )
    assert status_after_refusal == Status.IN_REVIEW
    assert accepted.status_code == 302
    assert in_review.status == Status.DRAFT


def test_the_author_retires_a_published_question_and_a_reviewer_may_only_ask(
    client_for: Any, instructor: User, reviewer: User, in_review: Question
) -> None:
    services.publish_question(question=in_review, by=reviewer)
    url = reverse("authoring-question", args=[in_review.pk])
    reviewers_page = client_for(reviewer).get(url).content.decode()
    authors = client_for(instructor)
    authors_page = authors.get(url).content.decode()

    refused = step(client_for(reviewer), "retire", in_review, comment="Superseded.")
    step(authors, "retire", in_review, comment="Superseded by the 2024 guideline.")

    in_review.refresh_from_db()
    assert refused.status_code == 403
    assert ">Retire</button>" in authors_page and ">Retire</button>" not in reviewers_page
    assert ">Ask to retire</button>" in reviewers_page
    assert in_review.status == Status.RETIRED


def test_any_instructor_comments_and_the_comment_is_shown(
    client_for: Any, reviewer: User, draft: Question
) -> None:
    client = client_for(reviewer)

    response = step(client, "comment", draft, comment="Is the creatinine relevant?")

    html = client.get(response["Location"]).content.decode()
    assert "Is the creatinine relevant?" in html
    assert "Commented" in html
    assert draft.review_events.get().actor == reviewer


def test_the_history_shows_who_changed_what_beside_the_review_events(
    client_for: Any, instructor: User, draft: Question
) -> None:
    client = client_for(instructor)
    saved_edit(client, draft, stem="A reworded vignette.")
    step(client, "submit", draft)

    html = client.get(reverse("authoring-question", args=[draft.pk])).content.decode()

    assert "Changed stem" in html
    assert "Created" in html
    assert "by ingrid-instructor" in html
    assert "Submitted for review" in html
    assert html.index("Review events") < html.index("History")


# The review queue -----------------------------------------------------------------------------


def test_the_review_queue_lists_others_questions_in_review_oldest_first(
    client_for: Any, instructor: User, reviewer: User
) -> None:
    older, newer, own, _draft = (
        services.create_question(content=sample_content(name="", lead_in=lead_in), by=author)
        for lead_in, author in [
            ("Older submission?", instructor),
            ("Newer submission?", instructor),
            ("The reviewer's own?", reviewer),
            ("Still a draft?", instructor),
        ]
    )
    for question, author in [(newer, instructor), (older, instructor), (own, reviewer)]:
        services.submit_for_review(question=question, by=author)
    ReviewEvent.objects.filter(question=older).update(
        created_at=ReviewEvent.objects.get(question=newer).created_at - timedelta(days=3)
    )

    html = client_for(reviewer).get(reverse("authoring-review-queue")).content.decode()

    assert html.index("Older submission?") < html.index("Newer submission?")
    assert "waiting 3\xa0days" in html
    assert escape("The reviewer's own?") not in html
    assert "Still a draft?" not in html


def test_the_review_steps_accept_only_post(
    client_for: Any, instructor: User, draft: Question
) -> None:
    response = client_for(instructor).get(reverse("authoring-question-submit", args=[draft.pk]))

    assert response.status_code == 405
