"""A person's own data: exported as JSON on request, or erased while the statistics stay.

Erasure keeps what anonymous statistics are made of and removes what identifies or belongs only
to the person; see `erase_personal_data` for the line drawn and why.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from rest_framework.authtoken.models import Token

from audit.log import record
from audit.models import AuditEvent
from learners.models import (
    DailyPlan,
    Mark,
    Note,
    PracticeSession,
    ReviewCard,
    SessionItem,
    TopicAbility,
    User,
)
from learners.roles import Role
from learners.services import AccountError, is_erased
from quizbank import access
from quizbank.models import ProblemReport, Question, Topic, topic_labels

# Bump when a field is renamed or removed, so a reader of an old file can tell.
EXPORT_FORMAT_VERSION = 1
ERASED_USERNAME_PREFIX = "erased-"
# Session engines that keep sessions in the database table, whose rows erasure deletes.
DATABASE_SESSION_ENGINES = {
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
}

JSON = dict[str, Any]


# Export ---------------------------------------------------------------------------------------


def export_personal_data(*, user: User, now: datetime) -> JSON:
    """Return everything the platform holds about `user`, as JSON-serialisable values.

    A fixed number of queries whatever the amount of history. Correctness stays hidden for the
    answers of a timed session still running, as it is on every other page.
    """
    sessions = list(
        PracticeSession.objects.for_learner(user)
        .order_by("created_at", "id")
        .prefetch_related(
            "topics",
            Prefetch(
                "items",
                queryset=SessionItem.objects.select_related("question", "response__option"),
            ),
        )
    )
    cards = list(
        ReviewCard.objects.for_learner(user)
        .select_related("question")
        .prefetch_related("logs")
        .order_by("question_id")
    )
    plans = list(DailyPlan.objects.for_learner(user).order_by("day"))
    planned_questions = Question.objects.in_bulk({pk for plan in plans for pk in plan.question_ids})
    abilities = list(
        TopicAbility.objects.filter(learner=user).select_related("topic").order_by("topic__path")
    )
    topics: list[Topic] = [ability.topic for ability in abilities]
    topics += [topic for session in sessions for topic in session.topics.all()]
    labels = topic_labels(topics)
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": now.isoformat(),
        "account": _account(user),
        "sessions": [_session(session, labels=labels, now=now) for session in sessions],
        "marks": [
            {
                "question_id": mark.question_id,
                "lead_in": mark.question.lead_in,
                "created_at": mark.created_at.isoformat(),
            }
            for mark in Mark.objects.filter(learner=user).select_related("question")
        ],
        "notes": [
            {
                "question_id": note.question_id,
                "lead_in": note.question.lead_in,
                "text": note.text,
                "updated_at": note.updated_at.isoformat(),
            }
            for note in Note.objects.filter(learner=user).select_related("question")
        ],
        "problem_reports": [
            {
                "question_id": report.question_id,
                "lead_in": report.question.lead_in,
                "text": report.text,
                "created_at": report.created_at.isoformat(),
                "resolved_at": _iso(report.resolved_at),
            }
            for report in ProblemReport.objects.filter(reporter=user).select_related("question")
        ],
        "review_cards": [_card(card) for card in cards],
        "daily_plans": [
            {
                "day": plan.day.isoformat(),
                "goal": plan.goal,
                "built_at": plan.built_at.isoformat(),
                "session_id": plan.session_id,
                "items": [
                    {
                        "question_id": pk,
                        "lead_in": planned_questions[pk].lead_in if pk in planned_questions else "",
                        "kind": kind,
                    }
                    for pk, kind in plan.planned()
                ],
            }
            for plan in plans
        ],
        "topic_abilities": [
            {
                "topic": labels[ability.topic_id],
                "ability": ability.ability,
                "responses": ability.responses,
            }
            for ability in abilities
        ],
    }


@transaction.atomic
def release_personal_data(*, user: User, by: User, now: datetime) -> JSON:
    """Export `user`'s data for `by` (themselves, or an admin) and audit the export."""
    if by.pk != user.pk and not access.is_admin(by):
        raise PermissionDenied("Only admins export another person's data.")
    data = export_personal_data(user=user, now=now)
    record(
        actor=by,
        action=AuditEvent.Action.PERSONAL_DATA_EXPORTED,
        target=user,
        details={"by_self": by.pk == user.pk},
        at=now,
    )
    return data


def _account(user: User) -> JSON:
    # The password hash, the API token and the permission flags are credentials or
    # configuration, not data about the person, so they stay out.
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role.value,
        "is_active": user.is_active,
        "date_joined": user.date_joined.isoformat(),
        "last_login": _iso(user.last_login),
        "study_settings": {
            "time_zone": str(user.time_zone),
            "daily_goal": user.daily_goal,
            "exam_date": _iso(user.exam_date),
            "wants_reminders": user.wants_reminders,
            "rates_confidence": user.rates_confidence,
        },
    }


def _session(session: PracticeSession, *, labels: dict[int, str], now: datetime) -> JSON:
    revealed = session.reveals_answers(now)
    items = []
    for item in session.items.all():
        response = getattr(item, "response", None)
        answer: JSON | None = None
        if response is not None:
            answer = {
                "chosen_option": response.option.text if response.option else None,
                "is_correct": response.is_correct if revealed else None,
                "is_first_attempt": response.is_first_attempt,
                "is_confident": response.is_confident,
                "seconds_spent": response.time_spent.total_seconds(),
                "answered_at": response.answered_at.isoformat(),
            }
        items.append(
            {
                "number": item.number,
                "question_id": item.question_id,
                "lead_in": item.question.lead_in,
                "shown_at": _iso(item.shown_at),
                "response": answer,
            }
        )
    return {
        "id": session.pk,
        "mode": session.mode,
        "pool": session.pool,
        "topics": [labels[topic.pk] for topic in session.topics.all()],
        "item_count": session.item_count,
        "seconds_per_item": session.seconds_per_item,
        "created_at": session.created_at.isoformat(),
        "deadline": _iso(session.deadline),
        "finished_at": _iso(session.finished_at),
        "items": items,
    }


def _card(card: ReviewCard) -> JSON:
    return {
        "question_id": card.question_id,
        "lead_in": card.question.lead_in,
        "state": card.state,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "due": card.due.isoformat(),
        "last_review": _iso(card.last_review),
        "reviews": card.reviews,
        "lapses": card.lapses,
        "log": [
            {
                "rating": log.rating,
                "reviewed_at": log.reviewed_at.isoformat(),
                "duration_ms": log.duration_ms,
            }
            for log in card.logs.all()
        ],
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


# Erasure --------------------------------------------------------------------------------------


@transaction.atomic
def erase_personal_data(*, user: User, by: User, now: datetime) -> None:
    """Remove what identifies `user` and what only they used, keeping anonymous statistics.

    Removed: name, username (replaced by a random one), e-mail, exam date, time zone, password,
    API token, log-in records, open web sessions, marks, notes, daily plans, review cards and
    their logs, topic ability estimates. They identify the person or only serve their own
    future study, which will not happen, and no figure about other people reads them.

    Kept, now belonging to an anonymous account: practice sessions, their items and responses
    (item statistics, item calibration and the dashboard's activity figures are made of them,
    and would change if they went), the account row with its join date and role (sign-up
    counts), the questions the person authored, and problem reports, which lose their reporter
    but keep their text because it is about the question and an instructor may still act on it.
    """
    if by.pk == user.pk:
        if user.role == Role.ADMIN:
            raise AccountError(
                "An admin's account is erased by another admin.", code="own_admin_account"
            )
        # The same row, so the event names the actor by the anonymous username set below.
        by = user
    elif not access.is_admin(by):
        raise PermissionDenied("Only admins erase another person's data.")
    if is_erased(user):
        return
    old_username = user.username
    user.username = f"{ERASED_USERNAME_PREFIX}{secrets.token_hex(8)}"
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.exam_date = None
    user.time_zone = ZoneInfo("UTC")
    user.wants_reminders = False
    user.is_active = False
    # A new unusable password also ends every session at its next request (Django checks the
    # session's password hash); deleting the rows below removes them at once.
    user.set_unusable_password()
    user.save(
        update_fields=[
            "username",
            "email",
            "first_name",
            "last_name",
            "exam_date",
            "time_zone",
            "wants_reminders",
            "is_active",
            "password",
        ]
    )
    Token.objects.filter(user=user).delete()
    Mark.objects.filter(learner=user).delete()
    Note.objects.filter(learner=user).delete()
    DailyPlan.objects.filter(learner=user).delete()
    ReviewCard.objects.filter(learner=user).delete()
    TopicAbility.objects.filter(learner=user).delete()
    ProblemReport.objects.filter(reporter=user).update(reporter=None)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username=old_username).delete()
    _end_web_sessions(user, now=now)
    # Earlier audit events keep who did what, but under the anonymous name.
    AuditEvent.objects.filter(actor=user).update(actor_username=user.username)
    AuditEvent.objects.about(user).update(target_repr=user.username)
    record(
        actor=by,
        action=AuditEvent.Action.PERSONAL_DATA_ERASED,
        target=user,
        target_repr=f"user {user.pk}",
        details={"by_self": by.pk == user.pk},
        at=now,
    )


def _end_web_sessions(user: User, *, now: datetime) -> None:
    if settings.SESSION_ENGINE not in DATABASE_SESSION_ENGINES:
        return
    # The session table has no user column: each live session is decoded to find the user's.
    # Erasure is rare, so a scan of the live sessions is an acceptable price.
    live = Session.objects.filter(expire_date__gt=now)
    mine = [
        session.session_key
        for session in live.iterator(chunk_size=2000)
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(session_key__in=mine).delete()
