"""Shared people and real servers for the whole suite."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing import tasks as celery_testing_tasks
from celery.contrib.testing.worker import start_worker
from django.test import Client

from config.celery import app as celery_app
from learners.models import User
from learners.roles import Role
from learners.services import assign_role
from tests.servers import running_redis

PASSWORD = "correct-horse-battery-staple"


def make_user(username: str, role: Role) -> User:
    user = User.objects.create_user(
        username=username, email=f"{username}@example.org", password=PASSWORD
    )
    assign_role(user=user, role=role)
    return user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Hash test passwords cheaply; the production hashers are Django's defaults."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def student(db: None) -> User:
    return make_user("sam-student", Role.STUDENT)


@pytest.fixture
def second_student(db: None) -> User:
    return make_user("sasha-student", Role.STUDENT)


@pytest.fixture
def instructor(db: None) -> User:
    return make_user("ingrid-instructor", Role.INSTRUCTOR)


@pytest.fixture
def reviewer(db: None) -> User:
    """A second instructor, who reviews what `instructor` writes."""
    return make_user("rita-reviewer", Role.INSTRUCTOR)


@pytest.fixture
def admin_user(db: None) -> User:
    return make_user("ada-admin", Role.ADMIN)


@pytest.fixture
def client_for() -> Any:
    """Return a function that gives a test client logged in as the given user."""

    def login(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis server for the session; Django settings and Celery point at it."""
    from django.conf import settings

    with running_redis(tmp_path_factory.mktemp("redis")) as url:
        previous = settings.REDIS_URL
        settings.REDIS_URL = url
        celery_app.conf.update(broker_url=url, result_backend=url)
        try:
            yield url
        finally:
            settings.REDIS_URL = previous


@pytest.fixture(scope="session")
def celery_worker(redis_url: str) -> Iterator[Any]:
    """A real Celery worker consuming from the session's Redis broker."""
    # Registers `celery.ping` for the round-trip test. start_worker's own ping check expects a
    # stored result, which the platform turns off by default, so the tests prove it instead.
    assert celery_testing_tasks.ping.name == "celery.ping"
    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10
    ) as worker:
        yield worker


@pytest.fixture
def starter_bank(admin_user: User) -> None:
    """The starter bank of published questions, as `make run` loads it."""
    from quizbank.starter import load_starter_bank

    report = load_starter_bank(by=admin_user)
    assert report.errors == []


@pytest.fixture
def moodle_files() -> None:
    """Moodle's real import files (tests.interop.MOODLE): skip without them, or fail in CI."""
    from tests.interop import require_moodle_files

    require_moodle_files()
