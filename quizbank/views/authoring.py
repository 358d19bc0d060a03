"""Authoring pages for instructors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
@permission_required("learners.author_questions", raise_exception=True)
def authoring_home(request: HttpRequest) -> HttpResponse:
    """Show the instructor's authoring area."""
    return render(request, "quizbank/authoring_home.html")
