"""Account workflows shared by the web views, the API, the admin and the demo set-up."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from learners.models import User
from learners.roles import Role


@transaction.atomic
def register_student(*, username: str, email: str, password: str) -> User:
    """Create a self-service account; every new sign-up is a Student."""
    user = User.objects.create_user(username=username, email=email, password=password)
    assign_role(user=user, role=Role.STUDENT)
    return user


@transaction.atomic
def assign_role(*, user: User, role: Role) -> None:
    """Make `role` the user's only role; Admins also get access to the admin site."""
    user.groups.set([Group.objects.get(name=role.value)])
    is_staff = role == Role.ADMIN
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
