"""Accounts, and what students do with the bank: practice sessions, their items, responses,
marks and private notes.

Writes go through `learners.practice`, which records each response exactly once; the models
hold per-row logic and queryset filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Lower, TruncDate
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from reversion.models import Version
from timezone_field import TimeZoneField

from learners.planning import NEW, REVIEW
from learners.roles import Role
from quizbank.models import Option, Question, Topic

# Answers that reach the server this long after a timed session's deadline still count (a slow
# network, a submit pressed in the last second); the key stays hidden until the grace is over.
DEADLINE_GRACE = timedelta(seconds=30)


# Keys the hash that names an item's options to a student (`SessionItem.option_token`).
OPTION_TOKEN_SALT = "learners.SessionItem.option_token"  # noqa: S105 - a salt, not a secret

DEFAULT_DAILY_GOAL = 20
MAX_DAILY_GOAL = 200


class User(AbstractUser):
    """A person using the platform; their role is the group they belong to."""

    # Study preferences: the daily plan is built in the student's time zone, sized by the goal
    # and paced towards the exam date.
    time_zone = TimeZoneField(default="UTC", use_pytz=False)
    daily_goal = models.PositiveSmallIntegerField(
        default=DEFAULT_DAILY_GOAL,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DAILY_GOAL)],
        help_text="Items per day in the daily plan.",
    )
    exam_date = models.DateField(null=True, blank=True)
    wants_reminders = models.BooleanField(
        default=True, help_text="E-mail a reminder when a plan is waiting and nothing was done."
    )
    rates_confidence = models.BooleanField(
        default=False, help_text='Offer an "unsure" choice when answering.'
    )

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
    # Tutor feedback, with each next item chosen from the learner's current estimates.
    ADAPTIVE = "adaptive", "Adaptive"


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

    def not_over(self, now: datetime) -> PracticeSessionQuerySet:
        """Sessions that still take answers: unfinished, and within a timed one's deadline."""
        return self.unfinished().filter(
            Q(deadline__isnull=True) | Q(deadline__gte=now - DEADLINE_GRACE)
        )

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
        """Whether an answered item's key and explanation may be shown: after each answer in tutor
        and adaptive mode, at the end in timed mode."""
        return self.mode != Mode.TIMED or self.is_over(now)

    def seconds_left(self, now: datetime) -> int | None:
        if self.deadline is None:
            return None
        return max(0, int((self.deadline - now).total_seconds()))


@dataclass(frozen=True)
class ShownOption:
    """An option as one session shows it: its letter follows the session's order.

    `token` is the only name of the option a student receives: `pk` follows the order options
    were authored in, and the key is often authored first.
    """

    pk: int
    token: str
    letter: str
    text: str
    is_correct: bool
    why_not: str


class SessionItemQuerySet(models.QuerySet["SessionItem"]):
    def for_learner(self, learner: User) -> SessionItemQuerySet:
        """Items of the sessions `learner` owns."""
        return self.filter(session__learner=learner)

    def in_open_sessions(self, learner: User, now: datetime) -> SessionItemQuerySet:
        """Items of the sessions `learner` may still answer in (see `not_over`)."""
        open_sessions = PracticeSession.objects.for_learner(learner).not_over(now)
        return self.filter(session__in=open_sessions)

    def timed(self) -> SessionItemQuerySet:
        return self.filter(session__mode=Mode.TIMED)

    def unanswered(self) -> SessionItemQuerySet:
        return self.filter(response__isnull=True)

    def for_answering(self) -> SessionItemQuerySet:
        """Load what recording an answer (and the review it earns) and showing its feedback
        read, in two queries.

        `has_earlier_answer` says whether the learner answered the question before (in any
        session), so the new response knows whether it is the first attempt.
        """
        earlier = Response.objects.filter(
            learner=OuterRef("session__learner_id"), question=OuterRef("question_id")
        )
        return (
            self.select_related("session", "question__calibration", "response")
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
                token=self.option_token(pk),
                letter="ABCDEFGH"[index] if index < 8 else str(index + 1),
                text=options[pk].text,
                is_correct=options[pk].is_correct,
                why_not=options[pk].why_not,
            )
            for index, pk in enumerate(order)
        ]

    def option_token(self, option_id: int) -> str:
        """Return the name this item gives an option in what a student receives.

        A keyed hash of the item and the option: it differs from item to item and carries no
        order, so neither its value nor its sort order says which option is the key, and the
        server finds the option again without storing anything.
        """
        message = f"{self.pk}:{option_id}"
        return salted_hmac(OPTION_TOKEN_SALT, message, algorithm="sha256").hexdigest()[:16]

    def option_id_for(self, token: str) -> int:
        """Return the id of the option `token` names in this item, or name the field in error."""
        for option in self.question.options.all():
            if constant_time_compare(self.option_token(option.pk), token):
                return option.pk
        raise ValidationError({"option": "Choose one of this item's options."}, code="invalid")


class ResponseQuerySet(models.QuerySet["Response"]):
    def first_attempts(self) -> ResponseQuerySet:
        return self.filter(is_first_attempt=True)

    def revealed(self) -> ResponseQuerySet:
        """Responses whose correctness the learner may know: not in a timed session still running.

        Every figure shown to a student (progress, the "incorrect" pool) counts only these, so
        no figure tells them how a running exam is going.
        """
        return self.exclude(item__session__mode=Mode.TIMED, item__session__finished_at__isnull=True)

    def counts_per_day(
        self, *, first: date, days: int, zone: tzinfo
    ) -> list[tuple[date, int, int]]:
        """Return (day, answered, correct) for each local day of `days` from `first`, gaps as 0."""
        start = datetime.combine(first, time.min, tzinfo=zone)
        counts = {
            row["day"]: (row["answered"], row["correct"])
            for row in self.filter(answered_at__gte=start, answered_at__lt=start + timedelta(days))
            .annotate(day=TruncDate("answered_at", tzinfo=zone))
            .values("day")
            .annotate(answered=Count("id"), correct=Count("id", filter=Q(is_correct=True)))
            .order_by()
        }
        every_day = (first + timedelta(days=offset) for offset in range(days))
        return [(day, *counts.get(day, (0, 0))) for day in every_day]


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
    # False when the student said they were unsure (only asked when they opt in); None if not asked.
    is_confident = models.BooleanField(null=True, blank=True)
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


# Adaptive practice: memory, ability and daily plans -----------------------------------------------
# The maths lives in learners.scheduling (FSRS cards) and learners.ability (Elo estimates); the
# workflows that read and write these rows in learners.learning and learners.plans.


class ReviewCardQuerySet(models.QuerySet["ReviewCard"]):
    def for_learner(self, learner: User) -> ReviewCardQuerySet:
        return self.filter(learner=learner)

    def due(self, *, before: datetime) -> ReviewCardQuerySet:
        """Cards due before `before` (the end of the learner's day, for a daily plan)."""
        return self.filter(due__lt=before)


class ReviewCard(models.Model):
    """A student's spaced-repetition card for one question, scheduled by FSRS."""

    # No index of its own: the unique (learner, question) constraint and the covering index
    # both begin with the learner, and serve every lookup by learner. A third index was one
    # more write per new card, and PostgreSQL chose it for reading a learner's questions over
    # the constraint's index, which answers that read without visiting the table.
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="review_cards",
        db_index=False,
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    # The fsrs Card fields; `state` is fsrs.State's value (1 learning, 2 review, 3 relearning).
    state = models.PositiveSmallIntegerField()
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    reviews = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)

    objects = ReviewCardQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "question"], name="one_card_per_question"),
        ]
        indexes = [
            # Covers what the nightly plans read of a due card, so that the read never visits
            # the table. Every answer moves `due` anyway, so the wider entry costs no extra write.
            models.Index(
                fields=["learner", "due", "question", "stability", "last_review"],
                name="card_learner_due_covering",
            )
        ]

    def __str__(self) -> str:
        return f"Card of {self.learner_id} for question {self.question_id}"


class ReviewLog(models.Model):
    """One FSRS review of a card: the rating an answer earned, when, and how long it took."""

    card = models.ForeignKey(ReviewCard, on_delete=models.CASCADE, related_name="logs")
    # One review per response: the unique link keeps a retried answer from reviewing twice.
    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="review_log")
    rating = models.PositiveSmallIntegerField()  # fsrs.Rating: 1 again, 2 hard, 3 good, 4 easy
    reviewed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # The card's schedule right after this review, for auditing and re-fitting.
    stability = models.FloatField()
    difficulty = models.FloatField()
    due = models.DateTimeField()

    class Meta:
        ordering = ["reviewed_at", "id"]

    def __str__(self) -> str:
        return f"Review of card {self.card_id} at {self.reviewed_at:%Y-%m-%d %H:%M}"


class TopicAbility(models.Model):
    """A student's ability estimate in one topic (Elo, logit scale), from first attempts."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="abilities"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    ability = models.FloatField(default=0.0)
    responses = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "topic abilities"
        constraints = [
            models.UniqueConstraint(fields=["learner", "topic"], name="one_ability_per_topic"),
        ]

    def __str__(self) -> str:
        return f"Ability of {self.learner_id} in topic {self.topic_id}"


class ItemCalibration(models.Model):
    """A question's difficulty estimate (Elo, logit scale), starting from the authored one."""

    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="calibration")
    difficulty = models.FloatField()
    responses = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Calibration of question {self.question_id}"


class DailyPlanQuerySet(models.QuerySet["DailyPlan"]):
    def for_learner(self, learner: User) -> DailyPlanQuerySet:
        return self.filter(learner=learner)


class DailyPlan(models.Model):
    """What a student should practise on one day of their own calendar, built once per day."""

    # No index of its own: the unique (learner, day) constraint serves every lookup by learner.
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="daily_plans",
        db_index=False,
    )
    day = models.DateField()
    built_at = models.DateTimeField()
    goal = models.PositiveSmallIntegerField()
    # The tutor session started from the plan; starting again resumes it.
    session = models.ForeignKey(
        PracticeSession, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    # The plan's questions in order: the due reviews, most forgotten first, then the new items.
    # Two lists on the plan, not a row per item: a plan is written once and always read whole,
    # and one row per plan is what lets the nightly job write thousands of plans a second
    # (bench/schedule_throughput.py). Questions are never deleted once published, only retired.
    review_ids = models.JSONField(default=list, blank=True)
    new_ids = models.JSONField(default=list, blank=True)

    objects = DailyPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "day"], name="one_plan_per_day"),
        ]

    def __str__(self) -> str:
        return f"Plan of {self.learner_id} for {self.day}"

    @property
    def question_ids(self) -> list[int]:
        """Return the planned questions in plan order: reviews first, then new items."""
        return [*self.review_ids, *self.new_ids]

    def planned(self) -> list[tuple[int, str]]:
        """Return (question id, "review" or "new") for each planned question, in plan order."""
        return [(pk, REVIEW) for pk in self.review_ids] + [(pk, NEW) for pk in self.new_ids]
