"""Authoring pages for instructors: the question list, the editor and the student preview.

Every page needs a signed-in user with `learners.author_questions` (students get 403). Whether
the user may edit a given question comes from quizbank.access, and the services check it again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from learners.models import User
from quizbank import access, services
from quizbank.forms import QuestionEditor, question_filters
from quizbank.models import Question, topic_labels

PAGE_SIZE = 25


class AuthoringRequest(HttpRequest):
    """A request that passed `instructor_required`, so its user is signed in."""

    user: User


def instructor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send anonymous visitors to log in and refuse users who do not author questions (403)."""
    return login_required(
        permission_required("learners.author_questions", raise_exception=True)(view)
    )


def question_rows(questions: Iterable[Question]) -> list[tuple[Question, str]]:
    """Pair each question of a page with its topic's full label, in one query for all."""
    questions = list(questions)
    labels = topic_labels(question.topic for question in questions)
    return [(question, labels[question.topic_id]) for question in questions]


@instructor_required
def question_list(request: AuthoringRequest) -> HttpResponse:
    """List the bank, searched and filtered, a page at a time."""
    filters = question_filters(request.GET, Question.objects.with_list_details())
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "quizbank/question_list.html",
        {"filters": filters, "page": page, "rows": question_rows(page)},
    )


@instructor_required
@require_http_methods(["GET", "POST"])
def question_create(request: AuthoringRequest) -> HttpResponse:
    """Write a new question; it is saved as a draft."""
    editor = QuestionEditor(request.POST if request.method == "POST" else None)
    if request.method == "POST" and editor.is_valid():
        try:
            question = services.create_question(content=editor.content(), by=request.user)
        except ValidationError as error:
            editor.add_service_errors(error)
        else:
            messages.success(request, "The draft is saved.")
            return redirect("authoring-question", pk=question.pk)
    return render(request, "quizbank/question_form.html", {"editor": editor, "question": None})


@instructor_required
@require_http_methods(["GET", "POST"])
def question_edit(request: AuthoringRequest, pk: int) -> HttpResponse:
    """Edit a question the user may edit (their own draft, or any as a reviewer or admin)."""
    question = get_object_or_404(Question.objects.with_full_content(), pk=pk)
    if not access.can_edit(request.user, question):
        raise PermissionDenied("You may not edit this question.")
    data = request.POST if request.method == "POST" else None
    editor = QuestionEditor(data, question=question)
    if request.method == "POST" and editor.is_valid():
        content = editor.content()
        try:
            services.update_question(question=question, content=content, by=request.user)
        except ValidationError as error:
            editor.add_service_errors(error)
        else:
            if editor.changes(content):
                messages.success(request, "Your changes are saved.")
            else:
                messages.info(request, "Nothing had changed, so nothing was saved.")
            return redirect("authoring-question", pk=question.pk)
    return render(request, "quizbank/question_form.html", {"editor": editor, "question": question})


@instructor_required
@require_http_methods(["GET", "POST"])
def question_preview(request: AuthoringRequest, pk: int) -> HttpResponse:
    """Show the question as a student sees it; answering shows the feedback. Nothing is saved."""
    question = get_object_or_404(Question.objects.with_full_content(), pk=pk)
    options = list(question.options.all())
    context: dict[str, Any] = {"question": question, "options": options, "selected": []}
    if request.method == "POST":
        chosen = set(request.POST.getlist("option"))
        selected = [option.pk for option in options if str(option.pk) in chosen]
        if selected:
            correct = {option.pk for option in question.correct_options()}
            context.update(answered=True, selected=selected, is_correct=set(selected) == correct)
        else:
            context["card_error"] = "Choose an answer to see the feedback."
    return render(request, "quizbank/question_preview.html", context)
