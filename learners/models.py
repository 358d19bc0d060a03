"""Accounts. Practice sessions, responses and schedules join this module in later issues."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower

from learners.roles import Role


class User(AbstractUser):
    """A person using the platform; their role is the group they belong to."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="unique_user_email_ci",
                violation_error_message="An account with this e-mail address already exists.",
            ),
        ]
        permissions = [
            ("practise_questions", "Can practise questions"),
            ("author_questions", "Can author and review questions"),
            ("view_platform_dashboard", "Can view the admin dashboard"),
        ]

    @property
    def role(self) -> Role:
        """Return the highest role this user holds (a superuser is an Admin)."""
        if self.is_superuser:
            return Role.ADMIN
        names = {group.name for group in self.groups.all()}
        for role in (Role.ADMIN, Role.INSTRUCTOR):
            if role.value in names:
                return role
        return Role.STUDENT
