"""Plan building through Celery: a real Redis, real worker processes, one killed mid-job.

The worker runs as a separate `celery worker` process on the test database (a file on SQLite),
so killing it is a real SIGKILL of the worker and its pool child, as an out-of-memory kill or a
lost host would be.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.db import connection, transaction
from django.db.models import Count

from learners.models import DailyPlan, User
from learners.plans import PLAN_CHUNK_SIZE, students_without_plan
from learners.roles import Role
from learners.tasks import build_plans_task, enqueue_plan_chunks, sweep_missing_plans_task
from tests.conftest import make_user
from tests.learners.conftest import BulkBank
from tests.servers import celery_worker_process, database_on_file, database_url, wait_until

pytestmark = pytest.mark.integration

QUEUE = "plans-under-test"
# Short, so that the restarted worker takes back the killed worker's task within seconds
# rather than the production hour (the hard time limit follows it down; see config.settings).
VISIBILITY_TIMEOUT = 10
CHUNK = 20


@pytest.fixture
def shared_database(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    with database_on_file(tmp_path / "db.sqlite3"):
        yield


@pytest.fixture
def worker_env(redis_url: str, shared_database: None) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    }


def students(n: int) -> list[int]:
    return [make_user(f"planned-{i}", Role.STUDENT).pk for i in range(n)]


def plans_per_student() -> dict[int, int]:
    return dict(
        DailyPlan.objects.values("learner").annotate(n=Count("id")).values_list("learner", "n")
    )


def lock_plan_writes() -> None:
    """Inside an atomic block, make every other writer of plans wait until the block ends."""
    # On SQLite the IMMEDIATE transaction already holds the database's write lock.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE learners_dailyplan IN SHARE ROW EXCLUSIVE MODE")


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_job_leaves_every_student_exactly_one_plan(
    worker_env: dict[str, str], redis_url: str, bulk_bank: BulkBank, tmp_path: Path
) -> None:
    bulk_bank(8)
    ids = students(3 * CHUNK)
    first, second, third = (ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK))
    broker = redis.Redis.from_url(redis_url)

    with celery_worker_process(env=worker_env, queue=QUEUE, log=tmp_path / "first.log") as worker:
        build_plans_task.apply_async((first,), queue=QUEUE)
        assert wait_until(lambda: DailyPlan.objects.count() == CHUNK, timeout=60)
        with transaction.atomic():
            lock_plan_writes()
            build_plans_task.apply_async((second,), queue=QUEUE)
            build_plans_task.apply_async((third,), queue=QUEUE)
            # The worker has taken the second chunk (unacknowledged: acks_late) and is blocked
            # writing it when the whole worker is killed.
            assert wait_until(lambda: broker.hlen("unacked") == 1, timeout=30)
            wait_until(lambda: False, timeout=1.5)
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
    assert DailyPlan.objects.count() == CHUNK
    assert broker.hlen("unacked") == 1
    # A new worker hands out the lost task again when it starts after the visibility timeout
    # (Redis cannot know the first worker died; it only sees the task unacknowledged that long).
    time.sleep(VISIBILITY_TIMEOUT + 1)

    with celery_worker_process(env=worker_env, queue=QUEUE, log=tmp_path / "second.log"):
        assert wait_until(lambda: DailyPlan.objects.count() == len(ids), timeout=60), (
            tmp_path / "second.log"
        ).read_text()
        # Running a chunk again, as a redelivered task would, changes nothing.
        build_plans_task.apply_async((second,), queue=QUEUE)
        log = tmp_path / "second.log"
        # The third chunk, the second taken back from the killed worker, and the second again.
        assert wait_until(lambda: log.read_text().count("succeeded in") == 3, timeout=30)
    assert broker.hlen("unacked") == 0

    assert plans_per_student() == dict.fromkeys(ids, 1)
    assert {len(plan.question_ids) for plan in DailyPlan.objects.all()} == {8}
    built = DailyPlan.objects.values_list("built_at", flat=True).first()
    assert built is not None
    assert students_without_plan(now=built) == []


@pytest.mark.django_db(transaction=True)
def test_the_sweep_fans_out_chunks_and_plans_everyone_missed(
    shared_database: None, celery_worker: Any, bulk_bank: BulkBank
) -> None:
    bulk_bank(5)
    ids = students(7)
    User.objects.filter(pk=ids[-1]).update(is_active=False)

    sweep_missing_plans_task.delay()

    assert wait_until(lambda: DailyPlan.objects.count() == 6, timeout=60)
    assert plans_per_student() == dict.fromkeys(ids[:-1], 1)


@pytest.mark.django_db
def test_chunks_are_enqueued_only_when_the_transaction_commits(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        assert enqueue_plan_chunks(list(range(1, 2 * PLAN_CHUNK_SIZE + 2))) == 3

    assert len(callbacks) == 3
