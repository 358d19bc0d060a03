"""Practice workflows shared by the web pages and the API: build a session, record each answer
exactly once, reveal feedback only when the mode allows, finish, strike out, mark, note, report.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery

from learners.learning import extend_adaptive_session, learn_from_answer
from learners.models import (
    DEADLINE_GRACE,
    Mark,
    Mode,
    Note,
    Pool,
    PracticeSession,
    Response,
    SessionItem,
    ShownOption,
    User,
)
from learners.selection import option_order, spread_topics
from quizbank.models import Option, ProblemReport, Question, QuestionQuerySet, Topic

MAX_ITEMS = 100
DEFAULT_SECONDS_PER_ITEM = 90
MIN_SECONDS_PER_ITEM, MAX_SECONDS_PER_ITEM = 10, 600


class PracticeError(Exception):
    """An action the state of the session does not allow (answered, finished, out of time)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# Building a session -----------------------------------------------------------------------------


def find_topics(topic_ids: Iterable[int]) -> list[Topic]:
    """Return the topics with these ids, or name the ids that do not exist."""
    wanted = sorted(set(topic_ids))
    topics = list(Topic.objects.filter(pk__in=wanted))
    missing = sorted(set(wanted) - {topic.pk for topic in topics})
    if missing:
        raise ValidationError(
            {"topics": f"No topic has the id {', '.join(map(str, missing))}."}, code="unknown"
        )
    return topics


def practice_pool(
    *, learner: User, topics: Sequence[Topic], pool: str, now: datetime, mode: str = Mode.TUTOR
) -> QuestionQuerySet:
    """Return the published single-best-answer questions a session with these choices draws from.

    No key of a running timed session may be reachable elsewhere before it ends: its questions
    are left out of every new session, and a new timed session leaves out the questions waiting
    unanswered in the learner's other open sessions (answering or finishing those would show
    their keys).
    """
    questions = Question.objects.published().filter(question_type=Question.Type.SINGLE)
    open_items = SessionItem.objects.in_open_sessions(learner, now)
    questions = questions.exclude(pk__in=open_items.timed().values("question"))
    if mode == Mode.TIMED:
        questions = questions.exclude(pk__in=open_items.unanswered().values("question"))
    if topics:
        within = Q()
        for topic in topics:
            within |= Q(topic__path__startswith=topic.path)
        questions = questions.filter(within)
    mine = Response.objects.filter(learner=learner)
    if pool == Pool.UNUSED:
        questions = questions.exclude(pk__in=mine.values("question"))
    elif pool == Pool.INCORRECT:
        latest = mine.revealed().filter(question=OuterRef("pk")).order_by("-answered_at", "-id")
        questions = questions.annotate(
            last_correct=Subquery(latest.values("is_correct")[:1])
        ).filter(last_correct=False)
    elif pool == Pool.MARKED:
        questions = questions.filter(pk__in=Mark.objects.filter(learner=learner).values("question"))
    elif pool != Pool.ALL:
        choices = ", ".join(Pool.values)
        raise ValidationError({"filter": f'"{pool}" is not one of: {choices}.'})
    return questions


HELD_NOTE = " Questions of a timed session still running are left out until it ends."
WAITING_NOTE = (
    " A timed session leaves out questions waiting unanswered in your unfinished sessions:"
    " finish those sessions to include them."
)


def _nothing_matches(
    pool: str, topics: Sequence[Topic], *, learner: User, now: datetime, mode: str
) -> ValidationError:
    where = " in the chosen topics" if topics else ""
    reasons: dict[str, str] = {
        Pool.ALL: f"No published questions{where} yet.",
        Pool.UNUSED: f"You have answered every published question{where}.",
        Pool.INCORRECT: f"No questions{where} whose last answer was incorrect.",
        Pool.MARKED: f"You have not marked any questions{where}.",
    }
    field = "topics" if pool == Pool.ALL and topics else "filter"
    reason = reasons.get(pool, "No questions match.") + _left_out_note(learner, now, mode)
    return ValidationError({field: reason}, code="empty")


def _left_out_note(learner: User, now: datetime, mode: str) -> str:
    """Say which questions `practice_pool` left out, when it left any out for these reasons."""
    open_items = SessionItem.objects.in_open_sessions(learner, now)
    note = HELD_NOTE if open_items.timed().exists() else ""
    if mode == Mode.TIMED and open_items.unanswered().exists():
        note += WAITING_NOTE
    return note


@transaction.atomic
def start_session(
    *,
    learner: User,
    mode: str,
    count: int,
    topics: Sequence[Topic] = (),
    pool: str = Pool.ALL,
    seconds_per_item: int = DEFAULT_SECONDS_PER_ITEM,
    question_ids: Sequence[int] | None = None,
    keep_order: bool = False,
    now: datetime,
    rng: Random | None = None,
) -> PracticeSession:
    """Build a session of up to `count` items drawn from the pool (or from `question_ids`, in
    their order when `keep_order`, as a daily plan puts due reviews first)."""
    if mode not in Mode.values:
        raise ValidationError({"mode": f'"{mode}" is not one of: {", ".join(Mode.values)}.'})
    if not 1 <= count <= MAX_ITEMS:
        raise ValidationError({"count": f"Choose between 1 and {MAX_ITEMS} items."})
    if mode == Mode.TIMED and not MIN_SECONDS_PER_ITEM <= seconds_per_item <= MAX_SECONDS_PER_ITEM:
        raise ValidationError(
            {
                "seconds_per_item": f"Allow between {MIN_SECONDS_PER_ITEM} and "
                f"{MAX_SECONDS_PER_ITEM} seconds per item."
            }
        )
    # Item order is not a secret worth a cryptographic generator; tests pass a seeded one.
    rng = rng or Random()  # noqa: S311
    if mode == Mode.ADAPTIVE:
        return _start_adaptive_session(
            learner=learner, count=count, topics=topics, pool=pool, now=now, rng=rng
        )
    if question_ids is not None:
        candidates = practice_pool(
            learner=learner, topics=(), pool=Pool.ALL, now=now, mode=mode
        ).filter(pk__in=question_ids)
        pool, topics = Pool.ALL, ()
    else:
        candidates = practice_pool(learner=learner, topics=topics, pool=pool, now=now, mode=mode)
    rows = list(candidates.values_list("pk", "topic_id", "shuffle_options"))
    if not rows:
        if question_ids is not None:
            reason = "None of these questions can be practised now."
            reason += _left_out_note(learner, now, mode)
            raise ValidationError({"questions": reason})
        raise _nothing_matches(pool, topics, learner=learner, now=now, mode=mode)
    if keep_order and question_ids is not None:
        rank = {pk: index for index, pk in enumerate(question_ids)}
        chosen = sorted(rows, key=lambda row: rank[row[0]])[:count]
    else:
        chosen = spread_topics(rng.sample(rows, min(count, len(rows))), lambda row: row[1], rng)
    options: dict[int, list[int]] = {}
    for question_id, option_id in (
        Option.objects.filter(question_id__in=[row[0] for row in chosen])
        .order_by("position", "id")
        .values_list("question_id", "pk")
    ):
        options.setdefault(question_id, []).append(option_id)
    session = PracticeSession.objects.create(
        learner=learner,
        mode=mode,
        pool=pool,
        item_count=len(chosen),
        seconds_per_item=seconds_per_item if mode == Mode.TIMED else None,
        created_at=now,
        deadline=now + timedelta(seconds=seconds_per_item * len(chosen))
        if mode == Mode.TIMED
        else None,
    )
    if topics:
        session.topics.set(topics)
    SessionItem.objects.bulk_create(
        SessionItem(
            session=session,
            position=position,
            question_id=question_id,
            option_order=option_order(options.get(question_id, []), shuffle=shuffle, rng=rng),
        )
        for position, (question_id, _, shuffle) in enumerate(chosen)
    )
    return session


def _start_adaptive_session(
    *,
    learner: User,
    count: int,
    topics: Sequence[Topic],
    pool: str,
    now: datetime,
    rng: Random,
) -> PracticeSession:
    """Start an adaptive session with its first item; each answer then chooses the next."""
    questions = practice_pool(learner=learner, topics=topics, pool=pool, now=now)
    session = PracticeSession.objects.create(
        learner=learner, mode=Mode.ADAPTIVE, pool=pool, item_count=count, created_at=now
    )
    if topics:
        session.topics.set(topics)
    if extend_adaptive_session(session=session, pool=questions, now=now, rng=rng) is None:
        raise _nothing_matches(pool, topics, learner=learner, now=now, mode=Mode.ADAPTIVE)
    return session


# Answering --------------------------------------------------------------------------------------


def close_if_expired(session: PracticeSession, *, now: datetime) -> None:
    """Finish a timed session whose time (and grace) ran out; the results then open."""
    if session.finished_at is None and session.deadline and session.is_past_deadline(now):
        PracticeSession.objects.filter(pk=session.pk, finished_at__isnull=True).update(
            finished_at=session.deadline
        )
        session.finished_at = session.deadline


def close_expired_sessions(*, learner: User, now: datetime) -> None:
    """Finish all of the learner's timed sessions whose time ran out (as `close_if_expired`)."""
    PracticeSession.objects.for_learner(learner).unfinished().filter(
        deadline__lt=now - DEADLINE_GRACE
    ).update(finished_at=F("deadline"))


def finish_session(*, session: PracticeSession, now: datetime) -> None:
    """End the session (idempotent: finishing a finished session changes nothing)."""
    close_if_expired(session, now=now)
    if session.finished_at is None:
        PracticeSession.objects.filter(pk=session.pk, finished_at__isnull=True).update(
            finished_at=now
        )
        session.finished_at = now


def mark_shown(item: SessionItem, *, now: datetime) -> None:
    """Remember when the student first saw the item: time spent is counted from then."""
    if item.shown_at is None:
        SessionItem.objects.filter(pk=item.pk, shown_at__isnull=True).update(shown_at=now)
        item.shown_at = now


@dataclass(frozen=True)
class AnswerOutcome:
    response: Response
    is_new: bool


def _stored_response(item: SessionItem) -> Response | None:
    """Return the item's response: from `for_answering()`'s join when loaded, else one query."""
    try:
        return item.response
    except Response.DoesNotExist:
        return None


def _same_answer(response: Response, option_id: int) -> AnswerOutcome:
    if response.option_id != option_id:
        raise PracticeError(
            "You have already answered this item; an answer cannot be changed.",
            code="already_answered",
        )
    return AnswerOutcome(response=response, is_new=False)


def record_answer(
    *, item: SessionItem, option_id: int, now: datetime, is_confident: bool | None = None
) -> AnswerOutcome:
    """Record the student's answer to `item` exactly once.

    The same answer again returns the stored response; a different one is refused, as is any
    answer once the session has finished or its deadline (plus grace) has passed. Load the item
    with `SessionItem.objects.for_answering()` to keep this to a fixed few queries.
    """
    session = item.session
    close_if_expired(session, now=now)
    stored = _stored_response(item)
    if stored is not None:
        return _same_answer(stored, option_id)
    if session.finished_at is not None:
        code = "deadline_passed" if session.is_past_deadline(now) else "session_finished"
        message = (
            "Time is up: answers to this timed session closed at its deadline."
            if code == "deadline_passed"
            else "This session has finished; it takes no more answers."
        )
        raise PracticeError(message, code=code)
    option = next((o for o in item.question.options.all() if o.pk == option_id), None)
    if option is None:
        raise ValidationError({"option": "Choose one of this item's options."}, code="invalid")
    has_earlier = getattr(item, "has_earlier_answer", None)
    if has_earlier is None:
        has_earlier = Response.objects.filter(
            learner_id=session.learner_id, question_id=item.question_id
        ).exists()
    seen_from = item.shown_at or session.last_answer_at or session.created_at
    fields: dict[str, Any] = {
        "item": item,
        "learner_id": session.learner_id,
        "question_id": item.question_id,
        "version_id": item.question.current_version_id,
        "option": option,
        "is_correct": option.is_correct,
        "is_confident": is_confident,
        "time_spent": max(now - seen_from, timedelta(0)),
        "answered_at": now,
    }
    try:
        response = _create_response(item=item, is_first_attempt=not has_earlier, fields=fields)
    except IntegrityError:
        # A concurrent request answered this item first, or answered the same question in
        # another session first (then this one is not the first attempt).
        stored = Response.objects.filter(item=item).first()
        if stored is not None:
            return _same_answer(stored, option_id)
        response = _create_response(item=item, is_first_attempt=False, fields=fields)
    PracticeSession.objects.filter(pk=session.pk).update(last_answer_at=now)
    item.response = response
    if session.mode == Mode.ADAPTIVE:
        extend_adaptive_session(
            session=session,
            pool=practice_pool(
                learner=session.learner,
                topics=list(session.topics.all()),
                pool=session.pool,
                now=now,
            ),
            now=now,
            rng=Random(),  # noqa: S311 - option order is not a secret
        )
    return AnswerOutcome(response=response, is_new=True)


def _create_response(
    *, item: SessionItem, is_first_attempt: bool, fields: dict[str, Any]
) -> Response:
    """Write the response and the review it earns in one transaction: both or neither."""
    with transaction.atomic():
        response = Response.objects.create(is_first_attempt=is_first_attempt, **fields)
        learn_from_answer(response=response, question=item.question)
    return response


# What is revealed after answering ----------------------------------------------------------------


def option_share_counts(question_ids: Collection[int]) -> dict[int, dict[int, int]]:
    """Count students' first attempts per option of many questions, in one query."""
    counts: dict[int, dict[int, int]] = {}
    for question_id, option_id, n in (
        Response.objects.first_attempts()
        .filter(question_id__in=question_ids, option__isnull=False)
        .values("question", "option")
        .annotate(n=Count("id"))
        .values_list("question", "option", "n")
    ):
        counts.setdefault(question_id, {})[option_id] = n
    return counts


def option_shares(
    question_id: int, option_ids: Iterable[int], *, counts: dict[int, int] | None = None
) -> dict[int, float]:
    """Return the share of students' first attempts that chose each option (0 when none).

    Pass `counts` from `option_share_counts` when showing many questions at once.
    """
    if counts is None:
        counts = option_share_counts([question_id]).get(question_id, {})
    total = sum(counts.values())
    return {pk: (counts.get(pk, 0) / total if total else 0.0) for pk in option_ids}


def explanation(question: Question, options: Sequence[ShownOption]) -> dict[str, Any]:
    """Return the explanation of `question` as data (Markdown text), in teaching order."""
    return {
        **{key: text for key, _, text in question.explanation_sections()},
        "why_not": [
            {"option": option.token, "letter": option.letter, "text": option.why_not}
            for option in options
            if not option.is_correct
        ],
        "references": [
            {"citation": reference.citation, "url": reference.web_url}
            for reference in question.references.all()
        ],
        "guideline": guideline_note(question, options),
    }


def guideline_note(question: Question, options: Sequence[ShownOption]) -> dict[str, Any] | None:
    """The guideline version the key follows and, where the model's newest version does not
    back the key, its "Current guidelines" note, naming options as this item does."""
    snapshot = question.guideline_snapshot or {}
    if not snapshot.get("follows"):
        return None
    current = snapshot.get("current")
    if current is not None:
        token_of = {option.pk: option.token for option in options}
        current = {**current, "option": token_of.get(current["option"])}
    return {"follows": snapshot["follows"], "current": current}


# Strike-outs, marks, notes and problem reports --------------------------------------------------


def toggle_strike(*, item: SessionItem, option_id: int) -> bool:
    """Strike out an option (or restore it) for the rest of the session; return whether struck."""
    if option_id not in item.option_order:
        raise ValidationError({"option": "Choose one of this item's options."}, code="invalid")
    struck = [pk for pk in item.struck_options if pk != option_id]
    is_struck = len(struck) == len(item.struck_options)
    if is_struck:
        struck.append(option_id)
    item.struck_options = struck
    item.save(update_fields=["struck_options"])
    return is_struck


def questions_met_by(learner: User) -> QuerySet[Question]:
    """Questions the learner has been given in a session: the only ones they may mark or note."""
    return Question.objects.filter(
        pk__in=SessionItem.objects.filter(session__learner=learner).values("question")
    )


def set_mark(*, learner: User, question: Question, is_marked: bool) -> None:
    """Mark a question for review, or unmark it (both idempotent)."""
    if is_marked:
        Mark.objects.get_or_create(learner=learner, question=question)
    else:
        Mark.objects.filter(learner=learner, question=question).delete()


def save_note(*, learner: User, question: Question, text: str, now: datetime) -> Note | None:
    """Save the learner's private note on a question; empty text deletes it."""
    text = text.strip()
    if len(text) > 5000:
        raise ValidationError({"text": "Keep a note under 5,000 characters."}, code="max_length")
    if not text:
        Note.objects.filter(learner=learner, question=question).delete()
        return None
    note, _ = Note.objects.update_or_create(
        learner=learner, question=question, defaults={"text": text, "updated_at": now}
    )
    return note


def report_problem(*, learner: User, question: Question, text: str) -> ProblemReport:
    """Send a student's report on a question to the instructors' review queue."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Say what is wrong with the question."}, code="required")
    if len(text) > 5000:
        raise ValidationError({"text": "Keep a report under 5,000 characters."}, code="max_length")
    return ProblemReport.objects.create(question=question, reporter=learner, text=text)
