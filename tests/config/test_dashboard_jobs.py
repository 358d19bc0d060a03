"""A real worker records each periodic job's runs where the dashboard's operations table reads
them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django_celery_results.models import TaskResult

from config.celery import app as celery_app
from config.dashboard import operations
from config.models import DashboardSnapshot
from config.tasks import refresh_dashboard_task
from tests.servers import celery_worker_process, database_on_file, database_url, wait_until

pytestmark = pytest.mark.integration

QUEUE = "dashboard-under-test"
JOB = "Refresh the admin dashboard"


@pytest.fixture
def worker_env(transactional_db: None, redis_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    # The job's schedule is a row its migration installs, which an earlier transactional test
    # flushes: installed again the same way, whatever ran before.
    installing = import_module("config.migrations.0002_dashboard_schedule")
    installing.install(apps, None)
    with database_on_file(tmp_path / "db.sqlite3"):
        yield {"DATABASE_URL": database_url(), "REDIS_URL": redis_url}


def finished(status: str) -> bool:
    return TaskResult.objects.filter(periodic_task_name=JOB, status=status).exists()


@pytest.mark.django_db(transaction=True)
def test_a_periodic_run_and_its_failure_show_in_the_operations_table(
    worker_env: dict[str, str], tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    with celery_worker_process(env=worker_env, queue=QUEUE, log=log):
        # As celery beat sends it (django_celery_beat names the job in a header).
        refresh_dashboard_task.apply_async(queue=QUEUE, headers={"periodic_task_name": JOB})
        assert wait_until(lambda: finished("SUCCESS"), timeout=60), log.read_text()
        jobs = {job.name: job for job in operations(now=datetime.now(UTC)).jobs}
        assert jobs[JOB].outcome_text == "Succeeded"
        assert jobs[JOB].duration is not None
        assert DashboardSnapshot.objects.count() == 1

        # A run that fails (here: sent with an argument the task does not take; send_task does
        # not check arguments as apply_async does).
        celery_app.send_task(
            refresh_dashboard_task.name,
            args=("unexpected",),
            queue=QUEUE,
            headers={"periodic_task_name": JOB},
        )
        assert wait_until(lambda: finished("FAILURE"), timeout=60), log.read_text()

    job = {job.name: job for job in operations(now=datetime.now(UTC)).jobs}[JOB]
    assert job.failed
    assert job.error.startswith("TypeError: ")
    assert "unexpected" in job.error or "positional argument" in job.error
