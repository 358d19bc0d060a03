"""The audit log in the admin: admins read, filter and search it; nobody can write to it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.urls import reverse

from audit.log import record
from audit.models import AuditEvent
from learners.models import User
from learners.roles import Role
from learners.services import assign_role, deactivate_user

pytestmark = pytest.mark.django_db

LIST = reverse("admin:audit_auditevent_changelist")


@pytest.fixture
def logged(second_student: User, reviewer: User, admin_user: User) -> list[AuditEvent]:
    assign_role(user=second_student, role=Role.INSTRUCTOR, by=admin_user)
    deactivate_user(user=reviewer, by=admin_user)
    return list(AuditEvent.objects.order_by("id"))


def listed_targets(page: Any) -> list[str]:
    return [event.target_repr for event in page.context["cl"].result_list]


def test_admins_see_who_did_what_to_whom_newest_first(
    client_for: Any, admin_user: User, logged: list[AuditEvent]
) -> None:
    page = client_for(admin_user).get(LIST)

    assert page.status_code == 200
    html = page.content.decode()
    assert "Role changed" in html
    assert "User deactivated" in html
    assert "ada-admin" in html
    assert listed_targets(page) == ["rita-reviewer", "sasha-student"]


def test_the_log_filters_by_action_and_searches_names(
    client_for: Any, admin_user: User, logged: list[AuditEvent]
) -> None:
    client = client_for(admin_user)

    by_action = client.get(LIST, {"action__exact": "role_changed"})
    by_target = client.get(LIST, {"q": "rita"})
    by_actor = client.get(LIST, {"q": "ada-admin"})

    assert listed_targets(by_action) == ["sasha-student"]
    assert listed_targets(by_target) == ["rita-reviewer"]
    assert listed_targets(by_actor) == ["rita-reviewer", "sasha-student"]


def test_the_log_is_browsed_by_date(client_for: Any, admin_user: User) -> None:
    record(
        actor=admin_user,
        action=AuditEvent.Action.QUESTIONS_IMPORTED,
        target_repr="old.gift",
        at=datetime.fromisoformat("2025-03-04T10:00:00+00:00"),
    )
    record(
        actor=admin_user,
        action=AuditEvent.Action.QUESTIONS_IMPORTED,
        target_repr="new.gift",
        at=datetime.fromisoformat("2026-05-06T10:00:00+00:00"),
    )

    page = client_for(admin_user).get(LIST, {"created_at__year": "2025"})

    assert listed_targets(page) == ["old.gift"]


@pytest.mark.parametrize("superuser", [False, True])
def test_nobody_can_add_change_or_delete_events(
    client_for: Any, admin_user: User, logged: list[AuditEvent], superuser: bool
) -> None:
    admin_user.is_superuser = superuser
    admin_user.save(update_fields=["is_superuser"])
    client = client_for(admin_user)
    event = logged[0]
    change_url = reverse("admin:audit_auditevent_change", args=[event.pk])

    detail = client.get(change_url)
    changelist = client.get(LIST).content.decode()
    posted = client.post(change_url, {"action": "user_reactivated", "actor_username": "someone"})

    assert detail.status_code == 200
    assert 'name="actor_username"' not in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_delete", args=[event.pk])).status_code == 403
    assert posted.status_code == 403
    assert "delete_selected" not in changelist
    event.refresh_from_db()
    assert (event.action, event.actor_username) == ("role_changed", "ada-admin")


@pytest.mark.parametrize("person", ["student", "instructor"])
def test_students_and_instructors_cannot_read_the_log(
    client_for: Any, logged: list[AuditEvent], person: str, request: Any
) -> None:
    user = request.getfixturevalue(person)
    client = client_for(user)

    assert client.get(LIST).status_code == 302
    assert (
        client.get(reverse("admin:audit_auditevent_change", args=[logged[0].pk])).status_code == 302
    )
