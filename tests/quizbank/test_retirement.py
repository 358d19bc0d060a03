"""Retiring is a review decision: the author or an admin retires at once; another instructor
asks, the request waits in the decider's review queue, and the audit log records each step.
Reading and commenting on colleagues' questions stays open to instructors."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from learners.models import User
from learners.roles import Role
from quizbank import retirement, services
from quizbank.models import Question, RetirementRequest, ReviewEvent, Status
from tests.conftest import make_user
from tests.quizbank.samples import sample_content

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(instructor: User) -> Question:
    return services.create_question(
        content=sample_content(), by=instructor, status=Status.PUBLISHED
    )


def post(client: Client, name: str, question: Question, comment: str = "") -> Any:
    return client.post(
        reverse(f"authoring-question-{name}", args=[question.pk]), {"comment": comment}
    )


def audit_actions() -> list[tuple[str, str]]:
    return list(AuditEvent.objects.order_by("id").values_list("action", "actor_username"))


def test_another_instructor_cannot_retire_a_colleagues_question_by_any_door(
    client_for: Any, reviewer: User, published: Question
) -> None:
    client: Client = client_for(reviewer)
    api_url = f"/api/v1/questions/{published.pk}/"

    page = post(client, "retire", published, comment="Mine now.")
    api = client.patch(api_url, {"status": "retired"}, content_type="application/json")
    with pytest.raises(PermissionDenied):
        services.retire_question(question=published, by=reviewer)

    assert (page.status_code, api.status_code) == (403, 403)
    published.refresh_from_db()
    assert published.status == Status.PUBLISHED
    assert audit_actions() == []


def test_an_admin_retires_any_question_at_once(
    client_for: Any, admin_user: User, published: Question
) -> None:
    post(client_for(admin_user), "retire", published, comment="Withdrawn guideline.")

    published.refresh_from_db()
    assert published.status == Status.RETIRED
    assert audit_actions() == [("question_retired", "ada-admin")]


def test_a_request_waits_in_the_authors_queue_and_retiring_closes_it(
    client_for: Any, instructor: User, reviewer: User, published: Question
) -> None:
    third = make_user("theo-instructor", Role.INSTRUCTOR)
    reason = "The 2025 update changed the answer."

    asked = post(client_for(reviewer), "request-retirement", published, comment=reason)
    authors_queue = client_for(instructor).get(reverse("authoring-review-queue"))
    others_queue = client_for(third).get(reverse("authoring-review-queue"))
    post(client_for(instructor), "retire", published, comment="Agreed.")

    assert asked.status_code == 302
    assert reason in authors_queue.content.decode()
    assert reason not in others_queue.content.decode()
    published.refresh_from_db()
    assert published.status == Status.RETIRED
    request = RetirementRequest.objects.get()
    assert (request.outcome, request.resolved_by) == ("retired", instructor)
    assert list(published.review_events.values_list("action", flat=True)) == [
        ReviewEvent.Action.RETIREMENT_REQUESTED,
        ReviewEvent.Action.RETIRED,
    ]
    assert audit_actions() == [
        ("retirement_requested", "rita-reviewer"),
        ("question_retired", "ingrid-instructor"),
    ]


def test_the_author_keeps_the_question_in_practice_saying_why(
    client_for: Any, instructor: User, reviewer: User, published: Question
) -> None:
    retirement.request_retirement(
        question=published, by=reviewer, reason="Outdated?", now=timezone.now()
    )
    client: Client = client_for(instructor)
    page = client.get(reverse("authoring-question", args=[published.pk])).content.decode()

    without_reason = post(client, "decline-retirement", published)
    post(client, "decline-retirement", published, comment="Still current practice.")

    assert "Outdated?" in page and ">Keep in practice</button>" in page
    assert "Say why the question stays in practice." in without_reason.content.decode()
    published.refresh_from_db()
    assert published.status == Status.PUBLISHED
    assert RetirementRequest.objects.get().outcome == "declined"
    assert RetirementRequest.objects.open().count() == 0
    assert audit_actions() == [
        ("retirement_requested", "rita-reviewer"),
        ("retirement_declined", "ingrid-instructor"),
    ]


def test_only_the_author_or_an_admin_declines(reviewer: User, published: Question) -> None:
    retirement.request_retirement(
        question=published, by=reviewer, reason="Outdated?", now=timezone.now()
    )

    with pytest.raises(PermissionDenied):
        retirement.decline_retirement(
            question=published, by=reviewer, comment="No.", now=timezone.now()
        )


def test_the_api_takes_a_request_with_its_reason_and_refuses_what_makes_no_sense(
    client_for: Any, instructor: User, reviewer: User, published: Question
) -> None:
    url = f"/api/v1/questions/{published.pk}/retirement-requests/"
    theirs: Client = client_for(reviewer)

    def send(client: Client, body: dict[str, Any]) -> Any:
        return client.post(url, body, content_type="application/json")

    made = send(theirs, {"reason": "Superseded."})
    twice = send(theirs, {"reason": "Superseded."})
    empty = send(client_for(make_user("theo", Role.INSTRUCTOR)), {"reason": "  "})
    by_author = send(client_for(instructor), {"reason": "Mine."})
    by_student = send(client_for(make_user("sid", Role.STUDENT)), {"reason": "Hard."})

    assert made.status_code == 201
    assert made.json()["reason"] == "Superseded."
    assert (twice.status_code, twice.json()["code"]) == (409, "already_requested")
    assert (empty.status_code, list(empty.json())) == (400, ["reason"])
    assert (by_author.status_code, by_author.json()["code"]) == (409, "may_retire")
    assert by_student.status_code == 403
    assert RetirementRequest.objects.count() == 1


def test_a_draft_cannot_be_asked_to_retire(reviewer: User, instructor: User) -> None:
    draft = services.create_question(content=sample_content(), by=instructor)

    with pytest.raises(services.WorkflowError) as refused:
        retirement.request_retirement(question=draft, by=reviewer, reason="x", now=timezone.now())

    assert refused.value.code == "not_published"


def test_instructors_still_read_and_comment_on_colleagues_drafts(
    client_for: Any, instructor: User, reviewer: User
) -> None:
    draft = services.create_question(content=sample_content(), by=instructor)
    client: Client = client_for(reviewer)

    page = client.get(reverse("authoring-question", args=[draft.pk]))
    commented = post(client, "comment", draft, comment="Is the creatinine relevant?")

    assert page.status_code == 200
    assert commented.status_code == 302
    assert draft.review_events.get().comment == "Is the creatinine relevant?"
