"""The admin dashboard's figures: activity, learning, the bank and operations.

Each figure comes from one aggregate query (or a few rows), never from a loop over students or
responses. The costly ones, which read the responses (activity, learning) or run the decision
engine (keys that disagree), are computed by a periodic job and kept as a snapshot
(`config.snapshots`); the bank and operations figures are read live on every page view. Days are
the site's days (settings.TIME_ZONE): "today" starts at its midnight, a week is the last 7 days
and a month the last 30.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import redis
from django.conf import settings
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncWeek
from django_celery_beat.models import PeriodicTask
from django_celery_results.models import TaskResult

from config.celery import app as celery_app
from config.health import Check, check_database, check_redis, probe_client
from decision.verification import check_question
from learners.models import PracticeSession, Response, User
from learners.progress import DayProgress
from learners.roles import Role
from quizbank.analysis import flag_label
from quizbank.models import ItemStatistics, ProblemReport, Question, ReviewEvent, Status
from quizbank.statistics import FLAG_TEXT

# How far back each figure looks.
RESPONSE_DAYS = 90
SIGNUP_WEEKS = 12
SESSION_DAYS = 30
# A topic's accuracy is listed among the weakest only once it has this many first attempts.
MIN_TOPIC_ATTEMPTS = 20
WEAKEST_TOPICS = 5
# At risk: an exam ahead and no practice for this long, or accuracy down this much between the
# previous and the last fortnight (each with enough answers to mean something).
IDLE_BEFORE_EXAM = timedelta(days=14)
FORTNIGHT = timedelta(days=14)
FALLING_BY = 0.15
MIN_FORTNIGHT_ANSWERS = 10
LISTED = 10
# Celery's states of a stored result, as the operations table says them.
OUTCOME_TEXT = {
    "SUCCESS": "Succeeded",
    "STARTED": "Running",
    "FAILURE": "Failed",
    "RETRY": "Retrying",
    "REVOKED": "Revoked",
}


@dataclass(frozen=True)
class WeekCount:
    week: date
    count: int


@dataclass(frozen=True)
class Activity:
    active_today: int
    active_week: int
    active_month: int
    days: list[DayProgress]
    signups: list[WeekCount]
    sessions_started: int
    sessions_finished: int


@dataclass(frozen=True)
class TopicAccuracy:
    topic_id: int
    name: str
    attempts: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.attempts


@dataclass(frozen=True)
class AtRisk:
    learner_id: int
    username: str
    reason: str
    exam_date: date | None
    last_answer_at: datetime | None


@dataclass(frozen=True)
class Learning:
    topics: list[TopicAccuracy]
    weakest: list[TopicAccuracy]
    at_risk: list[AtRisk]


@dataclass(frozen=True)
class Waiting:
    """A question in the review queue, with when it was last submitted."""

    question_id: int
    title: str
    submitted_at: datetime | None


@dataclass(frozen=True)
class Flagged:
    question_id: int
    title: str
    attempts: int
    facility: float
    discrimination: float | None
    flags: list[str]


@dataclass(frozen=True)
class Disagreement:
    """A question whose authored key is not the answer its decision model derives."""

    question_id: int
    title: str
    status: str
    model: str
    is_overridden: bool


@dataclass(frozen=True)
class Bank:
    by_status: dict[str, int]
    queue: list[Waiting]
    queue_size: int
    reports: list[ProblemReport]
    open_reports: int
    flagged: list[Flagged]


@dataclass(frozen=True)
class Job:
    """A periodic job: its schedule and its last recorded run."""

    name: str
    task: str
    enabled: bool
    schedule: str
    last_run_at: datetime | None
    next_run_at: datetime | None
    outcome: str | None
    duration: timedelta | None
    error: str

    @property
    def failed(self) -> bool:
        return self.outcome == "FAILURE"

    @property
    def outcome_text(self) -> str:
        """Say how the last recorded run went, in words."""
        if self.outcome is None:
            return "no run recorded"
        return OUTCOME_TEXT.get(self.outcome, self.outcome.lower())


@dataclass(frozen=True)
class Operations:
    jobs: list[Job]
    # The database and Redis checks of /healthz; the Celery workers are asked separately
    # (`config.health.check_celery` waits for replies), by a fragment the page loads after.
    health: dict[str, Check]
    queue_depth: int | None
    queue_error: str = ""


def _midnight(now: datetime, zone: ZoneInfo) -> datetime:
    local = now.astimezone(zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _students() -> QuerySet[User]:
    return User.objects.filter(groups__name=Role.STUDENT)


# Activity -----------------------------------------------------------------------------------------


def activity(*, now: datetime, zone: ZoneInfo) -> Activity:
    """Active students, answers per day, sign-ups per week, sessions started and finished."""
    midnight = _midnight(now, zone)
    week, month = now - timedelta(days=7), now - timedelta(days=30)
    # Active means answered at least one item in the period.
    active = Response.objects.filter(answered_at__gte=month, answered_at__lte=now).aggregate(
        today=Count("learner", distinct=True, filter=Q(answered_at__gte=midnight)),
        week=Count("learner", distinct=True, filter=Q(answered_at__gte=week)),
        month=Count("learner", distinct=True),
    )
    days = [
        DayProgress(day=day, answered=answered, correct=correct)
        for day, answered, correct in Response.objects.filter(answered_at__lte=now).counts_per_day(
            first=midnight.date() - timedelta(days=RESPONSE_DAYS - 1),
            days=RESPONSE_DAYS,
            zone=zone,
        )
    ]
    this_week = midnight.date() - timedelta(days=midnight.weekday())
    first_week = this_week - timedelta(weeks=SIGNUP_WEEKS - 1)
    joined = {
        row["week"]: row["count"]
        for row in _students()
        .filter(date_joined__gte=datetime.combine(first_week, midnight.timetz()))
        .annotate(week=TruncWeek("date_joined", tzinfo=zone))
        .values("week")
        .annotate(count=Count("id"))
        .order_by()
    }
    by_week = {_as_date(week): count for week, count in joined.items()}
    signups = [
        WeekCount(week=week, count=by_week.get(week, 0))
        for week in (first_week + timedelta(weeks=n) for n in range(SIGNUP_WEEKS))
    ]
    sessions = PracticeSession.objects.aggregate(
        started=Count("id", filter=Q(created_at__gte=now - timedelta(days=SESSION_DAYS))),
        finished=Count("id", filter=Q(finished_at__gte=now - timedelta(days=SESSION_DAYS))),
    )
    return Activity(
        active_today=active["today"],
        active_week=active["week"],
        active_month=active["month"],
        days=days,
        signups=signups,
        sessions_started=sessions["started"],
        sessions_finished=sessions["finished"],
    )


def _as_date(value: date | datetime) -> date:
    # TruncWeek gives an aware datetime for a DateTimeField; its local date is the week's Monday.
    return value.date() if isinstance(value, datetime) else value


# Learning -----------------------------------------------------------------------------------------


def learning(*, now: datetime, zone: ZoneInfo) -> Learning:
    """Accuracy per topic, the weakest topics, and the students at risk."""
    topics = [
        TopicAccuracy(
            topic_id=row["question__topic_id"],
            name=row["question__topic__name"],
            attempts=row["attempts"],
            correct=row["correct"],
        )
        for row in Response.objects.first_attempts()
        .values("question__topic_id", "question__topic__name")
        .annotate(attempts=Count("id"), correct=Count("id", filter=Q(is_correct=True)))
        .order_by("question__topic__name", "question__topic_id")
    ]
    weakest = sorted(
        (topic for topic in topics if topic.attempts >= MIN_TOPIC_ATTEMPTS),
        key=lambda topic: (topic.accuracy, topic.name),
    )[:WEAKEST_TOPICS]
    return Learning(topics=topics, weakest=weakest, at_risk=at_risk(now=now, zone=zone))


def at_risk(*, now: datetime, zone: ZoneInfo) -> list[AtRisk]:
    """Students with an exam ahead and no practice for 14 days, or accuracy falling."""
    today = now.astimezone(zone).date()
    last_answer = Response.objects.filter(learner=OuterRef("pk")).order_by("-answered_at")
    idle = (
        _students()
        .filter(is_active=True, exam_date__gte=today)
        .filter(
            ~Exists(
                Response.objects.filter(
                    learner=OuterRef("pk"), answered_at__gt=now - IDLE_BEFORE_EXAM
                )
            )
        )
        .annotate(last_answer_at=Subquery(last_answer.values("answered_at")[:1]))
        .order_by("exam_date", "username")
        .values_list("pk", "username", "exam_date", "last_answer_at")[:LISTED]
    )
    found = [
        AtRisk(
            learner_id=pk,
            username=username,
            reason=f"Exam on {exam:%d %b %Y}, no practice for 14 days",
            exam_date=exam,
            last_answer_at=last,
        )
        for pk, username, exam, last in idle
    ]
    recent, previous = now - FORTNIGHT, now - 2 * FORTNIGHT
    falling = (
        Response.objects.filter(
            answered_at__gt=previous, answered_at__lte=now, learner__is_active=True
        )
        .values("learner_id", "learner__username", "learner__exam_date")
        .annotate(
            recent=Count("id", filter=Q(answered_at__gt=recent)),
            recent_correct=Count("id", filter=Q(answered_at__gt=recent, is_correct=True)),
            before=Count("id", filter=Q(answered_at__lte=recent)),
            before_correct=Count("id", filter=Q(answered_at__lte=recent, is_correct=True)),
            last_answer_at=Max("answered_at"),
        )
        .filter(recent__gte=MIN_FORTNIGHT_ANSWERS, before__gte=MIN_FORTNIGHT_ANSWERS)
        .order_by("learner__username")
    )
    for row in falling:
        was = row["before_correct"] / row["before"]
        now_at = row["recent_correct"] / row["recent"]
        if was - now_at >= FALLING_BY:
            found.append(
                AtRisk(
                    learner_id=row["learner_id"],
                    username=row["learner__username"],
                    reason=f"Accuracy down from {was:.0%} to {now_at:.0%} over the last fortnight",
                    exam_date=row["learner__exam_date"],
                    last_answer_at=row["last_answer_at"],
                )
            )
    return found


# The bank -----------------------------------------------------------------------------------------


def bank() -> Bank:
    """Questions by status, the review queue, open problem reports and flagged items."""
    counts = dict(Question.objects.values_list("status").annotate(count=Count("id")).order_by())
    by_status = {label: counts.get(value, 0) for value, label in Status.choices}
    submitted = (
        ReviewEvent.objects.filter(question=OuterRef("pk"), action=ReviewEvent.Action.SUBMITTED)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    queue = [
        Waiting(question_id=pk, title=lead_in, submitted_at=at)
        for pk, lead_in, at in Question.objects.awaiting_review()
        .annotate(submitted_at=Subquery(submitted))
        .order_by(F("submitted_at").asc(nulls_first=True), "pk")
        .values_list("pk", "lead_in", "submitted_at")[:LISTED]
    ]
    open_reports = ProblemReport.objects.unresolved()
    reports = list(open_reports.select_related("question").order_by("created_at", "pk")[:LISTED])
    flagged = [
        Flagged(
            question_id=stats.question_id,
            title=stats.question.lead_in,
            attempts=stats.attempts,
            facility=stats.facility,
            discrimination=stats.discrimination,
            flags=[flag_label(code) for code in stats.flags if code in FLAG_TEXT],
        )
        for stats in ItemStatistics.objects.filter(version_id=F("question__current_version_id"))
        .exclude(flags=[])
        .exclude(question__status=Status.RETIRED)
        .select_related("question")
        .order_by("facility", "question_id")
    ]
    return Bank(
        by_status=by_status,
        queue=queue,
        queue_size=counts.get(Status.IN_REVIEW, 0),
        reports=reports,
        open_reports=open_reports.count(),
        flagged=flagged,
    )


def disagreements(linked: Iterable[Question]) -> list[Disagreement]:
    """Run each linked question's decision model and list those whose key it disagrees with."""
    return [
        Disagreement(
            question_id=question.pk,
            title=question.lead_in,
            status=question.get_status_display(),
            model=question.decision_model,
            is_overridden=bool(question.decision_override_reason),
        )
        for question in linked
        if (check := check_question(question)) and check.disagrees
    ]


# Operations ---------------------------------------------------------------------------------------


def operations(*, now: datetime) -> Operations:
    """Each periodic job's last run and outcome, the queue depth, the database and Redis."""
    latest = TaskResult.objects.filter(periodic_task_name=OuterRef("name")).order_by(
        "-date_created", "-pk"
    )
    tasks = (
        PeriodicTask.objects.select_related("interval", "crontab", "solar", "clocked")
        .annotate(
            outcome=Subquery(latest.values("status")[:1]),
            started=Subquery(latest.values("date_started")[:1]),
            done=Subquery(latest.values("date_done")[:1]),
            error=Subquery(latest.values("result")[:1]),
        )
        .order_by("name")
    )
    jobs = []
    for task in tasks:
        schedule = task.schedule
        # Celery's schedules read their own clock; this one reads the dashboard's `now`.
        schedule.nowfun = lambda: now
        remaining = schedule.remaining_estimate(task.last_run_at or now) if task.enabled else None
        jobs.append(
            Job(
                name=task.name,
                task=task.task,
                enabled=task.enabled,
                schedule=str(task.scheduler),
                last_run_at=task.last_run_at,
                next_run_at=None if remaining is None else now + max(remaining, timedelta(0)),
                outcome=task.outcome,
                duration=(task.done - task.started) if task.started and task.done else None,
                error=_error_text(task.error) if task.outcome == "FAILURE" else "",
            )
        )
    depth, queue_error = queue_depth()
    return Operations(
        jobs=jobs,
        health={"database": check_database(), "redis": check_redis()},
        queue_depth=depth,
        queue_error=queue_error,
    )


def _error_text(result: str | None) -> str:
    # A failed task's stored result is its exception as JSON: {"exc_type": ..., "exc_message": ...}.
    try:
        exception = json.loads(result or "")
    except ValueError:
        return result or ""
    if not isinstance(exception, dict):
        return str(exception)
    message = exception.get("exc_message")
    if isinstance(message, list):
        message = " ".join(str(part) for part in message)
    return f"{exception.get('exc_type', 'Error')}: {message}"


def queue_depth() -> tuple[int | None, str]:
    """Return how many tasks wait in the broker's default queue (a Redis list), or the error."""
    client = probe_client(settings.CELERY_BROKER_URL)
    try:
        return int(client.llen(celery_app.conf.task_default_queue)), ""
    except redis.RedisError as error:
        return None, f"{type(error).__name__}: {error}"
    finally:
        client.close()
