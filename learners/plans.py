"""Daily plans: what each student should practise today, built once per (student, local day).

Celery builds them in chunks of students (`learners.tasks`): nightly for the time zones where a
new day has just begun, and in a sweep for anyone a failed run missed. The dashboard builds a
missing plan on demand. A plan depends only on the student's cards, estimates and settings and on
the day, never on the moment it is built, so building it twice, or again after a crash half-way,
gives the same plan; an existing plan is never rebuilt.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.contrib.postgres.expressions import ArraySubquery
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    Aggregate,
    BooleanField,
    Exists,
    Expression,
    F,
    Field,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    UniqueConstraint,
)
from django.db.models.functions import Cast

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

# Students per task. Each task pays about 15 ms whatever its size (reading the bank and sorting
# it into a pool, five statements): at 1,000 students that is a twentieth of the task, at 500 a
# tenth (bench/schedule_throughput.py). A chunk of students with 100 cards each peaks at about
# 14 MB in a worker, and on SQLite its one write holds the lock for a few tens of milliseconds.
PLAN_CHUNK_SIZE = 1000
# A student is active, and gets plans, if they joined, logged in or answered within this time.
ACTIVE_WITHIN = timedelta(days=30)


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


class JSONGroupArray(Aggregate):
    """The values of a group as one JSON array, in no particular order (SQLite)."""

    function = "JSON_GROUP_ARRAY"
    output_field = TextField()


def _seen_questions(database: BaseDatabaseWrapper) -> Subquery:
    """Each student's question ids, one per card, as one value of the student's row (`_ids`).

    A correlated subquery rather than a grouped query of its own: one statement fewer, and a
    row per student rather than per card.

    - PostgreSQL: ARRAY(SELECT question_id ...), which psycopg loads as a list of ints. Without
      an aggregate step the server took about a third less time than ARRAY_AGG.
    - SQLite: JSON_GROUP_ARRAY over the student's cards; json.loads reads the text in C, where
      splitting a comma-joined string and converting each id took a third of this read.
    """
    cards = ReviewCard.objects.filter(learner=OuterRef("pk"))
    if database.vendor == "postgresql":
        return ArraySubquery(cards.values("question_id"))
    return Subquery(
        cards.values("learner").annotate(ids=JSONGroupArray("question_id")).values("ids")
    )


def _ids(value: str | list[int] | None) -> list[int]:
    """Return the ids of a `_seen_questions` value (None: a student without cards, on SQLite)."""
    if value is None:
        return []
    return value if isinstance(value, list) else cast(list[int], json.loads(value))


class IdIn(Expression):
    """`column IN ids` with the ids as one parameter, however many there are.

    `pk__in=ids` writes a placeholder per id, which Django compiles, psycopg parses (it caches
    no statement of more than 50 parameters) and the server plans one by one: about 3 ms per
    query for 500 students on PostgreSQL, for each of a chunk's three queries by student.

    - SQLite (`as_sql`): `column IN (SELECT value FROM json_each(%s))`, the ids as one JSON
      text.
    - PostgreSQL (`as_postgresql`, which Django's compiler picks by vendor):
      `column = ANY(%s)`, the ids as one array.
    """

    output_field = BooleanField()

    def __init__(self, column: str, ids: Iterable[int]) -> None:
        super().__init__()
        self.column: Any = F(column)
        self.ids = list(ids)

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.column,) = exprs

    def as_sql(self, compiler: Any, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.column)
        sql = f"{column} IN (SELECT value FROM json_each(%s))"  # noqa: S608
        return sql, [*params, json.dumps(self.ids)]

    def as_postgresql(
        self, compiler: Any, connection: BaseDatabaseWrapper
    ) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.column)
        return f"{column} = ANY(%s)", [*params, self.ids]


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
    # The day's start and end in the terms of the cards' moments as read (`_as_read`).
    starts: datetime
    ends: datetime
    goal: int
    exam_date: date | None
    # The questions of the student's cards: every one was seen, so none is new.
    seen: list[int]


def build_plans(*, learner_ids: Iterable[int], now: datetime) -> int:
    """Build the missing plans for these learners' local today; return how many were created.

    A fixed number of queries whatever the chunk holds: learners with their seen questions, due
    cards, abilities, candidate questions; then one INSERT of the plans, which skips every
    (learner, day) that has a plan already, whether built before or on demand while this chunk
    was being planned. A plan, once built, is never replaced, and no write fails for it.

    Only the INSERT runs in a transaction. On SQLite a transaction here takes the write lock
    with its first statement (BEGIN IMMEDIATE), so a chunk holds it for the few milliseconds of
    its write rather than the whole chunk, and students' answers do not wait on the planning.
    """
    ids = sorted(set(learner_ids))
    rows = _plan_rows(ids, now)
    if not rows:
        return 0
    with transaction.atomic():
        return _insert_many(
            DailyPlan,
            ("learner", "day", "built_at", "goal", "review_ids", "new_ids"),
            rows,
            unless_taken="one_plan_per_day",
        )


def _plan_rows(ids: list[int], now: datetime) -> list[tuple[Any, ...]]:
    """Read what the learners' plans need and plan them: a DailyPlan row each."""
    database = connections[DEFAULT_DB_ALIAS]
    # Per time zone (a chunk holds a few): the local day, its bounds as the cards' moments are
    # read, and the moment it ends.
    zones: dict[ZoneInfo, tuple[date, datetime, datetime, datetime]] = {}
    learners: dict[int, _Learner] = {}
    for pk, zone, goal, exam_date, seen in (
        User.objects.filter(IdIn("pk", ids), is_active=True)
        .annotate(seen=_seen_questions(database))
        .values_list("pk", "time_zone", "daily_goal", "exam_date", "seen")
        .order_by()
    ):
        if zone not in zones:
            day = local_day(zone, now)
            starts, ends = day_start(day, zone), day_start(day + timedelta(days=1), zone)
            zones[zone] = (day, _as_read(starts, database), _as_read(ends, database), ends)
        day, starts_read, ends_read, _ = zones[zone]
        learners[pk] = _Learner(pk, day, starts_read, ends_read, goal, exam_date, _ids(seen))
    if not learners:
        return []
    due = _due_cards(learners, by=max(ends for *_, ends in zones.values()), database=database)
    abilities: dict[int, dict[int, float]] = defaultdict(dict)
    for learner_id, topic_id, value in _read(
        TopicAbility.objects.filter(IdIn("learner_id", learners))
        .values_list("learner_id", "topic_id", "ability")
        .order_by(),
        database,
    ):
        abilities[learner_id][topic_id] = value
    bank = [
        planning.NewCandidate(question_id, topic_id, difficulty)
        for question_id, topic_id, difficulty in _read(
            Question.objects.published()
            .filter(question_type=Question.Type.SINGLE)
            .values_list("pk", "topic_id", current_difficulty())
            .order_by("pk"),
            database,
        )
    ]
    pool = planning.CandidatePool(bank)
    topic_of = {candidate.question_id: candidate.topic_id for candidate in bank}
    rows = []
    for pk, learner in learners.items():
        reviews, new = _plan(learner, due[pk], abilities[pk], pool, topic_of)
        rows.append((pk, learner.day, now, learner.goal, reviews, new))
    return rows


# A due card as the cursor returns it: learner, question, stability, due and last review.
_DueCard = tuple[int, int, float | None, datetime, datetime | None]


def _due_cards(
    learners: Iterable[int], *, by: datetime, database: BaseDatabaseWrapper
) -> dict[int, list[_DueCard]]:
    """Return the learners' cards due before `by`, per learner: only what planning reads.

    Up to hundreds of thousands of rows a night, so they come straight from the cursor
    (`_read`); their moments are compared with each day's bounds in the cursor's own terms
    (`_as_read`) rather than each converted.
    """
    cards = ReviewCard.objects.filter(IdIn("learner_id", learners), due__lt=by).order_by()
    due: dict[int, list[_DueCard]] = defaultdict(list)
    if database.vendor != "sqlite":
        for row in _read(
            cards.values_list("learner_id", "question_id", "stability", "due", "last_review"),
            database,
        ):
            due[row[0]].append(row)
        return due
    # SQLite keeps moments as ISO text. Cast, they are read as text (Django's converter runs
    # only for a column declared as a datetime) and parsed by datetime.fromisoformat, where
    # Django's converter also ends after two Python calls per value: a fifth of this read.
    parse = datetime.fromisoformat
    for learner_id, question_id, stability, due_at, last_review in _read(
        cards.values_list(
            "learner_id",
            "question_id",
            "stability",
            Cast("due", TextField()),
            Cast("last_review", TextField()),
        ),
        database,
    ):
        due[learner_id].append(
            (
                learner_id,
                question_id,
                stability,
                parse(due_at),
                None if last_review is None else parse(last_review),
            )
        )
    return due


def _read(query: QuerySet[Any, Any], database: BaseDatabaseWrapper) -> list[tuple[Any, ...]]:
    """Return the rows of a `values_list` query as the database driver gives them.

    For the reads that run to thousands of rows a chunk: the ORM's per-value converters (which
    make every moment aware, among others) took a fifth of a chunk's time. Moments come back
    naive in UTC on SQLite and aware in UTC on PostgreSQL (`_as_read`).

    On PostgreSQL the rows come in binary, through the server-binding cursor Django itself
    uses under the `server_side_binding` option: psycopg loads numbers, arrays and moments in
    C and the server formats no text, which took about 40% off the due cards' read. The cursor
    is wrapped as Django wraps its own, so query logging and execute wrappers (the pinned query
    counts) see the statement.
    """
    sql, params = query.query.sql_with_params()
    if database.vendor != "postgresql":
        with database.cursor() as cursor:
            cursor.execute(sql, params)
            return cast(list[tuple[Any, ...]], cursor.fetchall())
    from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]
        ServerBindingCursor,
    )
    from psycopg.pq import Format
    from psycopg.types.datetime import TimestamptzBinaryLoader

    database.ensure_connection()
    raw = ServerBindingCursor(database.connection)
    raw.format = Format.BINARY
    # psycopg's own loader, in the session's zone (UTC, set by Django): Django registers a
    # Python subclass for the text format only.
    raw.adapters.register_loader("timestamptz", TimestamptzBinaryLoader)
    database.validate_thread_sharing()
    wrapped = (
        database.make_debug_cursor(raw) if database.queries_logged else database.make_cursor(raw)
    )
    with wrapped as cursor:
        cursor.execute(sql, params)
        return cast(list[tuple[Any, ...]], cursor.fetchall())


def _as_read(moment: datetime, database: BaseDatabaseWrapper) -> datetime:
    """Return `moment` as the database's cursor returns moments: in UTC, naive on SQLite.

    PostgreSQL's are aware, in the session's zone, which Django sets to UTC; a moment in the
    same zone compares with them without converting either.
    """
    utc = moment.astimezone(UTC)
    return utc.replace(tzinfo=None) if database.vendor == "sqlite" else utc


def _insert_many(
    model: type[Model],
    names: Sequence[str],
    rows: list[tuple[Any, ...]],
    *,
    unless_taken: str,
) -> int:
    """Insert `rows` with one statement, whatever their number; return how many went in.

    Rows that match an existing row on the fields of the model's unique constraint named
    `unless_taken` are skipped, as `bulk_create(ignore_conflicts=True)` would skip them; but
    bulk_create splits its INSERT at the database's parameter limit (999 on SQLite), so the
    number of statements would grow with the number of rows.

    - SQLite: one executemany, each value through its field's own conversion, as the ORM's.
    - PostgreSQL: one INSERT from one jsonb document of the rows, read with the table's own
      row type; the server turns each value into its column's type (dates and moments go as
      ISO text). psycopg's executemany sends a statement per row, column arrays had every
      element quoted in Python, and a `json` document is parsed again for every value: each
      took at least twice as long.
    """
    if not rows:
        return 0
    fields = [cast(Field[Any, Any], model._meta.get_field(name)) for name in names]
    database = connections[DEFAULT_DB_ALIAS]
    quote = database.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    (constraint,) = (c for c in model._meta.constraints if c.name == unless_taken)
    taken = [model._meta.get_field(name) for name in cast(UniqueConstraint, constraint).fields]
    conflict = ", ".join(quote(cast(Field[Any, Any], field).column) for field in taken)
    skip_taken = f"ON CONFLICT ({conflict}) DO NOTHING"
    postgresql = database.vendor == "postgresql"
    converters: list[Callable[[Any], Any]]
    if postgresql:
        # Into a JSON document: each value as its field prepares it for any database.
        converters = [partial(_json_ready, field.get_prep_value) for field in fields]
    else:
        converters = [partial(field.get_db_prep_save, connection=database) for field in fields]
    # A chunk repeats few distinct values in most columns (one day, one build time, a few
    # goals), so each is converted once; lists (JSON) are each plan's own.
    converted: list[dict[Any, Any]] = [{} for _ in fields]

    def prepare(index: int, value: Any) -> Any:
        if isinstance(value, list):
            return converters[index](value)
        cache = converted[index]
        if value not in cache:
            cache[value] = converters[index](value)
        return cache[value]

    prepared = [tuple(prepare(i, value) for i, value in enumerate(row)) for row in rows]
    with database.cursor() as cursor:
        if postgresql:
            keys = [field.column for field in fields]
            document = json.dumps([dict(zip(keys, row, strict=True)) for row in prepared])
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608
                f"SELECT {columns} FROM jsonb_populate_recordset(NULL::{table}, %s) {skip_taken}",
                [document],
            )
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks}) {skip_taken}",  # noqa: S608
                prepared,
            )
        # Rows inserted, skipped ones not counted (summed over executemany's rows on SQLite).
        return int(cursor.rowcount)


def _json_ready(prepare: Callable[[Any], Any], value: Any) -> Any:
    """Return `value` prepared by its field, a date or moment as ISO text (keeping its offset)."""
    prepared = prepare(value)
    return prepared.isoformat() if isinstance(prepared, date) else prepared


def _plan(
    learner: _Learner,
    due: list[_DueCard],
    abilities: dict[int, float],
    pool: planning.CandidatePool,
    topic_of: dict[int, int],
) -> planning.DayPlan:
    # Retrievability is read at the start of the day, not at build time, so that the plan is
    # the same whenever in the day it is built. Cards of retired questions are not planned.
    starts, ends = learner.starts, learner.ends
    reviews = [
        # Positional: this runs for every due card of the night.
        planning.DueReview(
            question_id,
            topic_of[question_id],
            due_at,
            scheduling.recall_probability(stability, last_review, starts),
        )
        for _, question_id, stability, due_at, last_review in due
        if due_at < ends and question_id in topic_of
    ]
    return planning.plan_day(
        reviews=reviews,
        candidates=pool,
        seen=learner.seen,
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
