"""Daily plan building throughput. Target: at least 0.25 of a raw in-memory fsrs loop.

Seeds a private SQLite database (or `--database-url`) with a published bank, students in the
Student group and their review cards (100 each by default: 1,000,000 cards for 10,000 students),
then builds every student's plan for today the way the Celery task does: `build_plans` once per
chunk of `PLAN_CHUNK_SIZE` students, in this process. The figure is cards per second over that
build (the students' cards divided by the time spent in `build_plans`); the baseline, measured in
the same run over the same cards, is the loop at the heart of it done in memory with nothing
else: `SCHEDULER.get_card_retrievability` and a due check per card, on `fsrs.Card` objects built
beforehand. Every chunk must take the same number of queries whatever it holds; a run where the
count differs between chunks, or where a student is left without a plan, exits non-zero.

    .venv/bin/python bench/schedule_throughput.py [--students 10000] [--cards-per-student 100]
        [--questions 2000] [--topics 40] [--chunk-size 1000] [--database-url URL] [--keep]
        [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import math
import os
import pstats
import secrets
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.seeding import INSERT_BATCH, environment, insert_rows  # noqa: E402

TARGET = 0.25
# Passes over each chunk, for the figure and the baseline alike; the fastest of each is kept, so
# that a neighbour's burst on the shared machine does not decide the ratio.
REPEATS = 3
# A fixed moment, so that every run plans the same day from the same cards.
NOW = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
SEED = 6
TIME_ZONES = [
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
]
# Daily goals vary so that chunks hold plans of different sizes; most keep the default.
GOALS = [10, 20, 20, 20, 20, 30, 50]
EXAM_SHARE = 0.25
# Students study a few topics at a time: their cards, and so their abilities, come from these.
TOPICS_PER_STUDENT = 8
PROFILE_LINES = 25


@dataclass
class Chunk:
    """One `build_plans` call: its students, time and queries, and the baseline over its cards."""

    learner_ids: list[int]
    # The fastest pass of each.
    seconds: float = math.inf
    raw_seconds: float = math.inf
    plans: int = 0
    # Statements by their first word: SELECT, INSERT, and on SQLite the BEGIN of the transaction.
    statements: Counter[str] = field(default_factory=Counter)
    # Whether two passes over the chunk took different statements (they never should).
    unequal_passes: bool = False
    # What the baseline loop counted over the chunk's cards (the same in every pass).
    cards: int = 0
    due: int = 0
    retrievability: float = 0.0

    @property
    def queries(self) -> int:
        return sum(self.statements.values())

    @property
    def inserts(self) -> int:
        return self.statements["INSERT"]


@dataclass
class Baseline:
    """The raw fsrs loop over the same cards, summed over the chunks."""

    cards: int = 0
    seconds: float = 0.0
    due: int = 0
    # The sum over all cards: the loop uses every value it computes, as the plan does.
    retrievability: float = 0.0


@dataclass
class StatementCounter:
    """A database execute wrapper that counts statements by their first word."""

    statements: Counter[str]

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.statements[sql.split(None, 1)[0].upper()] += 1
        return execute(sql, params, many, context)


def span(values: list[int]) -> str:
    """Return sorted values as "n" when all equal, else "min..max"."""
    return str(values[0]) if values[0] == values[-1] else f"{values[0]}..{values[-1]}"


def rate(count: int, seconds: float) -> float:
    """Return count per second (0 when nothing was timed)."""
    return count / seconds if seconds else 0.0


# Data -------------------------------------------------------------------------------------------


@dataclass
class Seeded:
    learner_ids: list[int]
    questions: int
    topics: int
    cards: int
    abilities: int


def seed(*, students: int, cards_per_student: int, questions: int, topics: int) -> Seeded:
    """Migrate, then add a published bank, students in the Student group, cards and abilities."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, transaction

    from learners.models import ItemCalibration, ReviewCard, TopicAbility, User
    from learners.roles import Role
    from quizbank.models import Question, Status
    from quizbank.services import ensure_topic

    call_command("migrate", verbosity=0)
    rng = Random(SEED)
    # Names carry a run id so that a reused PostgreSQL database takes a second run.
    run = secrets.token_hex(3)
    adapt = connection.ops.adapt_datetimefield_value
    with transaction.atomic():
        author = User.objects.create_user(username=f"bench-{run}-author")
        topic_rows = [ensure_topic([f"Bench {run}", f"Topic {n}"]) for n in range(topics)]
        bank = Question.objects.bulk_create(
            Question(
                topic=topic_rows[number % topics],
                name=f"q{number}",
                stem=f"Vignette {number}.",
                lead_in=f"Question {number}?",
                status=Status.PUBLISHED,
                author=author,
                difficulty=rng.gauss(0.0, 1.0),
                published_at=NOW,
            )
            for number in range(questions)
        )
        # Half the bank has been answered enough to carry a calibrated difficulty.
        ItemCalibration.objects.bulk_create(
            ItemCalibration(
                question=question,
                difficulty=question.difficulty + rng.gauss(0.0, 0.5),
                responses=rng.randint(5, 500),
            )
            for question in bank[::2]
        )
        topic_of = {question.pk: question.topic_id for question in bank}
        by_topic: dict[int, list[int]] = {}
        for question in bank:
            by_topic.setdefault(question.topic_id, []).append(question.pk)
        today = NOW.date()
        users = User.objects.bulk_create(
            User(
                username=f"bench-{run}-student-{number}",
                password=make_password(None),
                time_zone=ZoneInfo(rng.choice(TIME_ZONES)),
                daily_goal=rng.choice(GOALS),
                exam_date=today + timedelta(days=rng.randint(14, 180))
                if rng.random() < EXAM_SHARE
                else None,
                date_joined=NOW - timedelta(days=rng.randint(30, 400)),
                last_login=NOW - timedelta(hours=rng.randint(1, 72)),
            )
            for number in range(students)
        )
        student_group = Group.objects.get(name=Role.STUDENT)
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=user.pk, group_id=student_group.pk) for user in users
        )
        card_rows: list[tuple[Any, ...]] = []
        ability_rows: list[tuple[Any, ...]] = []
        cards = abilities = 0
        topic_ids = list(by_topic)
        for user in users:
            chosen = rng.sample(topic_ids, min(TOPICS_PER_STUDENT, len(topic_ids)))
            pool = [pk for topic in chosen for pk in by_topic[topic]]
            if len(pool) < cards_per_student:
                pool = list(topic_of)
            picked = sorted(rng.sample(pool, cards_per_student))
            card_rows.extend(card_row(user.pk, pk, rng, adapt) for pk in picked)
            touched = sorted({topic_of[pk] for pk in picked})
            ability_rows.extend(
                (user.pk, topic, rng.gauss(0.0, 1.0), rng.randint(1, 60)) for topic in touched
            )
            # Insert as the rows pile up, so that memory stays flat at a million cards.
            if len(card_rows) >= INSERT_BATCH * 10:
                cards += insert_rows(ReviewCard, CARD_FIELDS, card_rows)
                abilities += insert_rows(TopicAbility, ABILITY_FIELDS, ability_rows)
                card_rows, ability_rows = [], []
        cards += insert_rows(ReviewCard, CARD_FIELDS, card_rows)
        abilities += insert_rows(TopicAbility, ABILITY_FIELDS, ability_rows)
    if connection.vendor == "postgresql":
        # As autovacuum leaves a table after a bulk load (PostgreSQL 13 and later vacuum after
        # inserts too): statistics, and a visibility map for index-only scans.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return Seeded(
        learner_ids=[user.pk for user in users],
        questions=questions,
        topics=topics,
        cards=cards,
        abilities=abilities,
    )


CARD_FIELDS = [
    "learner",
    "question",
    "state",
    "step",
    "stability",
    "difficulty",
    "due",
    "last_review",
    "reviews",
    "lapses",
]
ABILITY_FIELDS = ["learner", "topic", "ability", "responses"]


def card_row(
    learner_id: int, question_id: int, rng: Random, adapt: Callable[[datetime], Any]
) -> tuple[Any, ...]:
    """Return one card in the Review state, somewhere in its interval or a little overdue.

    Stabilities spread from half a day to a year; at a desired retention of 0.9 the FSRS interval
    is the stability in whole days. Elapsed time runs to 1.15 intervals, so about one card in six
    is due by the end of the student's day (the short intervals most often) and most are not.
    """
    import fsrs

    stability = min(365.0, max(0.5, math.exp(rng.gauss(math.log(20.0), 1.2))))
    interval = timedelta(days=max(1, round(stability)))
    last_review = NOW - interval * rng.uniform(0.0, 1.15)
    reviews = rng.randint(1, 8)
    return (
        learner_id,
        question_id,
        int(fsrs.State.Review),
        None,
        stability,
        rng.uniform(1.0, 10.0),
        adapt(last_review + interval),
        adapt(last_review),
        reviews,
        rng.randint(0, reviews // 3),
    )


# Measurements -----------------------------------------------------------------------------------


def measure(chunks: list[Chunk]) -> Baseline:
    """Take REPEATS passes over the chunks, keeping each chunk's fastest build and baseline.

    Within a pass, a chunk's build is followed by the baseline over its cards, so that a busy
    spell on a shared machine falls on the figure and the baseline alike rather than on one of
    them. A pass goes through every chunk before the next begins, so that a chunk's passes lie
    seconds apart: a busy spell, which lasts seconds, spoils one of them rather than all.
    """
    for attempt in range(REPEATS):
        for chunk in chunks:
            build_chunk(chunk, again=attempt > 0)
            raw_fsrs_chunk(chunk)
    return Baseline(
        cards=sum(chunk.cards for chunk in chunks),
        seconds=sum(chunk.raw_seconds for chunk in chunks),
        due=sum(chunk.due for chunk in chunks),
        retrievability=sum(chunk.retrievability for chunk in chunks),
    )


def build_chunk(chunk: Chunk, *, again: bool) -> None:
    """Build the chunk's plans with `build_plans` as a worker would, timing and counting it.

    Passes after the first drop the chunk's plans first (untimed), so that every pass builds
    and commits them all.
    """
    from django.db import connection

    from learners.models import DailyPlan
    from learners.plans import build_plans

    if again:
        DailyPlan.objects.filter(learner_id__in=chunk.learner_ids).delete()
    statements: Counter[str] = Counter()
    # Lighter than CaptureQueriesContext, which formats every statement's SQL while timed.
    with connection.execute_wrapper(StatementCounter(statements)):
        started = time.perf_counter()
        chunk.plans = build_plans(learner_ids=chunk.learner_ids, now=NOW)
        seconds = time.perf_counter() - started
    chunk.seconds = min(chunk.seconds, seconds)
    if again and statements != chunk.statements:
        chunk.unequal_passes = True
    chunk.statements = statements


def raw_fsrs_chunk(chunk: Chunk) -> None:
    """Time retrievability and a due check per card on fsrs Cards built beforehand, untimed."""
    import fsrs

    from learners.models import ReviewCard, User
    from learners.plans import day_start, local_day
    from learners.scheduling import SCHEDULER

    get_retrievability = SCHEDULER.get_card_retrievability
    # Each student's day as the plan sees it: retrievability at its start, due before its end.
    days: dict[int, tuple[datetime, datetime]] = {}
    for pk, zone in User.objects.filter(pk__in=chunk.learner_ids).values_list("pk", "time_zone"):
        day = local_day(zone, NOW)
        days[pk] = (
            day_start(day, zone).astimezone(UTC),
            day_start(day + timedelta(days=1), zone).astimezone(UTC),
        )
    work = []
    for pk, learner_id, state, step, stability, difficulty, due, last_review in (
        ReviewCard.objects.filter(learner_id__in=chunk.learner_ids)
        .values_list(
            "pk", "learner_id", "state", "step", "stability", "difficulty", "due", "last_review"
        )
        .order_by()
    ):
        card = fsrs.Card(
            card_id=pk,
            state=fsrs.State(state),
            step=step,
            stability=stability,
            difficulty=difficulty,
            due=due.astimezone(UTC),
            last_review=None if last_review is None else last_review.astimezone(UTC),
        )
        work.append((card, *days[learner_id]))
    total = 0.0
    due_count = 0
    started = time.perf_counter()
    for card, starts, ends in work:
        total += get_retrievability(card, starts)
        if card.due < ends:
            due_count += 1
    chunk.raw_seconds = min(chunk.raw_seconds, time.perf_counter() - started)
    chunk.cards, chunk.due, chunk.retrievability = len(work), due_count, total


def profile_chunk(chunk: Chunk) -> str:
    """Drop the chunk's plans and build them again under cProfile; return the top functions."""
    from learners.models import DailyPlan
    from learners.plans import build_plans

    DailyPlan.objects.filter(learner_id__in=chunk.learner_ids).delete()
    profiler = cProfile.Profile()
    profiler.runcall(build_plans, learner_ids=chunk.learner_ids, now=NOW)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(PROFILE_LINES)
    stats.sort_stats("cumulative").print_stats(PROFILE_LINES)
    return out.getvalue()


# Main -------------------------------------------------------------------------------------------


def insert_limits() -> str:
    """Describe how many plans one bulk insert takes on this database."""
    from django.db import connection

    from learners.models import DailyPlan

    fields = [field for field in DailyPlan._meta.concrete_fields if not field.primary_key]
    per_insert = connection.ops.bulk_batch_size(fields, range(1_000_000))
    return f"{connection.vendor}: {per_insert:,} plans per INSERT"


def report(
    *,
    seeded: Seeded,
    seed_seconds: float,
    chunks: list[Chunk],
    baseline: Baseline,
    vendor: str,
) -> int:
    """Print the figures and the verdicts; return the exit status."""
    from learners.models import DailyPlan

    ids = seeded.learner_ids
    cards = baseline.cards
    figure_seconds = sum(chunk.seconds for chunk in chunks)
    figure_rate = rate(cards, figure_seconds)
    baseline_rate = rate(cards, baseline.seconds)
    ratio = figure_rate / baseline_rate if baseline_rate else 0.0
    plans = DailyPlan.objects.filter(learner_id__in=ids)
    items: Counter[str] = Counter()
    for reviews, new in plans.values_list("review_ids", "new_ids").order_by():
        items.update(review=len(reviews), new=len(new))
    planned = plans.values("learner_id").distinct().count()
    print(
        f"seed ({vendor}, not timed): {seeded.questions:,} published questions in "
        f"{seeded.topics} topics, {len(ids):,} students, {seeded.cards:,} cards, "
        f"{seeded.abilities:,} topic abilities in {seed_seconds:.1f} s"
    )
    print(
        f"figure:   build_plans per chunk of up to {len(chunks[0].learner_ids)} students, "
        f"in-process as build_plans_task runs it; fastest of {REPEATS} passes per chunk"
    )
    print(
        "baseline: SCHEDULER.get_card_retrievability + due check per card, same cards, "
        f"fsrs.Card built beforehand; fastest of {REPEATS} passes per chunk"
    )
    print()
    print(f"{'':<24}{'seconds':>10}{'cards/s':>14}")
    for label, seconds, per_second in (
        (f"build_plans ({len(chunks)} chunks)", figure_seconds, figure_rate),
        ("raw fsrs loop", baseline.seconds, baseline_rate),
    ):
        print(f"{label:<24}{seconds:>10.2f}{per_second:>14,.0f}")
    print()
    print(
        f"plans built: {sum(chunk.plans for chunk in chunks):,} for {planned:,} of "
        f"{len(ids):,} students; items: {items['review']:,} reviews, {items['new']:,} new"
    )
    print(
        f"cards due today: {baseline.due:,} of {cards:,}; mean predicted recall at the start of "
        f"the day: {baseline.retrievability / cards if cards else 0.0:.3f}"
    )
    status = 0
    others = sorted({chunk.queries - chunk.inserts for chunk in chunks})
    inserts = sorted({chunk.inserts for chunk in chunks})
    totals = sorted({chunk.queries for chunk in chunks})
    kinds = sorted({kind for chunk in chunks for kind in chunk.statements} - {"INSERT"})
    print(
        f"queries per chunk: min {totals[0]}, max {totals[-1]} "
        f"({'/'.join(kinds)} {span(others)}, INSERT {span(inserts)})"
    )
    if any(chunk.unequal_passes for chunk in chunks):
        print("QUERY COUNT DIFFERS BETWEEN PASSES OVER THE SAME CHUNK")
        status = 1
    if len(others) > 1:
        print("QUERY COUNT DEPENDS ON CHUNK CONTENTS: reads differ between chunks")
        status = 1
    elif len(totals) > 1:
        print(
            "QUERY COUNT DEPENDS ON CHUNK CONTENTS: bulk inserts take more statements for more "
            f"rows ({insert_limits()})"
        )
        status = 1
    if planned != len(ids) or plans.count() != len(ids):
        print(f"NOT EVERY STUDENT HAS ONE PLAN: {planned:,} of {len(ids):,}")
        status = 1
    verdict = "target met" if ratio >= TARGET else "MISSED"
    print(f"target: build_plans/raw fsrs >= {TARGET}: {verdict}")
    print(f"ratio to raw fsrs: {ratio:.3f}")
    return status


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--cards-per-student", type=int, default=100)
    parser.add_argument("--questions", type=int, default=2_000, help="published bank size")
    parser.add_argument("--topics", type=int, default=40)
    parser.add_argument("--chunk-size", type=int, default=0, help="default: PLAN_CHUNK_SIZE")
    parser.add_argument("--database-url", default="", help="default: a private SQLite file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--profile", action="store_true", help="profile one chunk afterwards")
    options = parser.parse_args()
    if options.students < 1 or not 1 <= options.cards_per_student <= options.questions:
        parser.error("need at least one student and 1..--questions cards per student")
    if not 1 <= options.topics <= options.questions:
        parser.error("need 1..--questions topics")

    workdir = tempfile.mkdtemp(prefix="schedule-bench-")
    try:
        database_url = options.database_url or f"sqlite:///{workdir}/bench.sqlite3"
        # The settings read these when Django starts: set them before django.setup().
        os.environ.update(environment(workdir, database_url))
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.db import connection

        from config.celery import freeze_start_up_objects
        from learners.plans import PLAN_CHUNK_SIZE

        started = time.perf_counter()
        seeded = seed(
            students=options.students,
            cards_per_student=options.cards_per_student,
            questions=options.questions,
            topics=options.topics,
        )
        seed_seconds = time.perf_counter() - started
        # A worker freezes what it holds from start-up out of garbage collection before it takes
        # a task; this process does the same once seeded, so that its heap is a worker's.
        freeze_start_up_objects()
        size = options.chunk_size or PLAN_CHUNK_SIZE
        ids = seeded.learner_ids
        chunks = [Chunk(ids[start : start + size]) for start in range(0, len(ids), size)]
        baseline = measure(chunks)
        vendor = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(
            connection.vendor, connection.vendor
        )
        if options.profile:
            print(profile_chunk(chunks[0]))
        status = report(
            seeded=seeded,
            seed_seconds=seed_seconds,
            chunks=chunks,
            baseline=baseline,
            vendor=vendor,
        )
    finally:
        if options.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
