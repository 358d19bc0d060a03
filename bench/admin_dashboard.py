"""Admin dashboard page time at scale. Target: under 5 times a trivial admin page.

Seeds a private SQLite database (or `--database-url`) with 100,000 students in the Student group
and 10,000,000 answered items by default (sessions of 50 items spread over the past year, every
student's answers on distinct questions of a 2,000-question bank, with some questions in review
or retired), then, in this process, with a real Redis for the broker checks:

- runs the periodic job's work once (`config.snapshots.refresh_snapshot`, printed for
  information: it is the part that reads the responses, off the page);
- figure: the admin index with the dashboard (`GET /admin/` as a signed-in administrator);
- baseline: a trivial admin page in the same run (`GET /admin/auth/group/`, the three role
  groups), with the same client.

Each page is requested `--requests` times after two warm-up requests; the median is the figure.
The Celery worker probe is a separate request the page makes after loading (it waits up to a
second for replies) and is not part of either figure.

    .venv/bin/python bench/admin_dashboard.py [--students 100000] [--responses 10000000]
        [--questions 2000] [--topics 40] [--requests 20] [--database-url URL] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.seeding import environment, insert_rows  # noqa: E402

TARGET = 5.0
SEED = 7
ITEMS_PER_SESSION = 50
HISTORY_DAYS = 365
EXAM_SHARE = 0.2

SESSION_FIELDS = ("learner_id", "mode", "pool", "item_count", "created_at", "finished_at")
ITEM_FIELDS = ("session_id", "position", "question_id", "option_order", "struck_options")
RESPONSE_FIELDS = (
    "item_id",
    "learner_id",
    "question_id",
    "is_correct",
    "is_first_attempt",
    "time_spent",
    "answered_at",
)


def seed(*, students: int, responses: int, questions: int, topics: int) -> dict[str, int]:
    """Migrate, then add the bank, the students, their sessions, items and responses."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, transaction

    from learners.models import PracticeSession, Response, SessionItem, User
    from learners.roles import Role
    from quizbank.models import Question, Status
    from quizbank.services import ensure_topic

    call_command("migrate", verbosity=0)
    rng = Random(SEED)
    now = datetime.now(UTC)
    admin = User.objects.create_superuser("bench-admin", "admin@example.org", "unused")
    topic_rows = [ensure_topic(["Bench", f"Topic {n}"]) for n in range(topics)]
    statuses = [Status.IN_REVIEW] * 50 + [Status.DRAFT] * 30 + [Status.RETIRED] * 20
    statuses += [Status.PUBLISHED] * (questions - len(statuses))
    bank = Question.objects.bulk_create(
        Question(
            topic=topic_rows[n % topics],
            stem=f"Vignette {n}.",
            lead_in=f"Bench question {n}?",
            status=status,
            author=admin,
        )
        for n, status in enumerate(statuses)
    )
    published = [q.pk for q in bank if q.status == Status.PUBLISHED]
    per_student = max(1, responses // students)
    if per_student > len(published):
        raise SystemExit(f"{per_student} answers per student need as many published questions")
    password = make_password(None)
    today = now.date()
    users = User.objects.bulk_create(
        (
            User(
                username=f"bench-student-{n}",
                password=password,
                email=f"student-{n}@example.org",
                date_joined=now - timedelta(days=rng.randint(0, 2 * HISTORY_DAYS)),
                exam_date=today + timedelta(days=rng.randint(1, 120))
                if rng.random() < EXAM_SHARE
                else None,
            )
            for n in range(students)
        ),
        batch_size=5_000,
    )
    group = Group.objects.get(name=Role.STUDENT)
    User.groups.through.objects.bulk_create(
        (User.groups.through(user_id=user.pk, group_id=group.pk) for user in users),
        batch_size=5_000,
    )
    adapt = connection.ops.adapt_datetimefield_value
    spent = Response._meta.get_field("time_spent").get_db_prep_save(
        timedelta(seconds=40), connection
    )
    # Each student: `per_student` answers on distinct questions, in sessions of 50 items.
    plans: list[tuple[int, list[int], datetime]] = []
    for user in users:
        picked = rng.sample(published, per_student)
        for start in range(0, per_student, ITEMS_PER_SESSION):
            began = now - timedelta(days=rng.uniform(0, HISTORY_DAYS))
            plans.append((user.pk, picked[start : start + ITEMS_PER_SESSION], began))
    with transaction.atomic():
        insert_rows(
            PracticeSession,
            SESSION_FIELDS,
            (
                (learner, "tutor", "all", len(chunk), adapt(began), adapt(began))
                for learner, chunk, began in plans
            ),
        )
        first_session = PracticeSession.objects.order_by("pk").values_list("pk", flat=True)[0]
        insert_rows(
            SessionItem,
            ITEM_FIELDS,
            (
                (first_session + n, position, question, "[]", "[]")
                for n, (_, chunk, _) in enumerate(plans)
                for position, question in enumerate(chunk)
            ),
        )
        first_item = SessionItem.objects.order_by("pk").values_list("pk", flat=True)[0]
        inserted = insert_rows(Response, RESPONSE_FIELDS, _responses(plans, first_item, rng, spent))
    return {"students": len(users), "responses": inserted, "questions": len(bank)}


def _responses(
    plans: list[tuple[int, list[int], datetime]], first_item: int, rng: Random, spent: Any
) -> Iterator[tuple[Any, ...]]:
    from django.db import connection

    adapt = connection.ops.adapt_datetimefield_value
    item = first_item
    for learner, chunk, began in plans:
        for position, question in enumerate(chunk):
            answered = began + timedelta(seconds=40 * position)
            yield (item, learner, question, rng.random() < 0.65, True, spent, adapt(answered))
            item += 1


def median_seconds(client: Any, url: str, requests: int) -> float:
    """Return the median time of `requests` GETs of `url` after two warm-up requests."""
    times = []
    for n in range(requests + 2):
        started = time.perf_counter()
        answer = client.get(url)
        elapsed = time.perf_counter() - started
        if answer.status_code != 200:
            raise SystemExit(f"GET {url} answered {answer.status_code}")
        if n >= 2:
            times.append(elapsed)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--responses", type=int, default=10_000_000)
    parser.add_argument("--questions", type=int, default=2_000)
    parser.add_argument("--topics", type=int, default=40)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--database-url", default="", help="default: a private SQLite file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    options = parser.parse_args()
    if min(options.students, options.responses, options.topics, options.requests) < 1:
        parser.error("students, responses, topics and requests must be at least 1")
    if options.questions < 100 + options.topics:
        parser.error("the bank needs at least 100 questions more than topics")

    from tests.servers import running_redis

    workdir = tempfile.mkdtemp(prefix="dashboard-bench-")
    try:
        with running_redis(Path(workdir)) as redis_url:
            database_url = options.database_url or f"sqlite:///{workdir}/bench.sqlite3"
            # The settings read these when Django starts: set them before django.setup().
            os.environ.update(environment(workdir, database_url))
            os.environ.update(
                REDIS_URL=redis_url, ALLOWED_HOSTS="testserver", SECURE_SSL_REDIRECT="false"
            )
            import django

            django.setup()
            status = run(options)
    finally:
        if options.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(status)


def run(options: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from config.snapshots import refresh_snapshot
    from learners.models import User

    started = time.perf_counter()
    seeded = seed(
        students=options.students,
        responses=options.responses,
        questions=options.questions,
        topics=options.topics,
    )
    seed_seconds = time.perf_counter() - started
    # Production serves the hashed names of collected static files, which the pages link to.
    call_command("collectstatic", interactive=False, verbosity=0)
    snapshot = refresh_snapshot(now=datetime.now(UTC))
    client = Client()
    client.force_login(User.objects.get(username="bench-admin"))
    page = median_seconds(client, "/admin/", options.requests)
    trivial = median_seconds(client, "/admin/auth/group/", options.requests)
    ratio = page / trivial
    vendor = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(
        connection.vendor, connection.vendor
    )
    print(
        f"seed ({vendor}, not timed): {seeded['students']:,} students, "
        f"{seeded['responses']:,} responses, {seeded['questions']:,} questions "
        f"in {seed_seconds:.0f} s"
    )
    print(
        f"periodic job (refresh_snapshot, off the page, no target): {snapshot.seconds:.2f} s "
        f"on {date.today():%d %b %Y}"
    )
    print(f"figure:   GET /admin/ (the dashboard), median of {options.requests}")
    print(f"baseline: GET /admin/auth/group/ (a trivial admin page), median of {options.requests}")
    print()
    print(f"{'':<28}{'ms':>10}")
    print(f"{'dashboard page':<28}{page * 1000:>10.1f}")
    print(f"{'trivial admin page':<28}{trivial * 1000:>10.1f}")
    print()
    met = ratio < TARGET
    print(f"target: dashboard/trivial < {TARGET:g}: {'met' if met else 'MISSED'}")
    print(f"ratio to trivial admin page: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    main()
