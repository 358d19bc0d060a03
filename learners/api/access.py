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
        return bool(user.is_authenticated and user.has_perm("learners.practise_questions"))


PRACTICE_PERMISSIONS = [permissions.IsAuthenticated, CanPractise]


def learner_of(request: Request) -> User:
    """Return the authenticated user a practice request acts for."""
    return cast(User, request.user)
