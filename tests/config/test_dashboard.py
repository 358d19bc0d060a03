"""The admin dashboard: each figure against a small data set counted by hand, and the page."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis
from django.test import Client
from django.urls import reverse
from django_celery_beat.models import PeriodicTask
from django_celery_results.models import TaskResult
from reversion.models import Version

from config import dashboard as figures
from config.models import DashboardSnapshot
from config.snapshots import KEEP_SNAPSHOTS, compute, page, refresh_snapshot
from decision.review import linked_questions
from learners.models import Mode, PracticeSession, Response, SessionItem, User
from learners.roles import Role
from quizbank import services
from quizbank.models import ItemStatistics, Option, ProblemReport, Question, ReviewEvent, Status
from quizbank.services import ensure_topic
from tests.conftest import make_user
from tests.decision.test_bank_integration import linked

pytestmark = pytest.mark.django_db

# A Wednesday noon; the site's time zone is UTC, so today began at midnight.
NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")


def question(author: User, topic: list[str], *, status: str = Status.PUBLISHED) -> Question:
    made = Question.objects.create(
        topic=ensure_topic(topic),
        stem="A vignette.",
        lead_in=f"A question on {topic[-1]}?",
        status=status,
        author=author,
    )
    Option.objects.bulk_create(
        Option(question=made, position=i, text=f"Option {i}", is_correct=i == 0) for i in range(4)
    )
    return made


def answer(
    learner: User,
    asked: Question,
    at: datetime,
    *,
    correct: bool = True,
    first: bool = True,
    finished: bool = False,
) -> Response:
    """Record one answer in its own one-item tutor session started at `at`."""
    session = PracticeSession.objects.create(
        learner=learner,
        mode=Mode.TUTOR,
        item_count=1,
        created_at=at,
        finished_at=at if finished else None,
    )
    item = SessionItem.objects.create(session=session, position=0, question=asked)
    return Response.objects.create(
        item=item,
        learner=learner,
        question=asked,
        option=asked.options.get(position=0 if correct else 1),
        is_correct=correct,
        is_first_attempt=first,
        time_spent=timedelta(seconds=30),
        answered_at=at,
    )


# Activity -----------------------------------------------------------------------------------------


def test_active_students_answers_per_day_and_sessions_are_counted_by_hand(
    instructor: User,
) -> None:
    asked = question(instructor, ["Haematology"])
    ann, bob, cat = (make_user(name, Role.STUDENT) for name in ("ann", "bob", "cat"))
    answer(ann, asked, NOW - timedelta(hours=1), finished=True)  # today
    answer(ann, asked, NOW - timedelta(days=3), correct=False, first=False)
    answer(bob, asked, NOW - timedelta(days=5))  # this week
    answer(cat, asked, NOW - timedelta(days=20), finished=True)  # this month
    answer(cat, asked, NOW - timedelta(days=40), first=False)  # before the month
    answer(cat, asked, NOW - timedelta(days=95), first=False)  # before the chart
    # Yesterday just before midnight is not today.
    answer(bob, asked, datetime(2026, 3, 10, 23, 59, tzinfo=UTC), correct=False, first=False)

    activity = figures.activity(now=NOW, zone=UTC_ZONE)

    assert (activity.active_today, activity.active_week, activity.active_month) == (1, 2, 3)
    assert len(activity.days) == 90
    assert activity.days[0].day == date(2025, 12, 12)
    assert activity.days[-1].day == date(2026, 3, 11)
    by_day = {day.day: (day.answered, day.correct) for day in activity.days if day.answered}
    assert by_day == {
        date(2026, 3, 11): (1, 1),
        date(2026, 3, 10): (1, 0),
        date(2026, 3, 8): (1, 0),
        date(2026, 3, 6): (1, 1),
        date(2026, 2, 19): (1, 1),
        date(2026, 1, 30): (1, 1),
    }
    # Sessions started in the last 30 days: all but the 40- and 95-day-old ones; two finished.
    assert (activity.sessions_started, activity.sessions_finished) == (5, 2)


def test_sign_ups_are_students_counted_per_week_starting_monday(
    instructor: User, admin_user: User
) -> None:
    ann, bob, cat = (make_user(name, Role.STUDENT) for name in ("ann", "bob", "cat"))
    User.objects.filter(pk=ann.pk).update(date_joined=datetime(2026, 3, 9, 0, 5, tzinfo=UTC))
    User.objects.filter(pk=bob.pk).update(date_joined=datetime(2026, 3, 8, 23, 55, tzinfo=UTC))
    User.objects.filter(pk=cat.pk).update(date_joined=NOW - timedelta(weeks=13))
    User.objects.filter(pk__in=[instructor.pk, admin_user.pk]).update(date_joined=NOW)

    signups = figures.activity(now=NOW, zone=UTC_ZONE).signups

    assert len(signups) == 12
    assert [week.week for week in signups[-2:]] == [date(2026, 3, 2), date(2026, 3, 9)]
    assert all(week.week.weekday() == 0 for week in signups)
    assert {week.week: week.count for week in signups if week.count} == {
        date(2026, 3, 9): 1,
        date(2026, 3, 2): 1,
    }


# Learning -----------------------------------------------------------------------------------------


def test_accuracy_per_topic_counts_first_attempts_only(
    instructor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    a1, a2 = question(instructor, ["Haematology"]), question(instructor, ["Haematology"])
    b1 = question(instructor, ["Cardiology"])
    ann, bob, cat = (make_user(name, Role.STUDENT) for name in ("ann", "bob", "cat"))
    answer(ann, a1, NOW - timedelta(days=1))
    answer(ann, a2, NOW - timedelta(days=1), correct=False)
    answer(ann, a2, NOW - timedelta(hours=2), first=False)  # a repeat: not counted
    answer(bob, a1, NOW - timedelta(days=2))
    answer(cat, a1, NOW - timedelta(days=2), correct=False)
    answer(ann, b1, NOW - timedelta(days=1))
    monkeypatch.setattr(figures, "MIN_TOPIC_ATTEMPTS", 2)

    learning = figures.learning(now=NOW, zone=UTC_ZONE)

    assert [(t.name, t.attempts, t.correct) for t in learning.topics] == [
        ("Cardiology", 1, 1),
        ("Haematology", 4, 2),
    ]
    # Cardiology has one attempt, under the (patched) minimum of two: only Haematology is listed.
    assert [(t.name, t.accuracy) for t in learning.weakest] == [("Haematology", 0.5)]


def test_students_at_risk_are_idle_before_an_exam_or_falling(instructor: User) -> None:
    asked = question(instructor, ["Haematology"])
    idle, busy, never, falling, steady = (
        make_user(name, Role.STUDENT) for name in ("idle", "busy", "never", "falling", "steady")
    )
    User.objects.filter(pk__in=[idle.pk, busy.pk, never.pk]).update(exam_date=date(2026, 4, 1))
    answer(idle, asked, NOW - timedelta(days=15))
    answer(busy, asked, NOW - timedelta(days=13))
    # Accuracy 10/10 the fortnight before, 5/10 the last one: down 50 points.
    for n in range(10):
        answer(falling, asked, NOW - timedelta(days=20, minutes=n), first=n == 0)
        answer(falling, asked, NOW - timedelta(days=3, minutes=n), correct=n < 5, first=False)
    # 10/10 then 9/10: down 10 points, under the 15-point threshold.
    for n in range(10):
        answer(steady, asked, NOW - timedelta(days=20, minutes=n), first=n == 0)
        answer(steady, asked, NOW - timedelta(days=3, minutes=n), correct=n < 9, first=False)
    # An exam already past is no reason.
    past = make_user("past", Role.STUDENT)
    User.objects.filter(pk=past.pk).update(exam_date=date(2026, 3, 1))

    at_risk = figures.at_risk(now=NOW, zone=UTC_ZONE)

    assert [(s.username, s.reason) for s in at_risk] == [
        ("idle", "Exam on 01 Apr 2026, no practice for 14 days"),
        ("never", "Exam on 01 Apr 2026, no practice for 14 days"),
        ("falling", "Accuracy down from 100% to 50% over the last fortnight"),
    ]
    assert at_risk[0].last_answer_at == NOW - timedelta(days=15)
    assert at_risk[1].last_answer_at is None


# The bank -----------------------------------------------------------------------------------------


def test_the_bank_counts_statuses_and_lists_queue_reports_and_disagreements(
    instructor: User, reviewer: User, student: User
) -> None:
    for status, count in (
        (Status.PUBLISHED, 2),
        (Status.DRAFT, 1),
        (Status.RETIRED, 1),
    ):
        for _ in range(count):
            question(instructor, ["Haematology"], status=status)
    older = services.create_question(content=linked(key=0), by=instructor)
    services.submit_for_review(question=older, by=instructor)
    # Keyed B where the model prefers A: a disagreement.
    newer = services.create_question(content=replace(linked(key=1), name="other"), by=instructor)
    services.submit_for_review(question=newer, by=instructor)
    ReviewEvent.objects.filter(question=older).update(created_at=NOW - timedelta(days=9))
    ReviewEvent.objects.filter(question=newer).update(created_at=NOW - timedelta(days=2))
    reported = Question.objects.filter(status=Status.PUBLISHED).first()
    assert reported is not None
    ProblemReport.objects.create(question=reported, reporter=student, text="Typo in B.")
    ProblemReport.objects.create(question=reported, reporter=student, text="Key is wrong?")
    ProblemReport.objects.create(
        question=reported, reporter=student, text="Fixed.", resolved_at=NOW, resolved_by=reviewer
    )

    bank = figures.bank()

    assert bank.by_status == {"Draft": 1, "In review": 2, "Published": 2, "Retired": 1}
    assert bank.queue_size == 2
    assert [item.question_id for item in bank.queue] == [older.pk, newer.pk]
    assert bank.queue[0].submitted_at == NOW - timedelta(days=9)
    assert bank.open_reports == 2
    assert [report.text for report in bank.reports] == ["Typo in B.", "Key is wrong?"]
    assert [
        (d.question_id, d.status, d.is_overridden)
        for d in figures.disagreements(linked_questions())
    ] == [(newer.pk, "In review", False)]


def statistics(asked: Question, version: Version, **values: Any) -> ItemStatistics:
    defaults: dict[str, Any] = {
        "attempts": 40,
        "facility": 0.5,
        "discrimination": 0.3,
        "option_shares": {},
        "mean_seconds": 50.0,
        "flags": [],
        "computed_at": NOW,
    }
    return ItemStatistics.objects.create(question=asked, version=version, **{**defaults, **values})


def revisions(asked: Question, by: User, count: int) -> list[Version]:
    """Save `count` revisions of the question; the last one is its current revision."""
    for n in range(count):
        services.record_revision(asked, by=by, comment=f"Revision {n + 1}")
    asked.refresh_from_db()
    found = list(Version.objects.get_for_object(asked).order_by("pk"))
    assert asked.current_version_id == found[-1].pk
    return found


def test_flagged_items_are_current_revisions_with_flags_and_not_retired(
    instructor: User,
) -> None:
    easy, edited, plain, gone = (question(instructor, ["Haematology"]) for _ in range(4))
    statistics(easy, revisions(easy, instructor, 1)[0], facility=0.97, flags=["too_easy"])
    old, current = revisions(edited, instructor, 2)
    statistics(edited, old, facility=0.1, flags=["too_hard"])  # fixed by the edit
    statistics(edited, current, facility=0.6)
    statistics(plain, revisions(plain, instructor, 1)[0])
    statistics(gone, revisions(gone, instructor, 1)[0], facility=0.1, flags=["too_hard"])
    Question.objects.filter(pk=gone.pk).update(status=Status.RETIRED)

    flagged = figures.bank().flagged

    assert [(item.question_id, item.facility) for item in flagged] == [(easy.pk, 0.97)]
    assert flagged[0].flags == ["Too easy"]


# Operations ---------------------------------------------------------------------------------------


def result(name: str, status: str, done: datetime, **values: Any) -> TaskResult:
    """Store a run's result as django-celery-results does: created at the start, done later."""
    started = values.pop("started", None)
    stored = TaskResult.objects.create(
        task_id=f"{name}-{done.isoformat()}",
        periodic_task_name=name,
        task_name="a.task",
        status=status,
        date_started=started,
        **values,
    )
    # Both dates are set by the database on save (auto_now_add, auto_now): put them in place.
    TaskResult.objects.filter(pk=stored.pk).update(date_created=started or done, date_done=done)
    return stored


def test_each_periodic_job_shows_its_last_run_outcome_and_duration() -> None:
    PeriodicTask.objects.filter(name="Plan the new day").update(
        last_run_at=NOW - timedelta(minutes=55)
    )
    result(
        "Plan the new day",
        "FAILURE",
        NOW - timedelta(hours=2),
        result='{"exc_type": "OperationalError", "exc_message": ["locked"]}',
    )
    result(
        "Plan the new day",
        "SUCCESS",
        NOW - timedelta(minutes=55) + timedelta(seconds=2.5),
        started=NOW - timedelta(minutes=55),
    )
    result(
        "Send practice reminders",
        "FAILURE",
        NOW - timedelta(minutes=45),
        started=NOW - timedelta(minutes=45, seconds=1),
        result='{"exc_type": "SMTPException", "exc_message": ["mail server down"]}',
    )

    jobs = {job.name: job for job in figures.operations(now=NOW).jobs}

    assert set(jobs) >= {
        "Plan the new day",
        "Sweep missing plans",
        "Recompute item statistics",
        "Send practice reminders",
    }
    planned = jobs["Plan the new day"]
    assert (planned.outcome_text, planned.failed, planned.error) == ("Succeeded", False, "")
    assert planned.duration == timedelta(seconds=2.5)
    # Hourly at :05 after a run at 11:05: the next is 12:05.
    assert planned.next_run_at == datetime(2026, 3, 11, 12, 5, tzinfo=UTC)
    reminders = jobs["Send practice reminders"]
    assert reminders.failed
    assert reminders.error == "SMTPException: mail server down"
    assert reminders.duration == timedelta(seconds=1)
    assert jobs["Sweep missing plans"].outcome_text == "no run recorded"


def test_queue_depth_is_read_from_the_brokers_redis_list(redis_url: str, settings: Any) -> None:
    # A database of its own on the test Redis, so no worker of the test session consumes it.
    settings.CELERY_BROKER_URL = redis_url.rsplit("/", 1)[0] + "/7"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("celery")
    client.rpush("celery", "first", "second")
    try:
        assert figures.queue_depth() == (2, "")
    finally:
        client.delete("celery")
        client.close()


def test_queue_depth_names_the_error_when_redis_is_down(settings: Any) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"

    depth, error = figures.queue_depth()

    assert depth is None
    assert error.startswith("ConnectionError")


# The page -----------------------------------------------------------------------------------------


def test_the_admin_index_shows_every_section_in_a_fixed_number_of_queries(
    admin_user: User,
    instructor: User,
    client_for: Any,
    django_assert_num_queries: Any,
    redis_url: str,
    settings: Any,
) -> None:
    settings.REDIS_URL = settings.CELERY_BROKER_URL = redis_url
    client: Client = client_for(admin_user)
    asked = question(instructor, ["Haematology"])
    ann = make_user("ann", Role.STUDENT)
    now = datetime.now(UTC)
    # Answered today in the dashboard's zone, also when the test runs just after its midnight.
    zone = ZoneInfo(settings.TIME_ZONE)
    midnight = datetime.combine(now.astimezone(zone).date(), time.min, tzinfo=zone)
    answer(ann, asked, max(now - timedelta(minutes=5), midnight))
    statistics(asked, revisions(asked, instructor, 1)[0], facility=0.97, flags=["too_easy"])
    result(
        "Send practice reminders",
        "FAILURE",
        now,
        result='{"exc_type": "SMTPException", "exc_message": ["mail server down"]}',
    )

    refresh_snapshot(now=now)

    with django_assert_num_queries(QUERIES):
        page = client.get(reverse("admin:index"))

    html = page.content.decode()
    assert page.status_code == 200
    for heading in ("Activity", "Learning", "The bank", "Operations"):
        assert f">{heading}</h2>" in html
    assert re.search(r'data-figure="active-today">1<', html)
    assert reverse("authoring-question-analysis", args=[asked.pk]) in html
    failed = re.search(r'<tr class="job-failed">.*?</tr>', html, re.DOTALL)
    assert failed is not None and "Send practice reminders" in failed.group(0)
    assert "SMTPException: mail server down" in failed.group(0)
    # The real Redis answers; the workers are asked by a fragment the page loads after.
    assert "Tasks waiting in the queue: 0" in html
    assert f'hx-get="{reverse("admin:dashboard-workers")}"' in html
    assert "these figures are out of date" not in html


# The session, the user and their two permission reads; the snapshot; the bank's five (statuses,
# queue, reports, open reports, flagged items); the periodic jobs with their last results; the
# database health check; and the admin index's recent actions.
QUERIES = 13


def test_the_page_does_not_grow_with_the_data(
    admin_user: User,
    instructor: User,
    client_for: Any,
    django_assert_num_queries: Any,
    redis_url: str,
    settings: Any,
) -> None:
    settings.REDIS_URL = settings.CELERY_BROKER_URL = redis_url
    client: Client = client_for(admin_user)
    topics = [["Haematology"], ["Cardiology"], ["Renal"]]
    bank = [question(instructor, topic) for topic in topics for _ in range(3)]
    for n in range(6):
        learner = make_user(f"s{n}", Role.STUDENT)
        User.objects.filter(pk=learner.pk).update(exam_date=date.today() + timedelta(days=30))
        for asked in bank[n:]:
            answer(learner, asked, datetime.now(UTC) - timedelta(days=n), correct=n % 2 == 0)

    refresh_snapshot(now=datetime.now(UTC))

    with django_assert_num_queries(QUERIES):
        assert client.get(reverse("admin:index")).status_code == 200


def test_students_and_instructors_cannot_open_the_dashboard(
    student: User, instructor: User, client_for: Any
) -> None:
    for user in (student, instructor):
        page = client_for(user).get(reverse("admin:index"))
        assert page.status_code == 302
        assert "/admin/login/" in page["Location"]


def test_the_worker_probe_lists_the_workers_that_answer(
    admin_user: User, client_for: Any, celery_worker: Any, redis_url: str, settings: Any
) -> None:
    settings.REDIS_URL = settings.CELERY_BROKER_URL = redis_url
    client: Client = client_for(admin_user)

    fragment = client.get(reverse("admin:dashboard-workers"), headers={"HX-Request": "true"})
    full = client.get(reverse("admin:dashboard-workers"))

    html = fragment.content.decode()
    assert html.startswith('<li id="workers-online">Celery workers online: 1 (')
    assert celery_worker.hostname in html
    # Without htmx the same answer comes as an admin page.
    assert "<html" in full.content.decode() and celery_worker.hostname in full.content.decode()


def test_the_worker_probe_says_none_in_red_when_no_worker_answers(
    admin_user: User, client_for: Any, settings: Any
) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:9/0"

    html = (
        client_for(admin_user)
        .get(reverse("admin:dashboard-workers"), headers={"HX-Request": "true"})
        .content.decode()
    )

    none = '<strong class="status-bad">none</strong> (broker unreachable, workers not asked)'
    assert none in html


def test_a_missing_snapshot_is_computed_and_an_old_one_is_flagged(
    admin_user: User, client_for: Any
) -> None:
    client: Client = client_for(admin_user)
    assert not DashboardSnapshot.objects.exists()

    client.get(reverse("admin:index"))

    assert DashboardSnapshot.objects.count() == 1
    DashboardSnapshot.objects.update(computed_at=datetime.now(UTC) - timedelta(hours=1))
    html = client.get(reverse("admin:index")).content.decode()
    assert "these figures are out of date" in html
    assert 'class="dashboard-asof stale"' in html


def test_a_snapshot_gives_back_exactly_the_figures_it_stored(instructor: User) -> None:
    asked = question(instructor, ["Haematology"])
    learner = make_user("ann", Role.STUDENT)
    User.objects.filter(pk=learner.pk).update(exam_date=date(2026, 4, 1))
    answer(learner, asked, NOW - timedelta(days=20), correct=False)

    snapshot = refresh_snapshot(now=NOW)

    stored = page(now=NOW)
    computed = compute(now=NOW)
    assert stored.computed_at == NOW
    assert (stored.activity, stored.learning, stored.disagreements) == (
        computed.activity,
        computed.learning,
        computed.disagreements,
    )
    assert stored.learning.at_risk[0].exam_date == date(2026, 4, 1)
    assert DashboardSnapshot.objects.get().pk == snapshot.pk


def test_only_the_newest_snapshots_are_kept() -> None:
    for minutes in range(KEEP_SNAPSHOTS + 3):
        refresh_snapshot(now=NOW + timedelta(minutes=minutes))

    kept = list(DashboardSnapshot.objects.values_list("computed_at", flat=True))

    assert len(kept) == KEEP_SNAPSHOTS
    assert kept[0] == NOW + timedelta(minutes=KEEP_SNAPSHOTS + 2)


def test_recompute_now_queues_the_job_after_commit(
    admin_user: User, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client: Client = client_for(admin_user)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answered = client.post(reverse("admin:dashboard-refresh"))

    assert answered.status_code == 302
    assert len(callbacks) == 1
    assert client.get(reverse("admin:dashboard-refresh")).status_code == 405


def test_the_periodic_job_stores_a_snapshot(instructor: User) -> None:
    from config.tasks import refresh_dashboard_task

    seconds = refresh_dashboard_task()

    snapshot = DashboardSnapshot.objects.get()
    assert snapshot.seconds == seconds
    assert PeriodicTask.objects.get(name="Refresh the admin dashboard").task == (
        "config.tasks.refresh_dashboard_task"
    )


def test_the_snapshot_takes_a_fixed_number_of_aggregate_queries(
    instructor: User, django_assert_num_queries: Any
) -> None:
    # Enough data for every figure to have rows: two topics, students with exams, answers.
    bank = [question(instructor, [topic]) for topic in ("Haematology", "Cardiology")]
    for n in range(4):
        learner = make_user(f"s{n}", Role.STUDENT)
        User.objects.filter(pk=learner.pk).update(exam_date=date(2026, 4, 1))
        for asked in bank:
            answer(learner, asked, NOW - timedelta(days=n * 5), correct=n % 2 == 0)
    services.create_question(content=linked(key=1), by=instructor)

    # Activity 4 (active students, answers per day, sign-ups, sessions); learning 3 (topics,
    # idle before an exam, falling); the key check 2 (linked questions, their options).
    with django_assert_num_queries(9):
        compute(now=NOW)
