"""The student's progress dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
@permission_required("learners.practise_questions", raise_exception=True)
def practice_dashboard(request: HttpRequest) -> HttpResponse:
    """Show the student's practice dashboard."""
    return render(request, "learners/dashboard.html")
