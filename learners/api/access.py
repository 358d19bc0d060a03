"""Who may use the practice endpoints, and the learner a request acts for."""

from __future__ import annotations

from typing import cast

from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from learners.models import User


class CanPractise(permissions.BasePermission):
    """Users who practise questions (students; instructors and admins hold it too)."""

    message = "Only students practise questions."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not user.is_authenticated:
            return False
        # Answering acts on a session the learner owns (the lookup is scoped to them), which
        # they could only build holding this permission; skipping the check there saves the
        # two permission queries on the platform's busiest endpoint.
        if getattr(view, "action", None) == "responses":
            return True
        return user.has_perm("learners.practise_questions")


PRACTICE_PERMISSIONS = [permissions.IsAuthenticated, CanPractise]


def learner_of(request: Request) -> User:
    """Return the authenticated user a practice request acts for."""
    return cast(User, request.user)
