"""The question bank: topics, questions with options and structured explanations, references,
review history and topic evidence summaries.

Writes go through `quizbank.services`, which validates, records revisions (django-reversion)
and enforces the review workflow; the models hold only per-row logic and queryset filters.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

import reversion
from django.conf import settings
from django.db import models
from django.db.models import Q
from reversion.models import Version
from treebeard.mp_tree import MP_Node

from quizbank.content import is_web_url
from quizbank.validation import validate_web_url

if TYPE_CHECKING:
    from learners.models import User


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class Topic(MP_Node):
    """A node of the taxonomy: specialty > system > topic (materialised path, django-treebeard)."""

    name: models.CharField[str, str] = models.CharField(max_length=200)
    node_order_by = ["name"]

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return str(self.name)

    @property
    def label(self) -> str:
        """Return the full path, e.g. "Hematology > Plasma cell disorders > Multiple myeloma"."""
        return " > ".join(self.names())

    def names(self) -> list[str]:
        """Return the names from the root down to this topic."""
        return [node.name for node in Topic.objects.get_ancestors(self)] + [self.name]


def topic_labels(topics: Iterable[Topic]) -> dict[int, str]:
    """Return each topic's full label in one query (Topic.label costs a query per topic)."""
    topics = list(topics)
    step = Topic.steplen
    prefixes = {t.path[:end] for t in topics for end in range(step, len(t.path) + 1, step)}
    names = dict(Topic.objects.filter(path__in=prefixes).values_list("path", "name"))
    return {
        t.pk: " > ".join(names[t.path[:end]] for end in range(step, len(t.path) + 1, step))
        for t in topics
    }


class Tag(models.Model):
    name = models.SlugField(max_length=64, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QuestionQuerySet(models.QuerySet["Question"]):
    def published(self) -> QuestionQuerySet:
        return self.filter(status=Status.PUBLISHED)

    def awaiting_review(self) -> QuestionQuerySet:
        return self.filter(status=Status.IN_REVIEW)

    def in_topic(self, topic: Topic) -> QuestionQuerySet:
        """Questions filed under `topic` or any topic below it."""
        return self.filter(topic__path__startswith=topic.path)

    def with_list_details(self) -> QuestionQuerySet:
        """Load what a list of questions shows, in a fixed number of queries."""
        return self.select_related("topic", "author").prefetch_related("tags")

    def with_full_content(self) -> QuestionQuerySet:
        """Load everything a question page shows, in a fixed number of queries."""
        return self.with_list_details().prefetch_related("options", "references", "images")


@reversion.register(follow=["options", "references", "images"], exclude=["current_version"])
class Question(models.Model):
    class Type(models.TextChoices):
        SINGLE = "single", "Single best answer"
        MULTIPLE = "multiple", "Multiple response"

    # The stable key of an imported question within its topic (Moodle's name or id number).
    name = models.CharField(max_length=255, blank=True)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="questions")
    question_type = models.CharField(max_length=16, choices=Type.choices, default=Type.SINGLE)
    stem = models.TextField(help_text="The clinical vignette (Markdown).")
    lead_in = models.CharField(max_length=500, help_text="The question asked of the student.")
    shuffle_options = models.BooleanField(
        default=True, help_text="Off keeps the authored order (e.g. for 'all of the above')."
    )

    key_point = models.TextField(blank=True, help_text="The educational objective.")
    why_correct = models.TextField(blank=True, help_text="Why the keyed answer is right.")
    high_yield = models.TextField(blank=True)
    mechanism = models.TextField(blank=True)
    pearl = models.TextField("clinical pearl", blank=True)
    mnemonic = models.TextField(blank=True)
    evidence = models.TextField("evidence base", blank=True)

    tags = models.ManyToManyField(Tag, blank=True, related_name="questions")
    difficulty = models.FloatField(
        default=0.0, help_text="Item difficulty on a logit scale; calibrated from responses."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authored_questions"
    )
    decision_model = models.CharField(max_length=64, blank=True)
    decision_case = models.JSONField(null=True, blank=True)
    # A reviewer's written reason to publish although the key disagrees with the decision model;
    # cleared whenever the key, the options or the case change.
    decision_override_reason = models.TextField(blank=True)
    # What students are told about the guideline the question follows, and what the model's
    # newest version prefers where it does not back the key (decision.verification
    # .guideline_snapshot), kept from the last save so a changed guideline changes nothing
    # students see until `manage.py guideline_review --refresh` after review.
    guideline_snapshot = models.JSONField(default=dict, blank=True)
    decision_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decision_overrides",
    )

    # The newest revision (django-reversion), kept here so recording an answer can name the
    # revision it was marked against without looking it up.
    current_version = models.ForeignKey(
        Version, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "name"],
                condition=~Q(name=""),
                name="unique_question_name_per_topic",
            ),
        ]
        indexes = [models.Index(fields=["status", "topic"], name="question_status_topic")]
        permissions = [("review_question", "Can review and publish questions")]

    def __str__(self) -> str:
        return self.name or self.lead_in[:60]

    def correct_options(self) -> list[Option]:
        return [option for option in self.options.all() if option.is_correct]

    def is_authored_by(self, user: User) -> bool:
        return self.author_id == user.pk

    def explanation_sections(self) -> list[tuple[str, str, str]]:
        """Return (key, title, Markdown) for each filled explanation section, in teaching order."""
        sections = [
            ("key_point", "Key point", self.key_point),
            ("why_correct", "Why this is the answer", self.why_correct),
            ("high_yield", "High-yield facts", self.high_yield),
            ("mechanism", "Mechanism", self.mechanism),
            ("pearl", "Clinical pearl", self.pearl),
            ("mnemonic", "Mnemonic", self.mnemonic),
            ("evidence", "Evidence base", self.evidence),
        ]
        return [section for section in sections if section[2].strip()]


@reversion.register()
class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    text = models.TextField()
    is_correct = models.BooleanField(default=False)
    why_not = models.TextField(blank=True, help_text="Why this option is wrong (distractors).")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def letter(self) -> str:
        return "ABCDEFGH"[self.position] if self.position < 8 else str(self.position + 1)


class Citation(models.Model):
    """One entry of an ordered reference list (a textbook chapter, a trial, a guideline)."""

    position = models.PositiveSmallIntegerField()
    citation = models.TextField()
    url = models.URLField(max_length=500, blank=True, validators=[validate_web_url])

    class Meta:
        abstract = True
        ordering = ["position"]

    def __str__(self) -> str:
        return self.citation[:80]

    @property
    def web_url(self) -> str:
        """Return the link to show: the address when it is http(s), else nothing."""
        return self.url if is_web_url(self.url) else ""


@reversion.register()
class Reference(Citation):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="references")

    class Meta(Citation.Meta):
        pass


def question_image_path(image: QuestionImage, filename: str) -> str:
    return f"questions/{image.question_id}/{filename}"


@reversion.register()
class QuestionImage(models.Model):
    """An image shown with the vignette (an X-ray, a blood film), with its text alternative."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField(default=0)
    image = models.ImageField(upload_to=question_image_path)
    alt_text = models.CharField(
        max_length=300, help_text="What the image shows, for screen readers and slow links."
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.alt_text


class ReviewEvent(models.Model):
    """One step of a question's review: a submission, a comment, a decision."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for review"
        COMMENTED = "commented", "Commented"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"
        EDITED = "edited", "Edited"
        DECISION_OVERRIDDEN = "decision_overridden", "Key kept against the decision model"
        RETIREMENT_REQUESTED = "retirement_requested", "Retirement requested"
        RETIREMENT_DECLINED = "retirement_declined", "Retirement request declined"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="review_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_events"
    )
    action = models.CharField(max_length=32, choices=Action.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor}"


class RetirementRequestQuerySet(models.QuerySet["RetirementRequest"]):
    def open(self) -> RetirementRequestQuerySet:
        return self.filter(resolved_at__isnull=True)

    def close(self, *, outcome: str, by: User, now: datetime) -> int:
        """Close the open ones among these as retired or declined; return how many."""
        return self.open().update(resolved_at=now, resolved_by=by, outcome=outcome)


class RetirementRequest(models.Model):
    """An instructor asks a question's author (or an admin) to take it out of practice.

    Retiring, like publishing, is a review decision: only the author or an admin retires at
    once; any other instructor asks here, and the request waits in the review queue.
    """

    class Outcome(models.TextChoices):
        OPEN = "", "Open"
        RETIRED = "retired", "Retired"
        DECLINED = "declined", "Declined"

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="retirement_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)

    objects = RetirementRequestQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "requested_by"],
                condition=models.Q(resolved_at__isnull=True),
                name="one_open_retirement_request_per_requester",
            )
        ]

    def __str__(self) -> str:
        return f"Retire question {self.question_id}? asked by {self.requested_by_id}"


class ProblemReportQuerySet(models.QuerySet["ProblemReport"]):
    def unresolved(self) -> ProblemReportQuerySet:
        return self.filter(resolved_at__isnull=True)


class ProblemReport(models.Model):
    """A student's report of a problem with a question, for the instructors' review queue."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="problem_reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problem_reports",
    )
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ProblemReportQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Problem with question {self.question_id}: {self.text[:60]}"


@reversion.register(follow=["references"])
class TopicSummary(models.Model):
    """A topic's evidence summary: sections of short points citing numbered references."""

    topic = models.OneToOneField(Topic, on_delete=models.CASCADE, related_name="summary")
    # [{"heading": "From the guidelines", "points": ["Markdown citing [1]", ...]}, ...]
    sections = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="topic_summaries"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "topic summaries"

    def __str__(self) -> str:
        return f"Evidence summary: {self.topic}"


@reversion.register()
class SummaryReference(Citation):
    summary = models.ForeignKey(TopicSummary, on_delete=models.CASCADE, related_name="references")

    class Meta(Citation.Meta):
        pass

    def __str__(self) -> str:
        return f"[{self.position + 1}] {self.citation[:80]}"


class ItemStatistics(models.Model):
    """Item analysis of one revision of a question, from students' first attempts.

    Written only by `quizbank.statistics.recompute_item_statistics`; responses without a
    recorded revision (answers from before revisions were recorded) are left out.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="statistics")
    # A django-reversion Version of the question is one revision: one row each.
    version = models.OneToOneField(
        Version, on_delete=models.CASCADE, related_name="item_statistics"
    )
    attempts = models.PositiveIntegerField(help_text="Students' first attempts at this revision.")
    facility = models.FloatField(help_text="Share of first attempts answered correctly (0 to 1).")
    discrimination = models.FloatField(
        null=True,
        blank=True,
        help_text="Correlation of the item with the rest of each student's score (-1 to 1).",
    )
    # {option id: share of the first attempts that chose it}; JSON turns the ids into strings.
    option_shares = models.JSONField(default=dict)
    mean_seconds = models.FloatField(help_text="Mean time spent on a first attempt.")
    # Codes of quizbank.statistics.FLAG_TEXT.
    flags = models.JSONField(default=list)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "item statistics"
        ordering = ["-version_id"]

    def __str__(self) -> str:
        return f"Statistics of question {self.question_id}, revision {self.version_id}"
