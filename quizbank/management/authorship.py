"""Who a management command writes questions as: the named user, or the first active admin."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db.models import Q

from learners.models import User
from learners.roles import Role
from quizbank import access

# Exit status for bad usage, shared by the commands that author questions.
USAGE = 2


def command_author(username: str) -> User:
    """Return the author for a command; a CommandError (exit 2) names what is wrong."""
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f'There is no user "{username}".', returncode=USAGE)
    else:
        admins = User.objects.filter(is_active=True).filter(
            Q(is_superuser=True) | Q(groups__name=Role.ADMIN)
        )
        user = admins.order_by("pk").first()
        if user is None:
            raise CommandError(
                "There is no active admin to be the author: name one with --author USERNAME.",
                returncode=USAGE,
            )
    if not access.is_author(user):
        raise CommandError(
            f'"{user.username}" cannot author questions: the author must be an active '
            "instructor or admin.",
            returncode=USAGE,
        )
    return user
