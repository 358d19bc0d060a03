"""Celery tasks of the platform's operations."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from config.snapshots import refresh_snapshot


@shared_task(ignore_result=False)  # a periodic job: the dashboard shows its runs
def refresh_dashboard_task() -> float:
    """Recompute the admin dashboard's costly figures; return the seconds it took."""
    return refresh_snapshot(now=timezone.now()).seconds
