"""User management in the admin: roles, deactivation, exports and erasure, each audited, and
the guards that keep an admin from locking themselves out."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from learners.models import Note, User
from learners.roles import Role
from learners.services import deactivate_user
from tests.conftest import PASSWORD
from tests.learners.pages import Learner

pytestmark = pytest.mark.django_db

LIST = reverse("admin:learners_user_changelist")


def change_url(user: User) -> str:
    return reverse("admin:learners_user_change", args=[user.pk])


def change_form_data(client: Client, user: User, **changes: str) -> dict[str, Any]:
    """The change form as the admin page fills it in, with `changes` made."""
    form = client.get(change_url(user)).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.pop("last_login", None)
    data.pop("date_joined", None)
    data["is_active"] = "on" if user.is_active else ""
    data["role"] = user.role.value
    data.update(changes)
    return {name: value for name, value in data.items() if value != ""}


def run_action(client: Client, action: str, users: list[User], **extra: str) -> Any:
    return client.post(
        LIST, {"action": action, "_selected_action": [user.pk for user in users], **extra}
    )


def can_log_in(user: User) -> bool:
    response = Client().post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    return response.status_code == 302


def shown_messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def listed(page: Any) -> list[str]:
    return sorted(user.username for user in page.context["cl"].result_list)


def test_the_user_list_shows_role_active_flag_and_dates(
    client_for: Any, admin_user: User, student: User, instructor: User
) -> None:
    page = client_for(admin_user).get(LIST)

    assert page.status_code == 200
    html = page.content.decode()
    for heading in ("Role", "Active", "Date joined", "Last login"):
        assert heading in html
    row = html[html.index(">sam-student<") :].split("</tr>")[0]
    assert "Student" in row
    assert listed(page) == ["ada-admin", "ingrid-instructor", "sam-student"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("Student", ["sam-student", "sasha-student"]),
        ("Instructor", ["ingrid-instructor"]),
        ("Admin", ["ada-admin", "root"]),
    ],
)
def test_the_list_filters_by_role(
    client_for: Any,
    admin_user: User,
    student: User,
    second_student: User,
    instructor: User,
    role: str,
    expected: list[str],
) -> None:
    # A superuser without the Admin group is an admin all the same.
    User.objects.create_superuser(username="root", email="root@example.org", password=PASSWORD)

    page = client_for(admin_user).get(LIST, {"role": role})

    assert listed(page) == expected


def test_the_list_filters_by_active_flag_and_searches_e_mail(
    client_for: Any, admin_user: User, student: User, second_student: User
) -> None:
    deactivate_user(user=second_student, by=admin_user)
    client = client_for(admin_user)

    assert listed(client.get(LIST, {"is_active__exact": "0"})) == ["sasha-student"]
    assert listed(client.get(LIST, {"q": "sam-student@example.org"})) == ["sam-student"]


def test_the_change_form_shows_join_and_login_dates_read_only(
    client_for: Any, admin_user: User, student: User
) -> None:
    html = client_for(admin_user).get(change_url(student)).content.decode()

    assert "Date joined" in html
    assert "Last login" in html
    assert 'name="date_joined' not in html
    assert 'name="last_login' not in html


def test_changing_the_role_on_the_form_is_audited(
    client_for: Any, admin_user: User, student: User
) -> None:
    client = client_for(admin_user)

    response = client.post(
        change_url(student), change_form_data(client, student, role=Role.INSTRUCTOR.value)
    )

    assert response.status_code == 302
    assert student.role == Role.INSTRUCTOR
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.target_id) == (
        "role_changed",
        admin_user,
        str(student.pk),
    )
    assert event.details == {"old_role": "Student", "new_role": "Instructor"}


def test_saving_the_form_without_changing_the_role_records_nothing(
    client_for: Any, admin_user: User, student: User
) -> None:
    client = client_for(admin_user)

    response = client.post(change_url(student), change_form_data(client, student, first_name="Sam"))

    assert response.status_code == 302
    student.refresh_from_db()
    assert student.first_name == "Sam"
    assert not AuditEvent.objects.exists()


def test_an_admin_cannot_remove_their_own_admin_role_on_the_form(
    client_for: Any, admin_user: User
) -> None:
    client = client_for(admin_user)

    response = client.post(
        change_url(admin_user), change_form_data(client, admin_user, role=Role.STUDENT.value)
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["role"] == ["You cannot remove your own admin role; ask another admin."]
    assert admin_user.role == Role.ADMIN
    assert not AuditEvent.objects.exists()


def test_an_admin_cannot_deactivate_themselves_on_the_form(
    client_for: Any, admin_user: User
) -> None:
    client = client_for(admin_user)
    data = change_form_data(client, admin_user)
    del data["is_active"]

    response = client.post(change_url(admin_user), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["is_active"] == ["You cannot deactivate your own account; ask another admin."]
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_unticking_active_on_the_form_deactivates_and_is_audited(
    client_for: Any, admin_user: User, student: User
) -> None:
    client = client_for(admin_user)
    data = change_form_data(client, student)
    del data["is_active"]

    response = client.post(change_url(student), data)

    assert response.status_code == 302
    student.refresh_from_db()
    assert not student.is_active
    assert list(AuditEvent.objects.values_list("action", "actor_username")) == [
        ("user_deactivated", "ada-admin")
    ]


def test_the_make_instructor_action_changes_roles_and_audits_each_change(
    client_for: Any, admin_user: User, student: User, second_student: User, instructor: User
) -> None:
    client = client_for(admin_user)

    response = run_action(client, "make_instructors", [student, second_student, instructor])

    assert response.status_code == 302
    assert [u.role for u in (student, second_student, instructor)] == [Role.INSTRUCTOR] * 3
    changed = AuditEvent.objects.filter(action="role_changed").values_list("target_id", flat=True)
    assert sorted(changed) == sorted([str(student.pk), str(second_student.pk)])
    page = client.get(LIST)
    assert "Made instructors: 2 of 3 selected users." in shown_messages(page)


def test_a_role_action_that_demotes_the_admin_themselves_changes_nobody(
    client_for: Any, admin_user: User, instructor: User
) -> None:
    client = client_for(admin_user)

    response = run_action(client, "make_students", [instructor, admin_user])

    assert response.status_code == 302
    assert "You cannot remove your own admin role; ask another admin." in shown_messages(
        client.get(LIST)
    )
    assert instructor.role == Role.INSTRUCTOR
    assert admin_user.role == Role.ADMIN
    assert not AuditEvent.objects.exists()


def test_deactivation_keeps_the_data_and_blocks_log_in(
    client_for: Any, admin_user: User, learner: Learner
) -> None:
    student = learner.user
    session = learner.start()
    learner.answer(session, 1)
    learner.answer(session, 2, correct=False)
    Note.objects.create(learner=student, question=learner.bank[0], text="Check the eGFR.")
    answered = student.responses.count()
    signed_in = client_for(student)

    response = run_action(client_for(admin_user), "deactivate", [student])

    assert response.status_code == 302
    student.refresh_from_db()
    assert not student.is_active
    assert student.responses.count() == answered == 2
    assert Note.objects.filter(learner=student).count() == 1
    assert not can_log_in(student)
    assert signed_in.get("/practice/").status_code == 302
    assert AuditEvent.objects.get().action == "user_deactivated"


def test_reactivation_lets_the_user_log_in_again(
    client_for: Any, admin_user: User, student: User
) -> None:
    client = client_for(admin_user)
    run_action(client, "deactivate", [student])

    run_action(client, "reactivate", [student])

    assert can_log_in(student)
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "user_deactivated",
        "user_reactivated",
    ]


def test_an_admin_cannot_deactivate_themselves_with_the_action(
    client_for: Any, admin_user: User, student: User
) -> None:
    client = client_for(admin_user)

    run_action(client, "deactivate", [student, admin_user])

    assert "You cannot deactivate your own account; ask another admin." in shown_messages(
        client.get(LIST)
    )
    student.refresh_from_db()
    admin_user.refresh_from_db()
    assert student.is_active and admin_user.is_active
    assert not AuditEvent.objects.exists()


def test_users_cannot_be_deleted_only_erased(
    client_for: Any, admin_user: User, student: User
) -> None:
    client = client_for(admin_user)

    page = client.get(LIST).content.decode()

    assert 'value="delete_selected"' not in page
    assert 'value="erase_data"' in page
    delete_url = reverse("admin:learners_user_delete", args=[student.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=student.pk).exists()


def test_the_export_action_downloads_one_users_data_and_is_audited(
    client_for: Any, admin_user: User, student: User
) -> None:
    response = run_action(client_for(admin_user), "export_data", [student])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    data = json.loads(response.content)
    assert data["account"]["username"] == "sam-student"
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.target_id) == (
        "personal_data_exported",
        admin_user,
        str(student.pk),
    )
    assert event.details == {"by_self": False}


def test_the_export_action_refuses_several_users(
    client_for: Any, admin_user: User, student: User, second_student: User
) -> None:
    client = client_for(admin_user)

    response = run_action(client, "export_data", [student, second_student])

    assert response.status_code == 302
    assert "Select exactly one user to export." in shown_messages(client.get(LIST))
    assert not AuditEvent.objects.exists()


def test_the_erase_action_asks_for_confirmation_then_erases(
    client_for: Any, admin_user: User, student: User
) -> None:
    client = client_for(admin_user)

    confirmation = run_action(client, "erase_data", [student])

    assert confirmation.status_code == 200
    assert "sam-student (sam-student@example.org)" in confirmation.content.decode()
    student.refresh_from_db()
    assert student.username == "sam-student"

    done = run_action(client, "erase_data", [student], confirm="yes")

    assert done.status_code == 302
    student.refresh_from_db()
    assert student.username.startswith("erased-")
    assert (student.email, student.is_active) == ("", False)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.target_repr) == (
        "personal_data_erased",
        admin_user,
        f"user {student.pk}",
    )


def test_an_admin_cannot_erase_themselves(client_for: Any, admin_user: User) -> None:
    client = client_for(admin_user)

    run_action(client, "erase_data", [admin_user], confirm="yes")

    admin_user.refresh_from_db()
    assert admin_user.username == "ada-admin"
    assert "An admin's account is erased by another admin." in shown_messages(client.get(LIST))


@pytest.mark.parametrize("person", ["student", "instructor"])
def test_students_and_instructors_cannot_reach_user_management(
    client_for: Any, student: User, person: str, request: Any
) -> None:
    client = client_for(request.getfixturevalue(person))

    assert client.get(LIST).status_code == 302
    assert client.get(change_url(student)).status_code == 302
    assert run_action(client, "make_admins", [student]).status_code == 302
    assert student.role == Role.STUDENT
