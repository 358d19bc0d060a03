"""Settings come from the environment; production refuses to start insecurely."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG_VARIABLES = {
    "DJANGO_ENV",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "TIME_ZONE",
    # Set by the browser tests while Chromium runs; the deployment check rightly rejects it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def manage(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py in a fresh interpreter with exactly the given configuration."""
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    clean.update(VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def setting(name: str, *, tmp_path: Path, **env: str) -> str:
    code = f"from django.conf import settings; print(repr(settings.{name}))"
    result = manage("shell", "-c", code, tmp_path=tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_without_secret_key_stops_with_a_clear_message(tmp_path: Path) -> None:
    result = manage("check", tmp_path=tmp_path, DJANGO_ENV="production")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "DJANGO_ENV=production" in result.stderr


def test_production_passes_the_deployment_checklist_without_warnings(tmp_path: Path) -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
        DJANGO_ENV="production",
        SECRET_KEY="k" * 20 + "-a-long-random-production-secret-key-of-many-characters",
        ALLOWED_HOSTS="mcq.example.org",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_an_unknown_profile_is_refused(tmp_path: Path) -> None:
    result = manage("check", tmp_path=tmp_path, DJANGO_ENV="staging")

    assert result.returncode != 0
    assert 'DJANGO_ENV must be "development" or "production"' in result.stderr


def test_development_generates_and_keeps_a_private_secret_key(tmp_path: Path) -> None:
    first = setting("SECRET_KEY", tmp_path=tmp_path)
    second = setting("SECRET_KEY", tmp_path=tmp_path)

    assert first == second
    assert len(first) > 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("env", "name", "expected"),
    [
        ({}, "DATABASES['default']['ENGINE']", "'django.db.backends.sqlite3'"),
        (
            {"DATABASE_URL": "postgres://mcq:pw@db.internal:5432/mcq"},
            "DATABASES['default']['ENGINE']",
            "'django.db.backends.postgresql'",
        ),
        ({}, "EMAIL_BACKEND", "'django.core.mail.backends.console.EmailBackend'"),
        (
            {"EMAIL_URL": "smtp+tls://user:pw@mail.example.org:587"},
            "EMAIL_HOST",
            "'mail.example.org'",
        ),
        (
            {"REDIS_URL": "redis://cache.internal:6380/2"},
            "CELERY_BROKER_URL",
            "'redis://cache.internal:6380/2'",
        ),
        ({}, "REDIS_URL_IS_EXTERNAL", "False"),
        ({"TIME_ZONE": "Europe/Berlin"}, "TIME_ZONE", "'Europe/Berlin'"),
        ({"ALLOWED_HOSTS": "a.example,b.example"}, "ALLOWED_HOSTS", "['a.example', 'b.example']"),
        ({"DEBUG": "false"}, "DEBUG", "False"),
        ({}, "DEBUG", "True"),
    ],
)
def test_settings_are_read_from_the_environment(
    tmp_path: Path, env: dict[str, str], name: str, expected: str
) -> None:
    assert setting(name, tmp_path=tmp_path, **env) == expected
