"""`manage.py setup_demo` creates one account per role, idempotently."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django.fixtures import Settings

from learners.models import User
from learners.roles import Role

pytestmark = pytest.mark.django_db


def test_creates_a_student_an_instructor_and_an_admin_who_can_log_in(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.VAR_DIR = tmp_path

    call_command("setup_demo")

    output = capsys.readouterr().out
    passwords = json.loads((tmp_path / "demo-accounts.json").read_text())
    assert str(tmp_path / "demo-accounts.json") in output
    roles = {}
    for username, password in passwords.items():
        assert username in output
        user = User.objects.get(username=username)
        assert user.check_password(password)
        roles[user.role] = username
    assert set(roles) == {Role.STUDENT, Role.INSTRUCTOR, Role.ADMIN}
    assert User.objects.get(username=roles[Role.ADMIN]).is_staff


def test_running_it_again_changes_nothing(settings: Settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    call_command("setup_demo")
    passwords = (tmp_path / "demo-accounts.json").read_text()

    call_command("setup_demo")

    assert (tmp_path / "demo-accounts.json").read_text() == passwords
    assert User.objects.filter(username__startswith="demo-").count() == 3


def test_a_lost_password_file_is_rewritten_with_working_passwords(
    settings: Settings, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    call_command("setup_demo")
    (tmp_path / "demo-accounts.json").unlink()

    call_command("setup_demo")

    for username, password in json.loads((tmp_path / "demo-accounts.json").read_text()).items():
        assert User.objects.get(username=username).check_password(password)
