"""/healthz probes the real database, Redis and Celery workers."""

from __future__ import annotations

from typing import Any

import pytest
from celery import Celery
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from config.health import Check, check_celery
from tests.servers import free_port

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_reports_all_green_with_redis_and_a_worker(client: Client, celery_worker: Any) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "redis": True,
        "celery": True,
    }
    assert body["checks"]["celery"]["extra"]["workers"]


def test_is_unavailable_when_redis_is_down(client: Client, settings: SettingsWrapper) -> None:
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] is True
    assert checks["redis"]["ok"] is False
    assert "Connection" in checks["redis"]["detail"]
    assert checks["celery"] == {
        "ok": False,
        "detail": "broker unreachable, workers not asked",
        "extra": {},
    }


def test_the_celery_check_fails_when_no_worker_answers(redis_url: str) -> None:
    # Another database index of the same server: no worker listens to its control queue.
    lonely = Celery("lonely", broker=redis_url.rsplit("/", 1)[0] + "/15", set_as_current=False)

    check = check_celery(broker_ok=True, app=lonely)

    assert check == Check(ok=False, detail="no worker answered", extra={"workers": []})


def test_needs_no_login_and_is_never_cached(client: Client, settings: SettingsWrapper) -> None:
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert "no-cache" in response["Cache-Control"]
