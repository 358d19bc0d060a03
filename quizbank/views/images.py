"""Question images: served to signed-in users, added and removed by those who may edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from learners.models import User
from quizbank import access, services
from quizbank.forms import QuestionImageForm, messages_by_field
from quizbank.images import ALLOWED_FORMATS
from quizbank.models import Question, QuestionImage, Status
from quizbank.views.authoring import AuthoringRequest, instructor_required


@login_required
@require_GET
def question_image_file(request: HttpRequest, pk: int) -> FileResponse:
    """Send an image through Django, so it works on every server and obeys who may see it."""
    image = get_object_or_404(QuestionImage.objects.select_related("question"), pk=pk)
    user = request.user
    may_see = image.question.status == Status.PUBLISHED or (
        isinstance(user, User) and access.is_author(user)
    )
    if not may_see:
        raise Http404("No such image.")
    try:
        handle = image.image.open("rb")
    except FileNotFoundError as error:
        raise Http404("The image file is missing.") from error
    kind = image.image.name.rsplit(".", 1)[-1].upper().replace("JPG", "JPEG")
    response = FileResponse(handle, content_type=ALLOWED_FORMATS.get(kind, "image/png"))
    response["Cache-Control"] = "private, max-age=86400"
    return response


@instructor_required
@require_POST
def question_image_add(request: AuthoringRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question, pk=pk)
    form = QuestionImageForm(request.POST, request.FILES)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {' '.join(map(str, errors))}")
        return redirect("authoring-question", pk=pk)
    try:
        services.add_question_image(
            question=question,
            upload=form.cleaned_data["image"],
            alt_text=form.cleaned_data["alt_text"],
            by=request.user,
        )
    except ValidationError as error:
        for texts in messages_by_field(error).values():
            for text in texts:
                messages.error(request, text)
    else:
        messages.success(request, "The image was added.")
    return redirect("authoring-question", pk=pk)


@instructor_required
@require_POST
def question_image_remove(request: AuthoringRequest, pk: int, image_pk: int) -> HttpResponse:
    image = get_object_or_404(QuestionImage, pk=image_pk, question_id=pk)
    services.remove_question_image(image=image, by=request.user)
    messages.success(request, "The image was removed.")
    return redirect("authoring-question", pk=pk)
