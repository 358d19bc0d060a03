"""The three roles, each a Django group, and the permissions each one grants."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig, apps
from django.db import models

# Admin holds every permission; the others hold exactly these. Later issues add to the lists.
ALL_PERMISSIONS = "*"


class Role(models.TextChoices):
    STUDENT = "Student", "Student"
    INSTRUCTOR = "Instructor", "Instructor"
    ADMIN = "Admin", "Admin"


ROLE_PERMISSIONS: dict[Role, list[str] | str] = {
    Role.STUDENT: ["learners.practise_questions"],
    Role.INSTRUCTOR: [
        "learners.practise_questions",
        "learners.author_questions",
        "quizbank.add_question",
        "quizbank.change_question",
        "quizbank.view_question",
        "quizbank.review_question",
        "quizbank.view_topic",
        "quizbank.add_topic",
        "quizbank.view_tag",
        "quizbank.add_topicsummary",
        "quizbank.change_topicsummary",
        "quizbank.view_topicsummary",
    ],
    Role.ADMIN: ALL_PERMISSIONS,
}


def sync_role_permissions() -> None:
    """Create the role groups if missing and give each exactly its permissions."""
    from django.contrib.auth.models import Group, Permission

    for role, granted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        permissions = Permission.objects.all()
        if granted != ALL_PERMISSIONS:
            wanted = models.Q(pk__in=[])
            for name in granted:
                app_label, codename = name.split(".", 1)
                wanted |= models.Q(content_type__app_label=app_label, codename=codename)
            permissions = permissions.filter(wanted)
        group.permissions.set(permissions)


def sync_role_permissions_after_migrate(sender: AppConfig, **kwargs: Any) -> None:
    """Keep the groups in step with ROLE_PERMISSIONS once every app's permissions exist."""
    # post_migrate fires once per app that has models, in INSTALLED_APPS order; only the last
    # of them sees every permission created.
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender.label == with_models[-1].label:
        sync_role_permissions()
