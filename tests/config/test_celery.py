"""Celery runs tasks through a real Redis broker and a real worker, configured for safety."""

from __future__ import annotations

import gc
import re
from pathlib import Path
from typing import Any

import pytest
from celery import signals

from config.celery import app, freeze_start_up_objects
from tests.servers import celery_worker_process

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


@pytest.mark.django_db
def test_the_periodic_jobs_are_installed_where_admins_can_edit_them(
    admin_user: Any, client_for: Any
) -> None:
    from django_celery_beat.models import PeriodicTask

    app.loader.import_default_modules()
    jobs = {job.name: job for job in PeriodicTask.objects.all()}

    assert {name: job.task for name, job in jobs.items()} == {
        "Plan the new day": "learners.tasks.plan_new_day_task",
        "Sweep missing plans": "learners.tasks.sweep_missing_plans_task",
        "Recompute item statistics": "quizbank.tasks.recompute_item_statistics_task",
        "Send practice reminders": "learners.tasks.send_reminders_task",
        "Refresh the admin dashboard": "config.tasks.refresh_dashboard_task",
    }
    assert all(job.task in app.tasks and job.enabled for job in jobs.values())
    assert jobs["Recompute item statistics"].interval is not None
    assert str(jobs["Recompute item statistics"].interval) == "every 10 minutes"
    page = client_for(admin_user).get("/admin/django_celery_beat/periodictask/")
    assert page.status_code == 200
    assert "Plan the new day" in page.content.decode()


def test_a_starting_worker_freezes_its_start_up_objects_out_of_garbage_collection() -> None:
    assert freeze_start_up_objects in [receiver() for _, receiver in signals.worker_init.receivers]
    before = gc.get_freeze_count()
    try:
        frozen = freeze_start_up_objects()
        # This process has Django, Celery and the tasks imported, as a worker has at start.
        assert frozen > max(before, 10_000)
        # The oldest generation, which full collections walk, is left (nearly) empty.
        assert len(gc.get_objects(generation=2)) < 1_000
    finally:
        gc.unfreeze()


def test_a_real_prefork_worker_freezes_before_its_pool_starts(
    redis_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    with celery_worker_process(env={"REDIS_URL": redis_url}, queue="freeze", log=log):
        text = log.read_text()
    frozen = re.search(r"Froze (\d+) start-up objects out of garbage collection", text)
    assert frozen is not None, text
    assert int(frozen.group(1)) > 10_000
    # Frozen before the pool forked its child, which readiness follows.
    assert text.index(frozen.group(0)) < text.index(" ready.")
