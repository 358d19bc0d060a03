"""The student's study settings, and the one-click opt-out link of the reminder e-mails."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from learners.forms import StudySettingsForm
from learners.reminders import OptOutLinkError, learner_for_opt_out
from learners.views.practice import PracticeRequest, learner_required


@learner_required
@require_http_methods(["GET", "POST"])
def study_settings(request: PracticeRequest) -> HttpResponse:
    """Show and save the signed-in student's daily goal, exam date, time zone and choices."""
    now = timezone.now()
    if request.method == "POST":
        form = StudySettingsForm(request.POST, instance=request.user, now=now)
        if form.is_valid():
            form.save()
            messages.success(request, "Your study settings are saved.")
            return redirect("study-settings")
    else:
        form = StudySettingsForm(instance=request.user, now=now)
    return render(request, "learners/settings.html", {"form": form})


# The signed token in the link is the credential, so a CSRF token adds nothing; exempting the view
# lets mail clients' RFC 8058 one-click unsubscribe POST to it. GET only asks for confirmation, so
# link scanners that fetch every URL of an e-mail change nothing.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def reminders_stop(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm (GET) and turn off (POST) the reminders of the student the link was sent to."""
    try:
        learner = learner_for_opt_out(token)
    except OptOutLinkError as error:
        return render(request, "learners/reminders_stop.html", {"error": error}, status=400)
    if request.method == "POST":
        if learner.wants_reminders:
            learner.wants_reminders = False
            learner.save(update_fields=["wants_reminders"])
        return redirect(request.path)
    return render(request, "learners/reminders_stop.html", {"learner": learner})
