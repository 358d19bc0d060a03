"""Requests to take a published question out of practice, and their decisions.

Retiring changes what every student practises, so it is a review decision like publishing: the
author or an admin retires at once (`services.retire_question`, which closes the open requests);
any other instructor asks with a reason, the request waits in the review queue of those who can
decide it, and the audit log records the request and the decision.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.log import record
from audit.models import AuditEvent
from learners.models import User
from quizbank import access
from quizbank.models import Question, RetirementRequest, ReviewEvent, Status
from quizbank.services import WorkflowError

MAX_REASON = 5000


def open_requests_for(user: User) -> list[RetirementRequest]:
    """Return the open requests `user` may decide: on their own questions, all for an admin."""
    requests = RetirementRequest.objects.open().select_related("question__topic", "requested_by")
    if not access.is_admin(user):
        requests = requests.filter(question__author=user)
    return list(requests)


@transaction.atomic
def request_retirement(
    *, question: Question, by: User, reason: str, now: datetime
) -> RetirementRequest:
    """Ask the author (or an admin) to retire a published question, saying why."""
    access.require(access.is_author(by), "Only instructors and admins ask to retire questions.")
    if access.may_retire(by, question):
        raise WorkflowError(
            "You may retire this question yourself; no request is needed.", code="may_retire"
        )
    if question.status != Status.PUBLISHED:
        raise WorkflowError("Only a published question can be retired.", code="not_published")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the question should be retired."]})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": ["Keep the reason under 5,000 characters."]})
    try:
        with transaction.atomic():
            request = RetirementRequest.objects.create(
                question=question, requested_by=by, reason=reason
            )
    except IntegrityError as error:
        raise WorkflowError(
            "You have already asked to retire this question.", code="already_requested"
        ) from error
    ReviewEvent.objects.create(
        question=question, actor=by, action=ReviewEvent.Action.RETIREMENT_REQUESTED, comment=reason
    )
    record(
        actor=by,
        action=AuditEvent.Action.RETIREMENT_REQUESTED,
        target=question,
        details={"reason": reason},
        at=now,
    )
    return request


@transaction.atomic
def decline_retirement(*, question: Question, by: User, comment: str, now: datetime) -> int:
    """Keep the question in practice: close its open requests as declined, saying why."""
    access.require(
        access.may_retire(by, question), "Only the question's author or an admin decides."
    )
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": ["Say why the question stays in practice."]})
    closed = question.retirement_requests.close(
        outcome=RetirementRequest.Outcome.DECLINED, by=by, now=now
    )
    if not closed:
        raise WorkflowError("No request to retire this question is open.", code="no_request")
    ReviewEvent.objects.create(
        question=question, actor=by, action=ReviewEvent.Action.RETIREMENT_DECLINED, comment=comment
    )
    record(
        actor=by,
        action=AuditEvent.Action.RETIREMENT_DECLINED,
        target=question,
        details={"comment": comment, "requests": closed},
        at=now,
    )
    return closed
