"""Daily plans: what each student should practise today, built once per (student, local day).

Celery builds them in chunks of students (`learners.tasks`): nightly for the time zones where a
new day has just begun, and in a sweep for anyone a failed run missed. The dashboard builds a
missing plan on demand. A plan depends only on the student's cards, estimates and settings and on
the day, never on the moment it is built, so building it twice, or again after a crash half-way,
gives the same plan; an existing plan is never rebuilt.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Aggregate, Exists, Field, Model, OuterRef, Q, QuerySet, TextField

from learners import planning, scheduling
from learners.learning import current_difficulty
from learners.models import (
    DailyPlan,
    Mode,
    PracticeSession,
    Response,
    ReviewCard,
    TopicAbility,
    User,
)
from learners.practice import start_session
from learners.roles import Role
from quizbank.models import Question, Status, Topic

# Students per task: large enough that per-task overhead is small, small enough that one chunk's
# cards (about 100 each) fit comfortably in a worker's memory.
PLAN_CHUNK_SIZE = 500
# A student is active, and gets plans, if they joined, logged in or answered within this time.
ACTIVE_WITHIN = timedelta(days=30)
# Attempts to write a chunk when a concurrent on-demand build claims one of its days.
WRITE_ATTEMPTS = 3


def local_day(time_zone: ZoneInfo, now: datetime) -> date:
    """Return the date it is in `time_zone` at `now`."""
    return now.astimezone(time_zone).date()


def day_start(day: date, time_zone: ZoneInfo) -> datetime:
    """Return the moment `day` begins in `time_zone`."""
    return datetime.combine(day, time.min, tzinfo=time_zone)


def active_students(*, now: datetime) -> QuerySet[User]:
    """Students who should get a daily plan: active accounts used within ACTIVE_WITHIN."""
    since = now - ACTIVE_WITHIN
    answered = Response.objects.filter(learner=OuterRef("pk"), answered_at__gte=since)
    return User.objects.filter(is_active=True, groups__name=Role.STUDENT).filter(
        Q(date_joined__gte=since) | Q(last_login__gte=since) | Exists(answered)
    )


def chunks(ids: Sequence[int], size: int = PLAN_CHUNK_SIZE) -> Iterator[list[int]]:
    """Split learner ids into task-sized chunks."""
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def students_starting_a_day(*, now: datetime) -> list[int]:
    """Active students for whom `now` falls in the first hour of their local day."""
    zones = active_students(now=now).values_list("pk", "time_zone")
    return sorted(pk for pk, zone in zones if now.astimezone(zone).hour == 0)


def students_without_plan(*, now: datetime) -> list[int]:
    """Active students who have no plan for their local today (the sweep's list)."""
    zones = list(active_students(now=now).values_list("pk", "time_zone"))
    today = {pk: local_day(zone, now) for pk, zone in zones}
    planned = set(
        DailyPlan.objects.filter(day__in=set(today.values())).values_list("learner_id", "day")
    )
    return sorted(pk for pk, day in today.items() if (pk, day) not in planned)


# Building plans -----------------------------------------------------------------------------------


class JoinedIds(Aggregate):
    """The integers of a group joined by commas into one string, in no particular order."""

    function = "GROUP_CONCAT"
    output_field = TextField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s(%(expressions)s::text, ',')",
            **extra,
        )


# The ReviewCard columns that make a scheduling.CardState, in its field order.
CARD_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review")


def _card_state(fields: Sequence[Any]) -> scheduling.CardState:
    state, step, stability, difficulty, due, last_review = fields
    return scheduling.CardState(
        state=state,
        step=step,
        stability=stability,
        difficulty=difficulty,
        due=due,
        last_review=last_review,
    )


@dataclass(frozen=True)
class _Learner:
    pk: int
    day: date
    starts: datetime
    ends: datetime
    goal: int
    exam_date: date | None


def build_plans(*, learner_ids: Iterable[int], now: datetime) -> int:
    """Build the missing plans for these learners' local today; return how many were created.

    A fixed number of queries whatever the chunk holds: learners, existing plans, seen cards,
    due cards, abilities, candidate questions; then one INSERT of the plans.
    """
    ids = sorted(set(learner_ids))
    for _ in range(WRITE_ATTEMPTS):
        try:
            with transaction.atomic():
                return _build_missing(ids, now)
        except IntegrityError:
            # A plan for one of these days appeared meanwhile (built on demand): start again,
            # and it is skipped as existing.
            continue
    return _build_missing(ids, now)


def _build_missing(ids: list[int], now: datetime) -> int:
    learners: dict[int, _Learner] = {}
    for pk, zone, goal, exam_date in User.objects.filter(pk__in=ids, is_active=True).values_list(
        "pk", "time_zone", "daily_goal", "exam_date"
    ):
        day = local_day(zone, now)
        starts = day_start(day, zone)
        ends = day_start(day + timedelta(days=1), zone)
        learners[pk] = _Learner(pk, day, starts, ends, goal, exam_date)
    days = {learner.day for learner in learners.values()}
    existing = set(
        DailyPlan.objects.filter(learner_id__in=learners, day__in=days).values_list(
            "learner_id", "day"
        )
    )
    wanted = {pk: le for pk, le in learners.items() if (pk, le.day) not in existing}
    if not wanted:
        return 0
    # Every card only says "seen": the database joins each student's question ids into one
    # string, so Python reads a row per student, not per card.
    seen: dict[int, set[int]] = defaultdict(set)
    for learner_id, question_ids in (
        ReviewCard.objects.filter(learner_id__in=wanted)
        .values("learner_id")
        .annotate(question_ids=JoinedIds("question_id"))
        .values_list("learner_id", "question_ids")
        .order_by()
    ):
        seen[learner_id] = set(map(int, question_ids.split(",")))
    database = connections[DEFAULT_DB_ALIAS]
    due = _due_cards(wanted, by=max(le.ends for le in wanted.values()), database=database)
    abilities: dict[int, dict[int, float]] = defaultdict(dict)
    for learner_id, topic_id, value in TopicAbility.objects.filter(
        learner_id__in=wanted
    ).values_list("learner_id", "topic_id", "ability"):
        abilities[learner_id][topic_id] = value
    bank = [
        planning.NewCandidate(question_id=pk, topic_id=topic_id, difficulty=difficulty)
        for pk, topic_id, difficulty in Question.objects.published()
        .filter(question_type=Question.Type.SINGLE)
        .values_list("pk", "topic_id", current_difficulty())
        .order_by("pk")
    ]
    pool = planning.CandidatePool(bank)
    topic_of = {candidate.question_id: candidate.topic_id for candidate in bank}
    rows = []
    for pk, learner in wanted.items():
        bounds = (_as_read(learner.starts, database), _as_read(learner.ends, database))
        items = _plan(learner, bounds, due[pk], seen[pk], abilities[pk], pool, topic_of)
        reviews = [item.question_id for item in items if item.kind == planning.REVIEW]
        new = [item.question_id for item in items if item.kind == planning.NEW]
        rows.append((pk, learner.day, now, learner.goal, reviews, new))
    _insert_many(DailyPlan, ("learner", "day", "built_at", "goal", "review_ids", "new_ids"), rows)
    return len(wanted)


# A due card as the cursor returns it: learner, question, stability, due and last review.
_DueCard = tuple[int, int, float | None, datetime, datetime | None]


def _due_cards(
    learners: Iterable[int], *, by: datetime, database: BaseDatabaseWrapper
) -> dict[int, list[_DueCard]]:
    """Return the learners' cards due before `by`, per learner: only what planning reads.

    Up to hundreds of thousands of rows a night, so they come straight from the cursor: the
    ORM's converters, which make every moment aware, took a fifth of a chunk's time. The
    moments are compared with each day's bounds in the cursor's own terms instead (`_as_read`).
    """
    query = (
        ReviewCard.objects.filter(learner_id__in=learners, due__lt=by)
        .values_list("learner_id", "question_id", "stability", "due", "last_review")
        .order_by()
    )
    sql, params = query.query.sql_with_params()
    due: dict[int, list[_DueCard]] = defaultdict(list)
    with database.cursor() as cursor:
        if database.vendor == "postgresql":
            # Django loads every timestamptz with its own Python subclass of psycopg's loader,
            # which psycopg cannot swap for its C implementation; this cursor takes psycopg's
            # own loader, which it can: the same aware moments, in the session's zone (UTC).
            # Per cursor, not per connection: Django's create_cursor reads a `timezone`
            # attribute that only its own loader has.
            from psycopg.types.datetime import TimestamptzLoader

            cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            due[row[0]].append(row)
    return due


def _as_read(moment: datetime, database: BaseDatabaseWrapper) -> datetime:
    """Return `moment` as the database's cursor returns moments: in UTC, naive on SQLite.

    PostgreSQL's are aware, in the session's zone, which Django sets to UTC; a moment in the
    same zone compares with them without converting either.
    """
    utc = moment.astimezone(UTC)
    return utc.replace(tzinfo=None) if database.vendor == "sqlite" else utc


def _insert_many(model: type[Model], names: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert `rows` with one statement, whatever their number.

    bulk_create splits its INSERT at the database's parameter limit (999 on SQLite), so the
    number of statements would grow with the size of the plans; one executemany (SQLite) or one
    INSERT from column arrays (PostgreSQL) keeps a chunk's query count fixed. Values go through
    each field's own conversion, as the ORM's would.
    """
    if not rows:
        return
    fields = [cast(Field[Any, Any], model._meta.get_field(name)) for name in names]
    database = connections[DEFAULT_DB_ALIAS]
    quote = database.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    # A chunk repeats few distinct values in most columns (one day, one build time, a few
    # goals), so each is converted once; lists (JSON) are each plan's own.
    converted: list[dict[Any, Any]] = [{} for _ in fields]

    def prepare(index: int, value: Any) -> Any:
        if isinstance(value, list):
            return fields[index].get_db_prep_save(value, database)
        cache = converted[index]
        if value not in cache:
            cache[value] = fields[index].get_db_prep_save(value, database)
        return cache[value]

    prepared = [tuple(prepare(i, value) for i, value in enumerate(row)) for row in rows]
    with database.cursor() as cursor:
        if database.vendor == "postgresql":
            # One statement over one array per column: psycopg's executemany sends a statement
            # per row (pipelined), which took half of a chunk's time on PostgreSQL.
            arrays = ", ".join(f"%s::{field.db_type(database)}[]" for field in fields)
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "  # noqa: S608
                f"SELECT * FROM unnest({arrays})",
                [list(column) for column in zip(*prepared, strict=True)],
            )
        else:
            cursor.executemany(sql, prepared)


def _plan(
    learner: _Learner,
    bounds: tuple[datetime, datetime],
    due: list[_DueCard],
    seen: set[int],
    abilities: dict[int, float],
    pool: planning.CandidatePool,
    topic_of: dict[int, int],
) -> list[planning.PlannedItem]:
    # Retrievability is read at the start of the day, not at build time, so that the plan is
    # the same whenever in the day it is built. Cards of retired questions are not planned.
    # `bounds` are the day's start and end in the terms of the cards' moments (`_as_read`).
    starts, ends = bounds
    reviews = [
        # Positional: this runs for every due card of the night.
        planning.DueReview(
            question_id,
            topic_of[question_id],
            due_at,
            scheduling.recall_probability(
                stability=stability,
                elapsed_days=None if last_review is None else (starts - last_review).days,
            ),
        )
        for _, question_id, stability, due_at, last_review in due
        if due_at < ends and question_id in topic_of
    ]
    return planning.plan_day(
        reviews=reviews,
        candidates=pool,
        seen=seen,
        abilities=abilities,
        goal=learner.goal,
        today=learner.day,
        exam_date=learner.exam_date,
    )


def plan_for_today(*, learner: User, now: datetime) -> DailyPlan:
    """Return the learner's plan for their local today, building it first if it is missing."""
    day = local_day(learner.time_zone, now)
    plan = DailyPlan.objects.for_learner(learner).filter(day=day).first()
    if plan is None:
        build_plans(learner_ids=[learner.pk], now=now)
        plan = DailyPlan.objects.for_learner(learner).get(day=day)
    return plan


# What the student sees ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanView:
    """Today's plan as the dashboard shows it."""

    plan: DailyPlan
    reviews: int
    new: int
    done: int
    # Questions still to answer today, in plan order: what "Start today's plan" practises.
    remaining: list[int]

    @property
    def total(self) -> int:
        return self.reviews + self.new


def plan_view(*, learner: User, now: datetime) -> PlanView:
    """Return today's plan with what is done: a planned question answered today counts."""
    plan = plan_for_today(learner=learner, now=now)
    starts = day_start(plan.day, learner.time_zone)
    done = set(
        Response.objects.filter(
            learner=learner, question_id__in=plan.question_ids, answered_at__gte=starts
        ).values_list("question_id", flat=True)
    )
    return PlanView(
        plan=plan,
        reviews=len(plan.review_ids),
        new=len(plan.new_ids),
        done=len(done),
        remaining=[pk for pk in plan.question_ids if pk not in done],
    )


@transaction.atomic
def start_plan_session(*, learner: User, now: datetime) -> PracticeSession | None:
    """Start (or resume) a tutor session of today's remaining planned items; None when done."""
    view = plan_view(learner=learner, now=now)
    plan = view.plan
    if plan.session_id is not None:
        session = PracticeSession.objects.for_learner(learner).filter(pk=plan.session_id).first()
        if session is not None and session.finished_at is None:
            return session
    if not view.remaining:
        return None
    session = start_session(
        learner=learner,
        mode=Mode.TUTOR,
        count=len(view.remaining),
        question_ids=view.remaining,
        keep_order=True,
        now=now,
    )
    DailyPlan.objects.filter(pk=plan.pk).update(session=session)
    return session


@dataclass(frozen=True)
class TopicRetention:
    topic: Topic
    cards: int
    retention: float


@dataclass(frozen=True)
class Forecast:
    """Reviews coming due and what the memory model predicts the student remembers now."""

    due_7_days: int
    due_30_days: int
    topics: list[TopicRetention]


def forecast(*, learner: User, now: datetime) -> Forecast:
    """Count reviews due in the next 7 and 30 days; predict retention per topic, weakest first."""
    in_7, in_30 = now + timedelta(days=7), now + timedelta(days=30)
    due_7 = due_30 = 0
    by_topic: dict[int, list[float]] = defaultdict(list)
    for topic_id, *fields in (
        ReviewCard.objects.for_learner(learner)
        .filter(question__status=Status.PUBLISHED)
        .values_list("question__topic_id", *CARD_FIELDS)
        .order_by()
    ):
        card = _card_state(fields)
        due_7 += card.due < in_7
        due_30 += card.due < in_30
        by_topic[topic_id].append(scheduling.retrievability(card, at=now))
    topics = Topic.objects.in_bulk(list(by_topic))
    rows = [
        TopicRetention(topic=topics[pk], cards=len(values), retention=sum(values) / len(values))
        for pk, values in by_topic.items()
    ]
    rows.sort(key=lambda row: (row.retention, row.topic.name))
    return Forecast(due_7_days=due_7, due_30_days=due_30, topics=rows)
