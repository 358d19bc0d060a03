"""Evening e-mail reminders that a plan is waiting: at most once per plan, with a one-click opt-out.

`send_reminders` runs hourly (`learners.tasks.send_reminders_task`). A student is reminded when it
is at least REMINDER_HOUR in their own time zone, today's plan has items, they have not answered
anything since their local midnight, and they still want reminders. Each plan is claimed with a
conditional UPDATE before its e-mail goes out, so overlapping runs never send twice; a plan whose
claimed e-mail then fails to send is released for the next run.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any, TypedDict, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django_stubs_ext import WithAnnotations

from learners.models import DailyPlan, Response, User
from learners.plans import day_start

# Local hour from which a waiting plan is worth a reminder: late enough to have had the chance to
# practise, early enough to still do it.
REMINDER_HOUR = 18
OPT_OUT_SALT = "learners.reminders"
# An opt-out link outlives the reminder it came in by a wide margin; older links ask the student
# to use the settings page instead.
OPT_OUT_VALID_FOR = timedelta(days=90)


class OptOutLinkError(Exception):
    """An opt-out link that is not ours, was altered, or is too old."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


OPT_OUT_ERRORS = {
    "bad_link": (
        "This link to stop reminders is not valid: it may have been cut short or changed. "
        "Copy the whole link from the e-mail, or log in and turn reminders off in your "
        "study settings."
    ),
    "expired": (
        "This link to stop reminders is too old. Log in and turn reminders off in your study "
        "settings, or use the link in a more recent reminder."
    ),
}


def opt_out_token(learner: User) -> str:
    """Return the signed token of `learner`'s one-click opt-out link."""
    return signing.dumps(learner.pk, salt=OPT_OUT_SALT)


def learner_for_opt_out(token: str) -> User:
    """Return the student an opt-out token was made for, or raise OptOutLinkError."""
    try:
        pk = signing.loads(token, salt=OPT_OUT_SALT, max_age=OPT_OUT_VALID_FOR)
    except signing.SignatureExpired as error:
        raise OptOutLinkError(OPT_OUT_ERRORS["expired"], code="expired") from error
    except signing.BadSignature as error:
        raise OptOutLinkError(OPT_OUT_ERRORS["bad_link"], code="bad_link") from error
    learner = User.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if learner is None:
        raise OptOutLinkError(OPT_OUT_ERRORS["bad_link"], code="bad_link")
    return learner


def opt_out_url(learner: User) -> str:
    """Return the absolute one-click opt-out link for `learner`'s reminders."""
    return _absolute(reverse("reminders-stop", kwargs={"token": opt_out_token(learner)}))


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


# Finding the plans to remind about ----------------------------------------------------------------


def _reminder_candidates() -> QuerySet[User]:
    return User.objects.filter(is_active=True, wants_reminders=True).exclude(email="")


def _evening_days(*, now: datetime) -> dict[date, list[str]]:
    """Map each local date where it is evening now to the time zones it is evening in."""
    zones: set[ZoneInfo] = set(
        _reminder_candidates().order_by().values_list("time_zone", flat=True).distinct()
    )
    by_day: dict[date, list[str]] = defaultdict(list)
    for zone in zones:
        local = now.astimezone(zone)
        if local.hour >= REMINDER_HOUR:
            by_day[local.date()].append(zone.key)
    return by_day


@dataclass(frozen=True)
class WaitingPlan:
    """Today's plan of a student to remind, with how many items it holds."""

    pk: int
    learner: User
    items: int


class _PlanFigures(TypedDict):
    last_answered_at: datetime | None


def waiting_plans(*, now: datetime) -> list[WaitingPlan]:
    """Return today's unreminded plans of the students to remind now, in two queries."""
    by_day = _evening_days(now=now)
    if not by_day:
        return []
    # The local date differs between zones, so the plan's day is matched per group of zones.
    is_local_today = reduce(
        or_, (Q(day=day, learner__time_zone__in=keys) for day, keys in by_day.items())
    )
    last_answer = (
        Response.objects.filter(learner=OuterRef("learner"))
        .order_by("-answered_at")
        .values("answered_at")[:1]
    )
    plans = cast(
        "QuerySet[WithAnnotations[DailyPlan, _PlanFigures]]",
        DailyPlan.objects.filter(is_local_today, reminded_at__isnull=True)
        .filter(learner__in=_reminder_candidates())
        .annotate(last_answered_at=Subquery(last_answer))
        .select_related("learner")
        .order_by("pk"),
    )
    # "Not practised today" depends on each student's own midnight, and an empty plan (nothing
    # left to practise) waits for nothing: both are checked here, not in SQL.
    return [
        WaitingPlan(pk=plan.pk, learner=plan.learner, items=len(plan.question_ids))
        for plan in plans
        if plan.question_ids
        and (
            plan.last_answered_at is None
            or plan.last_answered_at < day_start(plan.day, plan.learner.time_zone)
        )
    ]


# Sending ------------------------------------------------------------------------------------------


def reminder_message(plan: WaitingPlan, *, connection: BaseEmailBackend) -> EmailMessage:
    """Return the reminder e-mail of a waiting plan."""
    learner = plan.learner
    stop_url = opt_out_url(learner)
    context: dict[str, Any] = {
        "learner": learner,
        "count": plan.items,
        "dashboard_url": _absolute(reverse("practice-dashboard")),
        "settings_url": _absolute(reverse("study-settings")),
        "stop_url": stop_url,
    }
    subject = render_to_string("learners/email/reminder_subject.txt", context)
    return EmailMessage(
        # A header cannot span lines, whatever the template ends with.
        subject=" ".join(subject.split()),
        body=render_to_string("learners/email/reminder_body.txt", context),
        to=[learner.email],
        connection=connection,
        # RFC 8058 one-click unsubscribe: mail clients POST to the same link the body gives.
        headers={
            "List-Unsubscribe": f"<{stop_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def send_reminders(*, now: datetime) -> int:
    """E-mail every student whose plan waits untouched this evening; return how many were sent."""
    plans = waiting_plans(now=now)
    if not plans:
        return 0
    sent = 0
    with get_connection() as connection:
        for plan in plans:
            claimed = DailyPlan.objects.filter(pk=plan.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                # Another run reminded this student meanwhile.
                continue
            try:
                reminder_message(plan, connection=connection).send()
            except Exception:
                # Release the claim so the next hourly run tries again; the error is the task's.
                DailyPlan.objects.filter(pk=plan.pk, reminded_at=now).update(reminded_at=None)
                raise
            sent += 1
    return sent
