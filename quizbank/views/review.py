"""A question's page (its content, workflow buttons, comments and history), the review steps
and the review queue."""

from __future__ import annotations

import json
from typing import Any, Protocol

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from decision.verification import check_with_newest
from learners.models import User
from quizbank import access, reports, retirement, services
from quizbank.forms import CommentForm, QuestionImageForm, messages_by_field
from quizbank.models import ProblemReport, Question, ReviewEvent
from quizbank.statistics import revision_statistics
from quizbank.views.authoring import AuthoringRequest, instructor_required, question_rows

QUEUE_PAGE_SIZE = 50


class WorkflowStep(Protocol):
    def __call__(self, *, question: Question, by: User, comment: str) -> object: ...


def render_detail(
    request: AuthoringRequest,
    question: Question,
    *,
    comment_form: CommentForm | None = None,
    workflow_errors: list[str] | None = None,
) -> HttpResponse:
    events = question.review_events.select_related("actor")
    options = list(question.options.all())
    versions = services.question_history(question)
    # Item statistics are the author's and the admins' business, not every reviewer's.
    shows_statistics = question.is_authored_by(request.user) or access.is_admin(request.user)
    context: dict[str, Any] = {
        "question": question,
        "options": options,
        "topic_label": question.topic.label,
        "actions": services.question_actions(question=question, by=request.user),
        "comment_form": comment_form or CommentForm(),
        "image_form": QuestionImageForm(),
        "decision_check": check_with_newest(question),
        "workflow_errors": workflow_errors or [],
        "events": list(events),
        "retirement_requests": list(
            question.retirement_requests.open().select_related("requested_by")
        ),
        "versions": versions,
        "shows_statistics": shows_statistics,
        "statistics": (
            revision_statistics(question, versions=versions, options=options)
            if shows_statistics
            else []
        ),
        "decision_case": (
            json.dumps(question.decision_case, indent=2, ensure_ascii=False)
            if question.decision_case is not None
            else ""
        ),
    }
    return render(request, "quizbank/question_detail.html", context)


@instructor_required
def question_detail(request: AuthoringRequest, pk: int) -> HttpResponse:
    """Show a question with its answer key, its review, its revisions and their statistics."""
    question = get_object_or_404(Question.objects.with_full_content(), pk=pk)
    return render_detail(request, question)


def take_step(request: AuthoringRequest, pk: int, step: WorkflowStep, done: str) -> HttpResponse:
    """Run one review step; refusals by access rules propagate as 403."""
    question = get_object_or_404(Question.objects.with_full_content(), pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            step(question=question, by=request.user, comment=form.cleaned_data["comment"])
        except services.WorkflowError as error:
            messages.error(request, error.message)
            return redirect("authoring-question", pk=question.pk)
        except ValidationError as error:
            return render_detail(
                request, question, comment_form=form, workflow_errors=step_errors(error, form)
            )
        else:
            messages.success(request, done)
            return redirect("authoring-question", pk=question.pk)
    return render_detail(request, question, comment_form=form)


def step_errors(error: ValidationError, form: CommentForm) -> list[str]:
    """Put comment errors on the comment field and return the question's own problems."""
    problems = []
    for field, texts in messages_by_field(error).items():
        if field == "comment":
            form.add_error("comment", texts)
        else:
            problems.extend(texts)
    return problems


@instructor_required
@require_POST
def question_submit(request: AuthoringRequest, pk: int) -> HttpResponse:
    return take_step(request, pk, services.submit_for_review, "Submitted for review.")


@instructor_required
@require_POST
def question_request_changes(request: AuthoringRequest, pk: int) -> HttpResponse:
    return take_step(
        request, pk, services.request_changes, "Returned to its author with your comment."
    )


@instructor_required
@require_POST
def question_publish(request: AuthoringRequest, pk: int) -> HttpResponse:
    return take_step(request, pk, services.publish_question, "Published.")


@instructor_required
@require_POST
def question_retire(request: AuthoringRequest, pk: int) -> HttpResponse:
    return take_step(request, pk, services.retire_question, "Retired from practice.")


def _request_retirement(*, question: Question, by: User, comment: str) -> None:
    # The page's comment field carries the reason.
    try:
        retirement.request_retirement(question=question, by=by, reason=comment, now=timezone.now())
    except ValidationError as error:
        raise ValidationError({"comment": messages_by_field(error)["reason"]}) from error


def _decline_retirement(*, question: Question, by: User, comment: str) -> None:
    retirement.decline_retirement(question=question, by=by, comment=comment, now=timezone.now())


@instructor_required
@require_POST
def question_request_retirement(request: AuthoringRequest, pk: int) -> HttpResponse:
    done = "Asked the author to retire the question; the request waits in their review queue."
    return take_step(request, pk, _request_retirement, done)


@instructor_required
@require_POST
def question_decline_retirement(request: AuthoringRequest, pk: int) -> HttpResponse:
    return take_step(request, pk, _decline_retirement, "Kept in practice; the requests closed.")


@instructor_required
@require_POST
def question_comment(request: AuthoringRequest, pk: int) -> HttpResponse:
    return take_step(request, pk, services.comment_on_question, "Comment added.")


def _override(*, question: Question, by: User, comment: str) -> None:
    services.override_decision_model(question=question, by=by, reason=comment)


def _fill(*, question: Question, by: User, comment: str) -> None:
    services.fill_from_decision_model(question=question, by=by)


@instructor_required
@require_POST
def question_decision_override(request: AuthoringRequest, pk: int) -> HttpResponse:
    return take_step(request, pk, _override, "Recorded why the key stands.")


@instructor_required
@require_POST
def question_decision_fill(request: AuthoringRequest, pk: int) -> HttpResponse:
    return take_step(request, pk, _fill, "Filled the empty explanations from the decision model.")


@instructor_required
def review_queue(request: AuthoringRequest) -> HttpResponse:
    """List questions awaiting review by someone other than their author, oldest first."""
    submitted = ReviewEvent.objects.filter(
        question=OuterRef("pk"), action=ReviewEvent.Action.SUBMITTED
    ).order_by("-created_at")
    # An imported question may enter review without a submission event: its last change counts.
    questions = (
        Question.objects.awaiting_review()
        .exclude(author=request.user)
        .with_list_details()
        .annotate(submitted_at=Coalesce(Subquery(submitted.values("created_at")[:1]), "updated_at"))
        .order_by(F("submitted_at").asc(), "pk")
    )
    page = Paginator(questions, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    open_reports = ProblemReport.objects.unresolved().select_related("question__topic")
    context = {
        "page": page,
        "rows": question_rows(page),
        "reports": open_reports[:QUEUE_PAGE_SIZE],
        "retirement_requests": retirement.open_requests_for(request.user),
    }
    return render(request, "quizbank/review_queue.html", context)


@instructor_required
@require_POST
def problem_report_resolve(request: AuthoringRequest, pk: int) -> HttpResponse:
    """Close a student's problem report once the question has been looked at."""
    report = get_object_or_404(ProblemReport, pk=pk)
    reports.resolve_problem_report(report=report, by=request.user, now=timezone.now())
    messages.success(request, "Report closed.")
    return redirect("authoring-review-queue")
