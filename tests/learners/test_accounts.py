"""Self-service accounts: sign-up, log-in per role, log-out, password change and reset."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client

from learners.models import User
from learners.roles import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_up(client: Client, **overrides: str) -> Any:
    data = {
        "username": "newcomer",
        "email": "newcomer@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return client.post("/accounts/signup/", data)


def test_sign_up_creates_a_logged_in_student_sent_to_the_practice_dashboard(
    client: Client,
) -> None:
    response = sign_up(client)

    assert response.status_code == 302
    user = User.objects.get(username="newcomer")
    assert user.role == Role.STUDENT
    assert user.has_perm("learners.practise_questions")
    assert not user.is_staff
    followed = client.get(response["Location"], follow=True)
    assert followed.redirect_chain[-1][0] == "/practice/"
    assert b"Practice dashboard" in followed.content


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password1": "123", "password2": "123"}, "password2", "too short"),
        ({"password1": "password1", "password2": "password1"}, "password2", "too common"),
        ({"password2": "something-else-entirely"}, "password2", "match"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"email": ""}, "email", "required"),
        ({"username": ""}, "username", "required"),
    ],
)
def test_sign_up_rejects_bad_input_naming_the_field(
    client: Client, overrides: dict[str, str], field: str, message: str
) -> None:
    response = sign_up(client, **overrides)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert not User.objects.filter(username=overrides.get("username", "newcomer")).exists()


def test_sign_up_refuses_an_email_already_used_whatever_its_case(
    client: Client, student: User
) -> None:
    response = sign_up(client, email=student.email.upper())

    assert response.status_code == 200
    assert "already exists" in response.context["form"].errors["email"][0]


@pytest.mark.parametrize(
    ("person", "home"),
    [("student", "/practice/"), ("instructor", "/authoring/"), ("admin_user", "/admin/")],
)
def test_logging_in_sends_each_role_to_its_home(
    client: Client, person: str, home: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(person)

    response = client.post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == home
    assert response.status_code == 200


def test_navigation_shows_each_role_only_what_it_may_use(
    client_for: Any, student: User, instructor: User, admin_user: User
) -> None:
    student_page = client_for(student).get("/practice/").content.decode()
    instructor_page = client_for(instructor).get("/authoring/").content.decode()

    assert 'href="/practice/"' in student_page
    assert 'href="/authoring/"' not in student_page
    assert 'href="/admin/"' not in student_page
    assert 'href="/authoring/"' in instructor_page
    assert 'href="/admin/"' not in instructor_page
    admin_page = client_for(admin_user).get("/practice/").content.decode()
    assert 'href="/admin/"' in admin_page


def test_a_student_gets_403_on_authoring_and_is_kept_out_of_the_admin(
    client_for: Any, student: User
) -> None:
    client = client_for(student)

    assert client.get("/authoring/").status_code == 403
    assert client.get("/admin/").status_code == 302


def test_an_admin_reaches_the_admin_dashboard(client_for: Any, admin_user: User) -> None:
    response = client_for(admin_user).get("/admin/")

    assert response.status_code == 200
    assert b">Activity</h2>" in response.content
    assert b">Operations</h2>" in response.content


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    assert client.get("/practice/")["Location"].startswith("/accounts/login/")
    assert client.get("/authoring/")["Location"].startswith("/accounts/login/")
    assert b"Sign up free" in client.get("/").content


def test_the_session_key_changes_at_login(client: Client, student: User) -> None:
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key

    client.post("/accounts/login/", {"username": student.username, "password": PASSWORD})

    assert client.session.session_key != before
    assert client.session.get("_auth_user_id") == str(student.pk)


def test_logging_out_invalidates_the_session(client: Client, student: User) -> None:
    client.post("/accounts/login/", {"username": student.username, "password": PASSWORD})
    old_cookie = client.cookies["sessionid"].value

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert not Session.objects.filter(session_key=old_cookie).exists()
    replay = Client()
    replay.cookies["sessionid"] = old_cookie
    assert replay.get("/practice/").status_code == 302


def test_password_change_applies_the_validators_and_then_works(
    client: Client, student: User
) -> None:
    client.force_login(student)

    weak = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "abc", "new_password2": "abc"},
    )
    assert "new_password2" in weak.context["form"].errors

    new_password = "a-much-better-passphrase-42"
    client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    student.refresh_from_db()
    assert student.check_password(new_password)


def test_password_reset_mails_a_link_that_sets_a_new_password(
    client: Client, student: User
) -> None:
    client.post("/accounts/password_reset/", {"email": student.email})

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [student.email]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", str(mail.outbox[0].body))
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    new_password = "a-fresh-passphrase-after-reset"
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    student.refresh_from_db()
    assert student.check_password(new_password)


def test_the_three_roles_exist_as_groups_with_their_permissions() -> None:
    groups = {group.name: group for group in Group.objects.prefetch_related("permissions")}

    assert set(groups) >= {"Student", "Instructor", "Admin"}
    student_perms = {p.codename for p in groups["Student"].permissions.all()}
    instructor_perms = {p.codename for p in groups["Instructor"].permissions.all()}
    assert student_perms == {"practise_questions"}
    assert {"practise_questions", "author_questions", "review_question"} <= instructor_perms
    assert "delete_question" not in instructor_perms
    assert "change_user" in {p.codename for p in groups["Admin"].permissions.all()}


def test_an_admin_changes_a_role_in_the_admin(
    client_for: Any, admin_user: User, student: User
) -> None:
    client = client_for(admin_user)
    url = f"/admin/learners/user/{student.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "role": Role.INSTRUCTOR.value,
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        }
    )
    data.pop("last_login", None)
    data.pop("date_joined", None)

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    student.refresh_from_db()
    assert student.role == Role.INSTRUCTOR
    assert student.has_perm("learners.author_questions")
