"""The student's progress dashboard."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from learners.charts import trend_chart
from learners.models import PracticeSession, User
from learners.progress import progress_summary
from learners.views.practice import learner_required

TREND_DAYS = 30


@dataclass(frozen=True)
class UnfinishedSession:
    session: PracticeSession
    # None for a tutor session, which has no time limit.
    minutes_left: int | None


@learner_required
def practice_dashboard(request: HttpRequest) -> HttpResponse:
    """Show the student's figures, trend, marks, notes and sessions."""
    now = timezone.now()
    progress = progress_summary(learner=cast(User, request.user), now=now, days=TREND_DAYS)
    unfinished = []
    for session in progress.unfinished:
        seconds = session.seconds_left(now)
        unfinished.append(
            UnfinishedSession(
                session=session, minutes_left=None if seconds is None else math.ceil(seconds / 60)
            )
        )
    return render(
        request,
        "learners/dashboard.html",
        {
            "progress": progress,
            "chart": trend_chart(progress.trend),
            "trend_answered": sum(day.answered for day in progress.trend),
            "trend_days_practised": sum(1 for day in progress.trend if day.answered),
            "trend_days": TREND_DAYS,
            "unfinished": unfinished,
            "is_new": not (
                progress.answered
                or progress.unfinished
                or progress.recent
                or progress.marked
                or progress.notes
            ),
        },
    )
