"""Pages of the decision module for instructors: generate draft questions from a model."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from decision.engine import model_ids
from decision.engine.vignettes import generator_ids
from decision.tasks import generate_questions_task
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
