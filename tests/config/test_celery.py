"""Celery runs tasks through a real Redis broker and a real worker, configured for safety."""

from __future__ import annotations

from typing import Any

import pytest

from config.celery import app

pytestmark = pytest.mark.integration


def test_task_round_trip_through_the_real_broker_and_worker(celery_worker: Any) -> None:
    result = app.tasks["celery.ping"].apply_async(ignore_result=False)

    assert result.get(timeout=10) == "pong"


def test_tasks_are_acknowledged_late_and_requeued_when_a_worker_dies() -> None:
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    # A visibility timeout shorter than a task's time limit would hand a running task to a
    # second worker; it must be longer.
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert visibility > app.conf.task_time_limit


def test_results_are_not_stored_unless_a_task_asks() -> None:
    assert app.conf.task_ignore_result is True


def test_beat_uses_the_database_scheduler_admins_can_edit() -> None:
    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
