"""Celery tasks of the question bank: thin wrappers over services.

django-celery-beat runs `recompute_item_statistics_task` every few minutes (see the schedules
migration of learners); that interval is the debounce, and a run with no new first attempts does
one query. The service is idempotent, so overlapping runs, or a run repeated after a worker died
(late acknowledgement), write the same rows.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from quizbank.statistics import recompute_item_statistics


@shared_task(ignore_result=False)  # a periodic job: the dashboard shows its runs
def recompute_item_statistics_task() -> int:
    """Recompute the statistics of revisions with new first attempts; return how many."""
    return recompute_item_statistics(now=timezone.now())
