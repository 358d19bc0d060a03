"""Workflows of the question bank, shared by the authoring pages, the API, imports and the admin.

Every save validates (quizbank.validation), checks who may act (quizbank.access), records a
revision with django-reversion (who, when, what changed) and logs the review step. Revisions
group a question with its options and references, so a response can point at exactly what the
student saw.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import Any

import reversion
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from reversion.models import Version

from audit.log import record
from audit.models import AuditEvent
from decision.verification import check_question, guideline_snapshot
from learners.models import User
from quizbank import access
from quizbank.content import (
    EXPLANATION_FIELDS,
    OptionContent,
    QuestionContent,
    ReferenceContent,
    SummaryContent,
    SummarySection,
    normalise_tag,
)
from quizbank.images import validate_image
from quizbank.models import (
    Option,
    Question,
    QuestionImage,
    Reference,
    RetirementRequest,
    ReviewEvent,
    Status,
    SummaryReference,
    Tag,
    Topic,
    TopicSummary,
)
from quizbank.validation import validate_question, validate_summary


class WorkflowError(Exception):
    """A status change that the workflow does not allow from the current state."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# Topics ---------------------------------------------------------------------------------------


def ensure_topic(path: list[str]) -> Topic:
    """Return the topic at `path` (names from the root), creating missing levels."""
    names = [name.strip() for name in path if name.strip()]
    if not names:
        raise ValidationError({"topic": ["Choose a topic."]})
    root_name, *child_names = names
    tree = Topic.objects
    node = tree.get_root_nodes().filter(name__iexact=root_name).first()
    if node is None:
        node = tree.add_root({"name": root_name})
    for name in child_names:
        child = tree.get_children(node).filter(name__iexact=name).first()
        node = child if child is not None else tree.add_child(node, {"name": name})
    topic: Topic = node
    return topic


# Questions ------------------------------------------------------------------------------------


def question_content(question: Question, *, topic_path: list[str] | None = None) -> QuestionContent:
    """Return the editable content of a saved question (give `topic_path` to save a query)."""
    return QuestionContent(
        topic_path=topic_path if topic_path is not None else question.topic.names(),
        stem=question.stem,
        lead_in=question.lead_in,
        options=[
            OptionContent(text=o.text, is_correct=o.is_correct, why_not=o.why_not, id=o.pk)
            for o in question.options.all()
        ],
        question_type=question.question_type,
        name=question.name,
        shuffle_options=question.shuffle_options,
        explanation={key: getattr(question, key) for key in EXPLANATION_FIELDS},
        references=[
            ReferenceContent(citation=r.citation, url=r.url) for r in question.references.all()
        ],
        tags=sorted(tag.name for tag in question.tags.all()),
        difficulty=question.difficulty,
        decision_model=question.decision_model,
        decision_case=question.decision_case,
    )


@transaction.atomic
def create_question(
    *, content: QuestionContent, by: User, status: str = Status.DRAFT, comment: str = ""
) -> Question:
    """Save a new question; it starts as a draft unless an import or admin says otherwise."""
    access.require(access.is_author(by), "Only instructors and admins author questions.")
    validate_question(content, for_publication=status == Status.PUBLISHED)
    question = Question(author=by, status=status)
    if status == Status.PUBLISHED:
        question.published_at = timezone.now()
    _write(question, content)
    record_revision(question, by=by, comment=comment or "Created")
    return question


@transaction.atomic
def update_question(
    *, question: Question, content: QuestionContent, by: User, comment: str = ""
) -> Question:
    """Save new content for `question`; a published question gets a new revision at once."""
    access.require(access.can_edit(by, question), "You may not edit this question.")
    validate_question(content, for_publication=question.status == Status.PUBLISHED)
    changed = changed_fields(question_content(question), content)
    if not changed:
        return question
    if question.decision_override_reason and {"options", "decision case", "decision model"} & set(
        changed
    ):
        # The override spoke about the old key and case; a changed one must be reviewed again.
        question.decision_override_reason = ""
        question.decision_override_by = None
    _write(question, content)
    record_revision(question, by=by, comment=comment or "Changed " + ", ".join(changed))
    ReviewEvent.objects.create(
        question=question,
        actor=by,
        action=ReviewEvent.Action.EDITED,
        comment="Changed " + ", ".join(changed),
    )
    return question


def record_revision(item: Question | TopicSummary, *, by: User, comment: str) -> None:
    """Record the item as it now is, with its options and references, as one revision."""
    # Added after every write, not around it: django-reversion follows the relations when the
    # object is added, and options and references are rewritten after the question row.
    with reversion.create_revision():
        reversion.add_to_revision(item)
        reversion.set_user(by)
        reversion.set_comment(comment)
    if isinstance(item, Question):
        item.current_version = Version.objects.get_for_object(item).first()
        Question.objects.filter(pk=item.pk).update(current_version=item.current_version)


def set_content_fields(question: Question, content: QuestionContent) -> None:
    """Copy the content's own fields onto `question`, unsaved (not its topic or related rows)."""
    question.name = content.name.strip()
    question.question_type = content.question_type
    question.stem = content.stem.strip()
    question.lead_in = content.lead_in.strip()
    question.shuffle_options = content.shuffle_options
    question.difficulty = content.difficulty
    question.decision_model = content.decision_model
    question.decision_case = content.decision_case
    for key in EXPLANATION_FIELDS:
        setattr(question, key, content.explanation_text(key).strip())


def _write(question: Question, content: QuestionContent) -> None:
    """Store `content` on `question` (saved), replacing options, references and tags."""
    question.topic = ensure_topic(content.topic_path)
    set_content_fields(question, content)
    question.save()
    _write_options(question, content.options)
    question.references.all().delete()
    Reference.objects.bulk_create(
        Reference(question=question, position=i, citation=r.citation.strip(), url=r.url.strip())
        for i, r in enumerate(content.references)
    )
    question.tags.set(ensure_tags(content.tags))
    refresh_guideline_snapshot(question)


def refresh_guideline_snapshot(question: Question) -> bool:
    """Store what students are told about the guideline the question follows (saved); return
    whether it changed."""
    snapshot = guideline_snapshot(question)
    if snapshot == question.guideline_snapshot:
        return False
    question.guideline_snapshot = snapshot
    Question.objects.filter(pk=question.pk).update(guideline_snapshot=snapshot)
    return True


def _write_options(question: Question, options: list[OptionContent]) -> None:
    """Keep the ids of options that stay (responses refer to them), in the new order."""
    existing = {option.pk: option for option in question.options.all()}
    kept, new = [], []
    for position, content in enumerate(options):
        option = existing.get(content.id) if content.id is not None else None
        if option is None:
            option = Option(question=question)
            new.append(option)
        else:
            kept.append(option)
        option.position = position
        option.text = content.text.strip()
        option.is_correct = content.is_correct
        option.why_not = "" if content.is_correct else content.why_not.strip()
    Option.objects.filter(question=question).exclude(pk__in=[o.pk for o in kept]).delete()
    Option.objects.bulk_update(kept, ["position", "text", "is_correct", "why_not"])
    Option.objects.bulk_create(new)


def ensure_tags(names: Iterable[str]) -> list[Tag]:
    wanted = sorted({normalise_tag(name) for name in names if name.strip()})
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=wanted)}
    missing = [Tag(name=name) for name in wanted if name not in existing]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    return list(Tag.objects.filter(name__in=wanted))


def changed_fields(before: QuestionContent, after: QuestionContent) -> list[str]:
    """Name what an edit changed, for the revision history."""
    labels = {
        "topic_path": "topic",
        "stem": "stem",
        "lead_in": "lead-in",
        "question_type": "type",
        "name": "name",
        "shuffle_options": "option shuffling",
        "difficulty": "difficulty",
        "decision_model": "decision model",
        "decision_case": "decision case",
        "tags": "tags",
    }
    changed = [
        label
        for attr, label in labels.items()
        if _normalised(getattr(before, attr)) != _normalised(getattr(after, attr))
    ]
    for key in EXPLANATION_FIELDS:
        if before.explanation_text(key).strip() != after.explanation_text(key).strip():
            changed.append(key.replace("_", " "))
    if [(o.text.strip(), o.is_correct, o.why_not.strip()) for o in before.options] != [
        (o.text.strip(), o.is_correct, "" if o.is_correct else o.why_not.strip())
        for o in after.options
    ]:
        changed.append("options")
    if [(r.citation.strip(), r.url.strip()) for r in before.references] != [
        (r.citation.strip(), r.url.strip()) for r in after.references
    ]:
        changed.append("references")
    return changed


def _normalised(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return sorted(normalise_tag(v) if isinstance(v, str) else v for v in value)
    return value


# The review workflow --------------------------------------------------------------------------


def _transition(
    item: Question,
    *,
    by: User,
    to: str,
    allowed_from: AbstractSet[str],
    action: str,
    comment: str,
) -> None:
    # Repeating a step (a double click, a retried request) changes nothing and is not an error.
    if item.status == to:
        return
    if item.status not in allowed_from:
        raise WorkflowError(
            f"A {item.get_status_display().lower()} question cannot be "
            f"{ReviewEvent.Action(action).label.lower()}.",
            code="invalid_transition",
        )
    item.status = to
    update = ["status", "updated_at"]
    if to == Status.PUBLISHED:
        item.published_at = timezone.now()
        update.append("published_at")
    item.save(update_fields=update)
    label = ReviewEvent.Action(action).label
    record_revision(item, by=by, comment=f"{label}: {comment}" if comment else label)
    ReviewEvent.objects.create(question=item, actor=by, action=action, comment=comment)


def publishable_from(by: User) -> set[str]:
    # Admins may override the review step and publish a draft directly.
    return {Status.IN_REVIEW, Status.DRAFT} if access.is_admin(by) else {Status.IN_REVIEW}


def question_actions(*, question: Question, by: User) -> set[str]:
    """Name the steps `by` may take on `question` now, by the rules the steps enforce."""
    actions: set[str] = set()
    if access.is_author(by):
        actions.add("comment")
    if access.can_edit(by, question):
        actions.add("edit")
    if question.status == Status.DRAFT and access.may_submit(by, question):
        actions.add("submit")
    if question.status == Status.IN_REVIEW and access.can_review(by, question):
        actions.add("request_changes")
    if question.status in publishable_from(by) and access.may_publish(by, question):
        actions.add("publish")
    if question.status == Status.PUBLISHED and access.may_retire(by, question):
        actions.add("retire")
    elif question.status == Status.PUBLISHED and access.is_author(by):
        actions.add("request_retirement")
    return actions


@transaction.atomic
def submit_for_review(*, question: Question, by: User, comment: str = "") -> None:
    """Send a draft to the review queue (its author or an admin)."""
    access.require(
        access.may_submit(by, question), "Only the author submits a question for review."
    )
    validate_question(question_content(question), for_publication=True)
    _transition(
        question,
        by=by,
        to=Status.IN_REVIEW,
        allowed_from={Status.DRAFT},
        action=ReviewEvent.Action.SUBMITTED,
        comment=comment,
    )


@transaction.atomic
def request_changes(*, question: Question, by: User, comment: str) -> None:
    """Return a question in review to its author as a draft, saying what to change."""
    access.require(access.can_review(by, question), "Another instructor reviews this question.")
    if not comment.strip():
        raise ValidationError({"comment": ["Say what should change."]})
    _transition(
        question,
        by=by,
        to=Status.DRAFT,
        allowed_from={Status.IN_REVIEW},
        action=ReviewEvent.Action.CHANGES_REQUESTED,
        comment=comment,
    )


@transaction.atomic
def publish_question(*, question: Question, by: User, comment: str = "") -> None:
    """Publish a question in review; a reviewer other than the author, or an admin, decides."""
    access.require(
        access.may_publish(by, question),
        "A reviewer other than the author publishes a question."
        if question.is_authored_by(by)
        else "Only reviewers publish questions.",
    )
    allowed = publishable_from(by)
    was = question.status
    without_reviewer = access.is_admin(by) and (
        question.is_authored_by(by) or question.status == Status.DRAFT
    )
    if without_reviewer:
        comment = comment or "Published by an admin without a second reviewer."
    validate_question(question_content(question), for_publication=True)
    if question.status != Status.PUBLISHED:
        _require_agreement_with_decision_model(question)
    _transition(
        question,
        by=by,
        to=Status.PUBLISHED,
        allowed_from=allowed,
        action=ReviewEvent.Action.PUBLISHED,
        comment=comment,
    )
    if was != Status.PUBLISHED:
        record(
            actor=by,
            action=AuditEvent.Action.QUESTION_PUBLISHED,
            target=question,
            details={
                "from_status": was,
                "comment": comment,
                "without_second_reviewer": without_reviewer,
                "decision_model_overridden": bool(question.decision_override_reason),
            },
        )


@transaction.atomic
def retire_question(*, question: Question, by: User, comment: str = "") -> None:
    """Take a published question out of practice; its responses and history stay.

    Only its author or an admin does; the open requests to retire it close as retired.
    """
    access.require(
        access.may_retire(by, question),
        "Only the question's author or an admin retires it; ask them with a retirement request.",
    )
    was = question.status
    _transition(
        question,
        by=by,
        to=Status.RETIRED,
        allowed_from={Status.PUBLISHED},
        action=ReviewEvent.Action.RETIRED,
        comment=comment,
    )
    if was != Status.RETIRED:
        question.retirement_requests.close(
            outcome=RetirementRequest.Outcome.RETIRED, by=by, now=timezone.now()
        )
        record(
            actor=by,
            action=AuditEvent.Action.QUESTION_RETIRED,
            target=question,
            details={"comment": comment},
        )


@transaction.atomic
def comment_on_question(*, question: Question, by: User, comment: str) -> ReviewEvent:
    access.require(access.is_author(by), "Only instructors and admins comment on questions.")
    if not comment.strip():
        raise ValidationError({"comment": ["The comment is empty."]})
    return ReviewEvent.objects.create(
        question=question, actor=by, action=ReviewEvent.Action.COMMENTED, comment=comment.strip()
    )


@transaction.atomic
def add_question_image(
    *, question: Question, upload: UploadedFile, alt_text: str, by: User
) -> QuestionImage:
    """Attach a validated image to the vignette, as a new revision of the question."""
    access.require(access.can_edit(by, question), "You may not edit this question.")
    validate_image(upload, size=upload.size or 0, alt_text=alt_text)
    image = QuestionImage.objects.create(
        question=question,
        position=question.images.count(),
        image=upload,
        alt_text=alt_text.strip(),
    )
    record_revision(question, by=by, comment="Added an image")
    return image


@transaction.atomic
def remove_question_image(*, image: QuestionImage, by: User) -> None:
    question = image.question
    access.require(access.can_edit(by, question), "You may not edit this question.")
    image.delete()
    record_revision(question, by=by, comment="Removed an image")


def _require_agreement_with_decision_model(question: Question) -> None:
    """Refuse to publish a key the decision model disagrees with, unless a reviewer overrode."""
    check = check_question(question)
    if check is None:
        return
    if check.error:
        raise ValidationError({"decision_case": [check.error]})
    preferred = check.engine_answer
    if preferred is not None and check.disagrees and not question.decision_override_reason:
        keyed = ", ".join(option.letter for option in check.keyed)
        raise WorkflowError(
            f"The key ({keyed}) disagrees with the decision model, which prefers "
            f"{preferred.letter}. Change the key, or a reviewer records why it stands.",
            code="key_disagrees_with_model",
        )


@transaction.atomic
def override_decision_model(*, question: Question, by: User, reason: str) -> None:
    """Record a reviewer's written reason to keep a key that the decision model disagrees with."""
    access.require(
        access.may_publish(by, question),
        "A reviewer other than the author records why the key stands.",
    )
    if not reason.strip():
        raise ValidationError({"reason": ["Write why the authored key stands."]})
    question.decision_override_reason = reason.strip()
    question.decision_override_by = by
    question.save(update_fields=["decision_override_reason", "decision_override_by", "updated_at"])
    ReviewEvent.objects.create(
        question=question,
        actor=by,
        action=ReviewEvent.Action.DECISION_OVERRIDDEN,
        comment=reason.strip(),
    )
    record_revision(question, by=by, comment=f"Key kept against the decision model: {reason}")


@transaction.atomic
def fill_from_decision_model(*, question: Question, by: User) -> list[str]:
    """Fill the empty explanations from the decision model; return what was filled."""
    check = check_question(question)
    if check is None or check.error:
        raise ValidationError(
            {"decision_case": [check.error if check else "The question has no decision model."]}
        )
    content = question_content(question)
    filled: list[str] = []
    by_pk = check.verdict_by_option
    for letter, option in zip("ABCDEFGH", content.options, strict=False):
        verdict = by_pk.get(option.id or 0)
        if verdict and not option.is_correct and not option.why_not.strip():
            option.why_not = verdict.explanation
            filled.append(f"why not {letter}")
    engine = check.output
    preferred = check.verdict_by_option.get(check.engine_answer.pk) if check.engine_answer else None
    sources = {
        "key_point": engine.get("key_point", ""),
        "why_correct": preferred.explanation if preferred else "",
        "pearl": engine.get("pearl", ""),
        "mechanism": engine.get("mechanism", ""),
    }
    for key, text in sources.items():
        if text and not content.explanation_text(key).strip():
            content.explanation[key] = text
            filled.append(key.replace("_", " "))
    if filled:
        update_question(
            question=question,
            content=content,
            by=by,
            comment="Filled from the decision model: " + ", ".join(filled),
        )
    return filled


def question_history(question: Question) -> list[Version]:
    """Return the question's revisions, newest first, each with its user and comment."""
    return list(Version.objects.get_for_object(question).select_related("revision__user"))


# Topic evidence summaries ---------------------------------------------------------------------


def summary_content(summary: TopicSummary) -> SummaryContent:
    return SummaryContent(
        sections=[
            SummarySection(heading=s["heading"], points=list(s["points"])) for s in summary.sections
        ],
        references=[
            ReferenceContent(citation=r.citation, url=r.url) for r in summary.references.all()
        ],
    )


def _stripped(content: SummaryContent) -> SummaryContent:
    return SummaryContent(
        sections=[
            SummarySection(s.heading.strip(), [p.strip() for p in s.points])
            for s in content.sections
        ],
        references=[
            ReferenceContent(r.citation.strip(), r.url.strip()) for r in content.references
        ],
    )


@transaction.atomic
def save_topic_summary(
    *, topic: Topic, content: SummaryContent, by: User, status: str | None = None
) -> TopicSummary:
    """Create or update a topic's evidence summary, with a revision."""
    validate_summary(content)
    summary = TopicSummary.objects.filter(topic=topic).first()
    if summary is None:
        access.require(access.is_author(by), "Only instructors and admins write summaries.")
        summary = TopicSummary(topic=topic, author=by)
    else:
        access.require(access.can_edit(by, summary), "You may not edit this evidence summary.")
        if status in (None, summary.status) and summary_content(summary) == _stripped(content):
            return summary
    if status is not None:
        summary.status = status
        if status == Status.PUBLISHED and summary.published_at is None:
            summary.published_at = timezone.now()
    summary.sections = [
        {"heading": s.heading.strip(), "points": [p.strip() for p in s.points]}
        for s in content.sections
    ]
    summary.save()
    summary.references.all().delete()
    SummaryReference.objects.bulk_create(
        SummaryReference(summary=summary, position=i, citation=r.citation, url=r.url)
        for i, r in enumerate(_stripped(content).references)
    )
    record_revision(summary, by=by, comment="Saved evidence summary")
    return summary


# Each status a summary can leave, with the moves out of it and their button labels.
SUMMARY_MOVES: dict[str, list[tuple[str, str]]] = {
    Status.DRAFT: [
        (Status.IN_REVIEW, "Submit for review"),
        (Status.PUBLISHED, "Publish without review"),
    ],
    Status.IN_REVIEW: [(Status.PUBLISHED, "Publish"), (Status.DRAFT, "Return to draft")],
    Status.PUBLISHED: [(Status.RETIRED, "Retire")],
    Status.RETIRED: [],
}


def _may_move_summary(summary: TopicSummary, *, by: User, to: str) -> bool:
    if to == Status.IN_REVIEW:
        return summary.author_id == by.pk or access.is_admin(by)
    if to == Status.PUBLISHED and summary.status == Status.DRAFT:
        # Publishing without a second reviewer is an admin's override.
        return access.is_admin(by)
    return access.can_review(by, summary)


def summary_moves(*, summary: TopicSummary, by: User) -> list[tuple[str, str]]:
    """Return the (status, label) moves `by` may make on `summary` now."""
    return [
        (to, label)
        for to, label in SUMMARY_MOVES[summary.status]
        if _may_move_summary(summary, by=by, to=to)
    ]


@transaction.atomic
def change_summary_status(*, summary: TopicSummary, by: User, to: str) -> None:
    """Move a summary through the same workflow as questions (submit, publish, retire)."""
    if to not in Status.values:
        raise WorkflowError(f'Unknown status "{to}".', code="unknown_status")
    if summary.status == to:
        return
    if to not in dict(SUMMARY_MOVES[summary.status]):
        raise WorkflowError(
            f"A {summary.get_status_display().lower()} summary cannot become "
            f"{Status(to).label.lower()}.",
            code="invalid_transition",
        )
    access.require(
        _may_move_summary(summary, by=by, to=to),
        "You may not make this change to the evidence summary.",
    )
    summary.status = to
    fields = ["status", "updated_at"]
    if to == Status.PUBLISHED:
        summary.published_at = timezone.now()
        fields.append("published_at")
    summary.save(update_fields=fields)
    record_revision(summary, by=by, comment=f"Status: {Status(to).label}")
