"""The import page: upload a GIFT, Aiken, Moodle XML or JSON file of questions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from quizbank import access
from quizbank.forms import ImportForm, messages_by_field
from quizbank.importing import ImportReport, import_questions
from quizbank.views.authoring import AuthoringRequest, instructor_required


@instructor_required
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthoringRequest) -> HttpResponse:
    """Import a file of questions (or only check it, as a dry run) and show the report."""
    posted = request.method == "POST"
    can_publish = access.is_admin(request.user)
    form = (
        ImportForm(request.POST, request.FILES, can_publish=can_publish)
        if posted
        else ImportForm(can_publish=can_publish)
    )
    report: ImportReport | None = None
    if posted and form.is_valid():
        try:
            report = import_questions(
                text=form.cleaned_data["file"],
                fmt=form.cleaned_data["format"],
                by=request.user,
                topic_path=form.topic_names(),
                publish=form.cleaned_data.get("publish", False),
                dry_run=form.cleaned_data["dry_run"],
                source=form.source_name(),
            )
        except ValidationError as error:
            for field, texts in messages_by_field(error).items():
                form.add_error("topic_path" if field == "topic" else None, texts)
    return render(request, "quizbank/import.html", {"form": form, "report": report})
