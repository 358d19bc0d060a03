"""Celery tasks of adaptive practice: thin wrappers over `learners.plans` and
`learners.reminders`. django-celery-beat runs the periodic ones (see the schedules migration);
administrators see and edit them under "Periodic tasks" in the admin.

Plans fan out: a periodic task lists the students and enqueues one `build_plans_task` per chunk
of ids, after its transaction commits. Every task is idempotent, so the late acknowledgement set
in config.settings may run one again after a worker dies.
"""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from learners.plans import (
    build_plans,
    chunks,
    students_starting_a_day,
    students_without_plan,
)
from learners.reminders import send_reminders


@shared_task
def build_plans_task(learner_ids: list[int]) -> int:
    """Build today's missing plans for one chunk of students."""
    return build_plans(learner_ids=learner_ids, now=timezone.now())


def enqueue_plan_chunks(learner_ids: list[int]) -> int:
    """Enqueue `build_plans_task` per chunk once the current transaction commits; count chunks."""
    parts = list(chunks(learner_ids))
    for part in parts:
        transaction.on_commit(lambda part=part: build_plans_task.delay(part))  # type: ignore[misc]
    return len(parts)


@shared_task(ignore_result=False)  # a periodic job: the dashboard shows its runs
def plan_new_day_task() -> int:
    """Hourly: plan the day of every student whose local day has just begun."""
    return enqueue_plan_chunks(students_starting_a_day(now=timezone.now()))


@shared_task(ignore_result=False)  # a periodic job: the dashboard shows its runs
def sweep_missing_plans_task() -> int:
    """Nightly, and safe at any time: plan for every active student still without today's plan."""
    return enqueue_plan_chunks(students_without_plan(now=timezone.now()))


@shared_task(ignore_result=False)  # a periodic job: the dashboard shows its runs
def send_reminders_task() -> int:
    """Hourly: e-mail the students whose plan waits untouched late in their day."""
    return send_reminders(now=timezone.now())
