"""Accounts, and what students do with the bank: practice sessions, their items, responses,
marks and private notes.

Writes go through `learners.practice`, which records each response exactly once; the models
hold per-row logic and queryset filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone
from reversion.models import Version

from learners.roles import Role
from quizbank.models import Option, Question, Topic

# Answers that reach the server this long after a timed session's deadline still count (a slow
# network, a submit pressed in the last second); the key stays hidden until the grace is over.
DEADLINE_GRACE = timedelta(seconds=30)


class User(AbstractUser):
    """A person using the platform; their role is the group they belong to."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="unique_user_email_ci",
                violation_error_message="An account with this e-mail address already exists.",
            ),
        ]
        permissions = [
            ("practise_questions", "Can practise questions"),
            ("author_questions", "Can author and review questions"),
            ("view_platform_dashboard", "Can view the admin dashboard"),
        ]

    @property
    def role(self) -> Role:
        """Return the highest role this user holds (a superuser is an Admin)."""
        if self.is_superuser:
            return Role.ADMIN
        names = {group.name for group in self.groups.all()}
        for role in (Role.ADMIN, Role.INSTRUCTOR):
            if role.value in names:
                return role
        return Role.STUDENT


class Mode(models.TextChoices):
    TUTOR = "tutor", "Tutor"
    TIMED = "timed", "Timed"


class Pool(models.TextChoices):
    """Which of the matching questions a session draws from."""

    ALL = "all", "All"
    UNUSED = "unused", "Unused"
    INCORRECT = "incorrect", "Incorrect"
    MARKED = "marked", "Marked"


class PracticeSessionQuerySet(models.QuerySet["PracticeSession"]):
    def for_learner(self, learner: User) -> PracticeSessionQuerySet:
        """The sessions `learner` owns: every view and endpoint looks sessions up through this."""
        return self.filter(learner=learner)

    def unfinished(self) -> PracticeSessionQuerySet:
        return self.filter(finished_at__isnull=True)

    def with_scores(self) -> PracticeSessionQuerySet:
        """Annotate `answered_count` and `correct_count` (show the latter only once revealed)."""
        return self.annotate(
            answered_count=models.Count("items__response"),
            correct_count=models.Count(
                "items__response", filter=Q(items__response__is_correct=True)
            ),
        )


class PracticeSession(models.Model):
    """A run of items a student answers in tutor mode or under exam conditions."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_sessions"
    )
    mode = models.CharField(max_length=8, choices=Mode.choices)
    pool = models.CharField(max_length=16, choices=Pool.choices, default=Pool.ALL)
    topics: models.ManyToManyField[Topic, Any] = models.ManyToManyField(
        Topic, blank=True, related_name="+"
    )
    seconds_per_item = models.PositiveSmallIntegerField(null=True, blank=True)
    item_count = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(null=True, blank=True)
    last_answer_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = PracticeSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["learner", "-created_at"], name="session_learner_created")]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} session {self.pk} of {self.learner_id}"

    @property
    def status(self) -> str:
        return "finished" if self.finished_at else "active"

    @property
    def is_timed(self) -> bool:
        return self.mode == Mode.TIMED

    def is_past_deadline(self, now: datetime) -> bool:
        """Whether answers are refused because the time (and its grace) has run out."""
        return self.deadline is not None and now > self.deadline + DEADLINE_GRACE

    def is_over(self, now: datetime) -> bool:
        return self.finished_at is not None or self.is_past_deadline(now)

    def reveals_answers(self, now: datetime) -> bool:
        """Whether an answered item's key and explanation may be shown: tutor mode, or the end."""
        return self.mode == Mode.TUTOR or self.is_over(now)

    def seconds_left(self, now: datetime) -> int | None:
        if self.deadline is None:
            return None
        return max(0, int((self.deadline - now).total_seconds()))


@dataclass(frozen=True)
class ShownOption:
    """An option as one session shows it: its letter follows the session's order."""

    pk: int
    letter: str
    text: str
    is_correct: bool
    why_not: str


class SessionItemQuerySet(models.QuerySet["SessionItem"]):
    def for_learner(self, learner: User) -> SessionItemQuerySet:
        """Items of the sessions `learner` owns."""
        return self.filter(session__learner=learner)

    def for_answering(self) -> SessionItemQuerySet:
        """Load what recording an answer and showing its feedback read, in two queries.

        `has_earlier_answer` says whether the learner answered the question before (in any
        session), so the new response knows whether it is the first attempt.
        """
        earlier = Response.objects.filter(
            learner=OuterRef("session__learner_id"), question=OuterRef("question_id")
        )
        return (
            self.select_related("session", "question", "response")
            .prefetch_related("question__options")
            .annotate(has_earlier_answer=Exists(earlier))
        )


class SessionItem(models.Model):
    """One question in a session, with the option order and strike-outs of this session."""

    session = models.ForeignKey(PracticeSession, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    # Option ids in the order shown, fixed when the session is built.
    option_order = models.JSONField(default=list)
    struck_options = models.JSONField(default=list, blank=True)
    shown_at = models.DateTimeField(null=True, blank=True)

    objects = SessionItemQuerySet.as_manager()

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="unique_item_position"),
        ]

    def __str__(self) -> str:
        return f"Item {self.position + 1} of session {self.session_id}"

    @property
    def number(self) -> int:
        return self.position + 1

    def shown_options(self) -> list[ShownOption]:
        """Return the question's options in this session's order, lettered as shown.

        Options added by an edit after the session was built go last; removed ones are gone.
        """
        options: dict[int, Option] = {option.pk: option for option in self.question.options.all()}
        order = [pk for pk in self.option_order if pk in options]
        order += [pk for pk in options if pk not in order]
        return [
            ShownOption(
                pk=pk,
                letter="ABCDEFGH"[index] if index < 8 else str(index + 1),
                text=options[pk].text,
                is_correct=options[pk].is_correct,
                why_not=options[pk].why_not,
            )
            for index, pk in enumerate(order)
        ]


class ResponseQuerySet(models.QuerySet["Response"]):
    def first_attempts(self) -> ResponseQuerySet:
        return self.filter(is_first_attempt=True)

    def revealed(self) -> ResponseQuerySet:
        """Responses whose correctness the learner may know: not in a timed session still running.

        Every figure shown to a student (progress, the "incorrect" pool) counts only these, so
        no figure tells them how a running exam is going.
        """
        return self.exclude(item__session__mode=Mode.TIMED, item__session__finished_at__isnull=True)


class Response(models.Model):
    """A student's answer to one session item, recorded exactly once."""

    item = models.OneToOneField(SessionItem, on_delete=models.CASCADE, related_name="response")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="responses"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="responses")
    # The revision of the question the answer was marked against (django-reversion); kept
    # when later edits change the question, so statistics can be read per revision.
    version = models.ForeignKey(
        Version, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Null once an edit removes the option; `is_correct` and the revision keep the record.
    option = models.ForeignKey(
        Option, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )
    is_correct = models.BooleanField()
    is_first_attempt = models.BooleanField()
    time_spent = models.DurationField()
    answered_at = models.DateTimeField()

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["answered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "question"],
                condition=Q(is_first_attempt=True),
                name="one_first_attempt_per_question",
            ),
        ]
        indexes = [
            models.Index(fields=["learner", "answered_at"], name="response_learner_time"),
            models.Index(fields=["question", "option"], name="response_question_option"),
        ]

    def __str__(self) -> str:
        return f"Response of {self.learner_id} to question {self.question_id}"


class Mark(models.Model):
    """A question a student flagged to come back to."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="marks"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "question"], name="unique_mark"),
        ]

    def __str__(self) -> str:
        return f"Mark on question {self.question_id}"


class Note(models.Model):
    """A student's private note on a question, seen by nobody else."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=5000)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "question"], name="unique_note"),
        ]

    def __str__(self) -> str:
        return f"Note on question {self.question_id}"
