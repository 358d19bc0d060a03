"""Snapshots of the admin dashboard's costly figures, and the page's figures assembled.

Activity and learning read the responses (10 million of them on a large platform) and the key
check runs the decision engine over every linked question: seconds of work that a page view
must not wait for. A periodic job (`config.tasks.refresh_dashboard_task`, every few minutes)
computes them and stores the result as JSON; the page reads the newest snapshot in one query,
says how old it is, and reads the bank and operations figures live.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.dateparse import parse_date, parse_datetime

from config.dashboard import (
    Activity,
    AtRisk,
    Bank,
    Disagreement,
    Learning,
    Operations,
    TopicAccuracy,
    WeekCount,
    activity,
    bank,
    disagreements,
    learning,
    operations,
)
from config.models import DashboardSnapshot
from decision.review import VersionDisagreements, disagreements_by_version, linked_questions
from learners.progress import DayProgress

# Snapshots older than this are shown with a warning: the job that refreshes them (every 10
# minutes by default) has not run, so beat or every worker is probably down.
STALE_AFTER = timedelta(minutes=30)
# Older snapshots are deleted as new ones arrive; a few are kept to look back at.
KEEP_SNAPSHOTS = 12


@dataclass(frozen=True)
class Costly:
    """The figures a snapshot holds."""

    activity: Activity
    learning: Learning
    disagreements: list[Disagreement]
    # How many linked keys each version of each model disagrees with.
    by_version: list[VersionDisagreements]


@dataclass(frozen=True)
class Page:
    """Everything the dashboard page shows."""

    now: datetime
    computed_at: datetime
    seconds: float
    activity: Activity
    learning: Learning
    disagreements: list[Disagreement]
    by_version: list[VersionDisagreements]
    bank: Bank
    operations: Operations

    @property
    def is_stale(self) -> bool:
        return self.now - self.computed_at > STALE_AFTER


def compute(*, now: datetime) -> Costly:
    """Compute the costly figures as of `now`."""
    zone = ZoneInfo(settings.TIME_ZONE)
    linked = list(linked_questions())
    return Costly(
        activity=activity(now=now, zone=zone),
        learning=learning(now=now, zone=zone),
        disagreements=disagreements(linked),
        by_version=disagreements_by_version(linked),
    )


def refresh_snapshot(*, now: datetime) -> DashboardSnapshot:
    """Compute the costly figures, store them as the newest snapshot, drop the oldest ones."""
    started = time.perf_counter()
    figures = compute(now=now)
    # Stored as the JSON it will be read back as, so that this object and a later read agree.
    stored = json.loads(json.dumps(asdict(figures), cls=DjangoJSONEncoder))
    snapshot = DashboardSnapshot.objects.create(
        computed_at=now, seconds=time.perf_counter() - started, figures=stored
    )
    kept = DashboardSnapshot.objects.values_list("pk", flat=True)[:KEEP_SNAPSHOTS]
    DashboardSnapshot.objects.exclude(pk__in=list(kept)).delete()
    return snapshot


def page(*, now: datetime) -> Page:
    """Return the page's figures: the newest snapshot (made now if there is none) and live ones."""
    snapshot = DashboardSnapshot.objects.order_by("-computed_at", "-id").first()
    if snapshot is None:
        snapshot = refresh_snapshot(now=now)
    costly = decode(snapshot.figures)
    return Page(
        now=now,
        computed_at=snapshot.computed_at,
        seconds=snapshot.seconds,
        activity=costly.activity,
        learning=costly.learning,
        disagreements=costly.disagreements,
        by_version=costly.by_version,
        bank=bank(),
        operations=operations(now=now),
    )


# JSON back to figures -----------------------------------------------------------------------------


def decode(figures: dict[str, Any]) -> Costly:
    """Rebuild the figures stored by `refresh_snapshot` (dates come back as ISO strings)."""
    stored_activity, stored_learning = figures["activity"], figures["learning"]
    return Costly(
        activity=Activity(
            active_today=stored_activity["active_today"],
            active_week=stored_activity["active_week"],
            active_month=stored_activity["active_month"],
            days=[
                DayProgress(day=_date(row["day"]), answered=row["answered"], correct=row["correct"])
                for row in stored_activity["days"]
            ],
            signups=[
                WeekCount(week=_date(row["week"]), count=row["count"])
                for row in stored_activity["signups"]
            ],
            sessions_started=stored_activity["sessions_started"],
            sessions_finished=stored_activity["sessions_finished"],
        ),
        learning=Learning(
            topics=[TopicAccuracy(**row) for row in stored_learning["topics"]],
            weakest=[TopicAccuracy(**row) for row in stored_learning["weakest"]],
            at_risk=[
                AtRisk(
                    learner_id=row["learner_id"],
                    username=row["username"],
                    reason=row["reason"],
                    exam_date=_date(row["exam_date"]) if row["exam_date"] else None,
                    last_answer_at=_datetime(row["last_answer_at"])
                    if row["last_answer_at"]
                    else None,
                )
                for row in stored_learning["at_risk"]
            ],
        ),
        disagreements=[Disagreement(**row) for row in figures["disagreements"]],
        # Snapshots stored before the count per version existed have none.
        by_version=[VersionDisagreements(**row) for row in figures.get("by_version", [])],
    )


def _date(value: str) -> date:
    parsed = parse_date(value)
    if parsed is None:
        raise ValueError(f"not a date: {value!r}")
    return parsed


def _datetime(value: str) -> datetime:
    parsed = parse_datetime(value)
    if parsed is None:
        raise ValueError(f"not a datetime: {value!r}")
    return parsed
