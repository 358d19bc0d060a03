"""A username is locked after 10 failed logins on any path, whatever the client address."""

from __future__ import annotations

import pytest
from django.test import Client

from learners.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def fail_web_login(client: Client, username: str, attempt: int) -> int:
    response = client.post(
        "/accounts/login/",
        {"username": username, "password": "wrong"},
        REMOTE_ADDR=f"10.0.0.{attempt}",
    )
    return response.status_code


def fail_api_login(client: Client, username: str, attempt: int) -> int:
    response = client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": "wrong"},
        content_type="application/json",
        REMOTE_ADDR=f"10.0.1.{attempt}",
    )
    return response.status_code


def test_the_web_form_locks_a_username_after_ten_failures_from_many_addresses(
    client: Client, student: User
) -> None:
    statuses = [fail_web_login(client, student.username, n) for n in range(1, 11)]
    assert statuses[:9] == [200] * 9

    locked = client.post(
        "/accounts/login/",
        {"username": student.username, "password": PASSWORD},
        REMOTE_ADDR="192.0.2.77",
    )

    assert locked.status_code == 429
    assert b"locked after 10 failed log-in attempts" in locked.content
    assert "_auth_user_id" not in client.session


def test_the_api_token_endpoint_locks_a_username_after_ten_failures(
    client: Client, student: User
) -> None:
    statuses = [fail_api_login(client, student.username, n) for n in range(1, 11)]
    assert statuses[:9] == [401] * 9

    locked = client.post(
        "/api/v1/auth/token/",
        {"username": student.username, "password": PASSWORD},
        content_type="application/json",
    )

    assert locked.status_code == 429
    assert "locked after 10 failed log-in attempts" in locked.json()["detail"]
    assert "token" not in locked.json()


def test_failures_on_the_api_count_towards_the_web_lockout(client: Client, student: User) -> None:
    for attempt in range(1, 11):
        fail_api_login(client, student.username, attempt)

    response = client.post("/accounts/login/", {"username": student.username, "password": PASSWORD})

    assert response.status_code == 429


def test_other_usernames_are_not_locked(
    client: Client, student: User, second_student: User
) -> None:
    for attempt in range(1, 11):
        fail_web_login(client, student.username, attempt)

    response = client.post(
        "/accounts/login/", {"username": second_student.username, "password": PASSWORD}
    )

    assert response.status_code == 302


def test_a_successful_login_clears_earlier_failures(client: Client, student: User) -> None:
    for attempt in range(1, 10):
        fail_web_login(client, student.username, attempt)
    client.post("/accounts/login/", {"username": student.username, "password": PASSWORD})
    client.post("/accounts/logout/")

    for attempt in range(1, 10):
        fail_web_login(client, student.username, attempt)
    response = client.post("/accounts/login/", {"username": student.username, "password": PASSWORD})

    assert response.status_code == 302


def test_the_admin_login_form_counts_failures_and_locks_too(
    client: Client, admin_user: User
) -> None:
    for attempt in range(1, 11):
        client.post(
            "/admin/login/",
            {"username": admin_user.username, "password": "wrong"},
            REMOTE_ADDR=f"10.0.2.{attempt}",
        )

    response = client.post("/admin/login/", {"username": admin_user.username, "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
