"""The student's dashboard: today's plan, the forecast, progress; and starting the plan."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from learners.charts import trend_context
from learners.models import PracticeSession, User
from learners.plans import forecast, plan_view, start_plan_session
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
    learner = cast(User, request.user)
    progress = progress_summary(learner=learner, now=now, days=TREND_DAYS)
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
            **trend_context(progress.trend),
            "unfinished": unfinished,
            "plan": plan_view(learner=learner, now=now),
            "forecast": forecast(learner=learner, now=now),
            "is_new": not (
                progress.answered
                or progress.unfinished
                or progress.recent
                or progress.marked
                or progress.notes
            ),
        },
    )


@learner_required
@require_POST
def plan_start(request: HttpRequest) -> HttpResponse:
    """Start today's plan as a tutor session (or resume the one already started)."""
    session = start_plan_session(learner=cast(User, request.user), now=timezone.now())
    if session is None:
        messages.success(request, "Today's plan is done. Well done!")
        return redirect("practice-dashboard")
    return redirect(reverse("practice-session", kwargs={"pk": session.pk}))
