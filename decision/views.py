"""Pages of the decision module for instructors: generate draft questions from a model, and
link a question to a model version with its case."""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from decision import engine
from decision.case_forms import CaseEditor, ModelVersionForm, reference_of
from decision.engine import CaseError, DecisionModel, model_ids
from decision.engine.vignettes import generator_ids
from decision.tasks import generate_questions_task
from decision.verification import check_with_newest
from quizbank import access, services
from quizbank.forms import messages_by_field
from quizbank.models import Question
from quizbank.views.authoring import AuthoringRequest, instructor_required

MAX_COUNT = 50


def model_choices() -> list[tuple[str, str]]:
    """Return the registered models that can also write vignettes, as form choices."""
    return [(model, model) for model in model_ids() if model in generator_ids()]


class GenerateForm(forms.Form):
    # A callable: the list is read when a form is built, after every model has registered.
    model = forms.ChoiceField(label="Decision model", choices=model_choices)
    count = forms.IntegerField(
        label="Number of questions", min_value=1, max_value=MAX_COUNT, initial=10
    )
    seed = forms.IntegerField(
        label="Seed",
        min_value=0,
        help_text="The same seed gives the same questions; a repeated run adds no duplicates.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seed"].initial = secrets.randbelow(1_000_000)


@instructor_required
@require_http_methods(["GET", "POST"])
def generate(request: AuthoringRequest) -> HttpResponse:
    """Queue the generation of draft questions; they are saved in the background."""
    form = GenerateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        model, count, seed = (form.cleaned_data[key] for key in ("model", "count", "seed"))
        user_id = request.user.pk
        transaction.on_commit(lambda: generate_questions_task.delay(model, count, seed, user_id))
        messages.success(
            request,
            f"Generating {count} draft questions; they will appear in the authoring list.",
        )
        return redirect("decision-generate")
    return render(request, "decision/generate.html", {"form": form})


def linked_model(question: Question) -> DecisionModel | None:
    """Return the model version the question is linked to; None if none, or not registered."""
    if not question.decision_model:
        return None
    try:
        return engine.model(question.decision_model)
    except CaseError:
        return None


@instructor_required
@require_http_methods(["GET", "POST"])
def question_case(request: AuthoringRequest, pk: int) -> HttpResponse:
    """Link a question to a model version, its case written in inputs made from the schema.

    GET ?model=MODEL@VERSION shows another version's inputs; the engine validates on save, and
    the link is saved as an edit of the question (a revision, like the question editor's).
    """
    question = get_object_or_404(Question.objects.with_full_content(), pk=pk)
    if not access.can_edit(request.user, question):
        raise PermissionDenied("You may not edit this question.")
    params = request.POST if request.method == "POST" else request.GET
    stored = linked_model(question)
    chooser = ModelVersionForm(
        params if "model" in params else None,
        initial={"model": reference_of(stored) if stored is not None else ""},
    )
    chosen = stored if not chooser.is_bound else None
    if chooser.is_bound and chooser.is_valid():
        chosen = engine.model(chooser.cleaned_data["model"])
    editor = None
    if chosen is not None:
        data = request.POST if request.method == "POST" else None
        options = list(question.options.all())
        editor = CaseEditor(data, model=chosen, options=options, case=question.decision_case)
        if request.method == "POST" and editor.is_valid() and save_link(request, question, editor):
            return redirect("decision-question-case", pk=question.pk)
    context = {
        "question": question,
        "chooser": chooser,
        "editor": editor,
        "is_unregistered": bool(question.decision_model) and stored is None,
        "decision_check": check_with_newest(question),
    }
    return render(request, "decision/question_case.html", context)


def save_link(request: AuthoringRequest, question: Question, editor: CaseEditor) -> bool:
    """Validate the case with the engine and save the link; on refusal, show why and say False."""
    reference, case = reference_of(editor.model), editor.case()
    try:
        engine.decide(reference, case)
    except CaseError as error:
        editor.add_case_error(error)
        return False
    base = services.question_content(question)
    content = dataclasses.replace(base, decision_model=reference, decision_case=case)
    try:
        services.update_question(question=question, content=content, by=request.user)
    except ValidationError as error:
        editor.non_field_errors.extend(
            text for texts in messages_by_field(error).values() for text in texts
        )
        return False
    if services.changed_fields(base, content):
        messages.success(request, f"The question is linked to {reference} with this case.")
    else:
        messages.info(request, "Nothing had changed, so nothing was saved.")
    return True
