"""Import a file of questions into the bank: every item, or nothing at all.

The file is parsed (quizbank.formats), every item is placed in its topic and validated with the
same rules as the editor (quizbank.validation), and only when no item has an error is anything
written, in one transaction. A dry run stops before writing. Re-importing a file updates its
questions in place: a question's stable key is its name within its topic, and an unnamed item is
named from its text (see `derived_name`).

Topics: `topic_path` is where the file goes. Items whose file gives no category land on it; a
category (Moodle's, or a JSON topic) is placed under it, so "Iota/Kappa" imported with
"Hematology" becomes "Hematology > Iota > Kappa" (see `category_path` for Moodle's pseudo-levels).

Status: new items arrive as drafts unless `publish`; with it they arrive published (a JSON item
keeps the status its file gives it, so an exported bank comes back as it was) and must pass the
publication rules. An item that updates an existing question keeps that question's status unless
`publish`. Writes go in bulk (a bank of ten thousand items imports in seconds) with the same
validation as `services.create_question`; no revision is recorded for a draft, and one is
recorded for every item created or changed in any other status (as `services` would).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from audit.log import record
from audit.models import AuditEvent
from learners.models import User
from quizbank import access, formats, services
from quizbank.content import (
    EXPLANATION_FIELDS,
    QuestionContent,
    normalise_option_text,
    normalise_tag,
)
from quizbank.formats.interchange import ParsedItem, ParsedTopic, ParseResult, Where, derived_name
from quizbank.models import (
    Option,
    Question,
    Reference,
    Status,
    SummaryReference,
    Topic,
    TopicSummary,
)
from quizbank.validation import question_errors, validate_summary

NAME_LIMIT = 255
TAG_LIMIT = 64
LEAD_IN_LIMIT = 500
CHUNK = 500
FIELD_LABELS = {
    "stem": "stem",
    "lead_in": "lead-in",
    "topic": "topic",
    "question_type": "type",
    "options": "options",
    "key_point": "key point",
    "why_correct": "why the answer is right",
    "references": "references",
    "sections": "summary",
}
# The columns an import writes; a question whose values are all unchanged is not rewritten.
CONTENT_FIELDS = [
    "topic_id",
    "name",
    "question_type",
    "stem",
    "lead_in",
    "shuffle_options",
    "difficulty",
    "decision_model",
    "decision_case",
    "status",
    *EXPLANATION_FIELDS,
]
QUESTION_FIELDS = [*CONTENT_FIELDS, "published_at", "updated_at"]
OPTION_FIELDS = ["position", "text", "is_correct", "why_not"]
# Statuses in which a question must meet the publication rules.
SHOWN_STATUSES = {Status.PUBLISHED, Status.IN_REVIEW}

TopicKey = tuple[str, ...]


@dataclass
class ImportReport:
    """What an import did (or, as a dry run, would do); with errors, it wrote nothing."""

    created: int = 0
    updated: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)
    errors: list[dict[str, object]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "created": self.created,
            "updated": self.updated,
            "skipped": [dict(entry) for entry in self.skipped],
            "errors": [dict(entry) for entry in self.errors],
        }


def split_topic_path(text: str) -> list[str]:
    """Return the names of a topic path typed as "A > B > C" or "A/B/C"."""
    separator = ">" if ">" in text else "/"
    return [name.strip() for name in text.split(separator) if name.strip()]


def find_topic(path: list[str]) -> Topic | None:
    """Return the topic at `path` (names from the root, in any case), or None; writes nothing."""
    names = _names(path)
    return _Topics().find(names) if names else None


def import_questions(
    *,
    text: str,
    fmt: str,
    by: User,
    topic_path: list[str] | None = None,
    publish: bool = False,
    dry_run: bool = False,
    source: str = "",
) -> ImportReport:
    """Import the questions in `text`, written in format `fmt`: all of them, or none.

    `source` names the file for the audit log (an upload's name, a command's path).
    """
    access.require(access.is_author(by), "Only instructors and admins import questions.")
    # Publishing on import skips the second reviewer, so it is an admin's override, as
    # publishing a draft directly is.
    access.require(
        not publish or access.is_admin(by),
        "Only admins publish on import; import as drafts and submit them for review.",
    )
    parsed = formats.parser_for(fmt)(text)
    run = _Import(parsed, by=by, prefix=_names(topic_path or []), publish=publish, fmt=fmt)
    if dry_run:
        return run.plan()
    with transaction.atomic():
        report = run.plan()
        if not report.errors:
            run.write()
            record(
                actor=by,
                action=AuditEvent.Action.QUESTIONS_IMPORTED,
                target_repr=source or f"{fmt} file",
                details={
                    "source": source,
                    "format": fmt,
                    "topic": " > ".join(_names(topic_path or [])),
                    "published": publish,
                    "created": report.created,
                    "updated": report.updated,
                    "skipped": len(report.skipped),
                },
            )
        return report


def _names(path: Iterable[str]) -> list[str]:
    return [" ".join(name.split()) for name in path if name.strip()]


def _key(path: Sequence[str]) -> TopicKey:
    return tuple(name.casefold() for name in path)


@dataclass
class _Planned:
    content: QuestionContent
    where: Where
    status: str
    existing: Question | None


class _Topics:
    """Topics by path: looked up without writing, created only when the import writes."""

    def __init__(self) -> None:
        self.known: dict[TopicKey, Topic | None] = {}

    def find(self, path: list[str]) -> Topic | None:
        key = _key(path)
        if key not in self.known:
            parent = self.find(path[:-1]) if len(path) > 1 else None
            if len(path) > 1 and parent is None:
                self.known[key] = None
            else:
                tree = Topic.objects
                level = tree.get_children(parent) if parent else tree.get_root_nodes()
                self.known[key] = level.filter(name__iexact=path[-1]).first()
        return self.known[key]

    def ensure(self, path: list[str]) -> Topic:
        topic = self.find(path)
        if topic is None:
            topic = services.ensure_topic(path)
            # Creating a level may renumber its siblings' tree paths, so forget cached nodes.
            self.known = {_key(path): topic}
        return topic


class _Import:
    def __init__(
        self, parsed: ParseResult, *, by: User, prefix: list[str], publish: bool, fmt: str
    ) -> None:
        self.parsed = parsed
        self.by = by
        self.prefix = prefix
        self.publish = publish
        self.fmt = fmt
        self.topics = _Topics()
        self.planned: list[_Planned] = []
        self.saved: list[tuple[Question, _Planned]] = []

    # Planning: read-only --------------------------------------------------------------------

    def plan(self) -> ImportReport:
        """Place and validate every item; count what writing would create and update."""
        report = ImportReport(skipped=list(self.parsed.skipped), errors=list(self.parsed.errors))
        for item in self.parsed.items:
            content = item.content
            content.topic_path = self.prefix + _names(content.topic_path)
            content.name = " ".join(content.name.split()) or derived_name(
                content.stem, content.lead_in
            )
        for topic in self.parsed.topics:
            topic.path = self.prefix + _names(topic.path)
        existing = self._existing(self.parsed.items)
        seen: dict[tuple[TopicKey, str], QuestionContent] = {}
        for item in self.parsed.items:
            content = item.content
            key = (_key(content.topic_path), content.name)
            if key in seen:
                if seen[key] == content:
                    report.skipped.append(
                        {"name": content.name, "reason": "repeats an earlier question in the file"}
                    )
                else:
                    report.errors.append(
                        {
                            **item.where,
                            "message": f'Another question in this file is also named "'
                            f'{content.name}" in this topic; the name is the stable key, '
                            "so rename one.",
                        }
                    )
                continue
            seen[key] = content
            self._plan_item(item, existing.get(key), report)
        for topic in self.parsed.topics:
            self._check_summary(topic, report)
        if report.errors:
            return ImportReport(skipped=report.skipped, errors=report.errors)
        report.created = sum(1 for planned in self.planned if planned.existing is None)
        report.updated = len(self.planned) - report.created
        return report

    def _existing(self, items: list[ParsedItem]) -> dict[tuple[TopicKey, str], Question]:
        """Load the questions the items would update, by (topic, name), in a few queries."""
        wanted: dict[tuple[int, str], TopicKey] = {}
        for item in items:
            path = item.content.topic_path
            topic = self.topics.find(path) if path else None
            if topic is not None:
                wanted[(topic.pk, item.content.name)] = _key(path)
        rows = Question.objects.filter(topic_id__in={topic_id for topic_id, _ in wanted})
        keys = {
            pk: (topic_id, name)
            for pk, topic_id, name in rows.values_list("pk", "topic_id", "name")
        }
        # A question written in the editor may have no name; an export names it from its text
        # (derived_name), so that name finds it again.
        for pk, topic_id, stem, lead_in in rows.filter(name="").values_list(
            "pk", "topic_id", "stem", "lead_in"
        ):
            keys[pk] = (topic_id, derived_name(stem, lead_in))
        pks = [pk for pk, key in keys.items() if key in wanted]
        found = {}
        for ids in _chunks(pks):
            questions = Question.objects.filter(pk__in=ids)
            for question in questions.prefetch_related("options", "references", "tags"):
                topic_id, name = keys[question.pk]
                found[(wanted[(topic_id, name)], name)] = question
        return found

    def _plan_item(self, item: ParsedItem, existing: Question | None, report: ImportReport) -> None:
        content = item.content
        messages = _status_errors(item.status)
        if self.publish and not messages:
            status = item.status or Status.PUBLISHED
        else:
            status = existing.status if existing is not None else Status.DRAFT
        messages += [
            f"{FIELD_LABELS.get(name, name)}: {message}"
            for name, errors in question_errors(
                content, for_publication=status in SHOWN_STATUSES
            ).items()
            for error in errors
            for message in error.messages
        ]
        if len(content.name) > NAME_LIMIT:
            messages.append(f"name: The name is longer than {NAME_LIMIT} characters.")
        if len(content.lead_in.strip()) > LEAD_IN_LIMIT:
            messages.append(f"lead-in: The lead-in is longer than {LEAD_IN_LIMIT} characters.")
        messages += [
            f'tags: The tag "{tag}" is longer than {TAG_LIMIT} characters.'
            for tag in content.tags
            if len(normalise_tag(tag)) > TAG_LIMIT
        ]
        if existing is not None and not access.can_edit(self.by, existing):
            messages.append(
                f"You may not edit the existing {existing.get_status_display().lower()} "
                f'question "{existing.name}" in this topic.'
            )
        report.errors.extend({**item.where, "message": message} for message in messages)
        self.planned.append(_Planned(content, item.where, str(status), existing))

    def _check_summary(self, topic: ParsedTopic, report: ImportReport) -> None:
        report.errors.extend({**topic.where, "message": m} for m in _status_errors(topic.status))
        if topic.summary is None:
            return
        try:
            validate_summary(topic.summary)
        except ValidationError as error:
            report.errors.extend(
                {**topic.where, "message": f"{FIELD_LABELS.get(name, name)}: {message}"}
                for name, messages in error.message_dict.items()
                for message in messages
            )
        node = self.topics.find(topic.path)
        summary = TopicSummary.objects.filter(topic=node).first() if node else None
        if summary is not None and not access.can_edit(self.by, summary):
            report.errors.append(
                {**topic.where, "message": "You may not edit this topic's evidence summary."}
            )

    # Writing --------------------------------------------------------------------------------

    def write(self) -> None:
        """Write every planned item and topic summary (inside the caller's transaction)."""
        now = timezone.now()
        topic_ids: dict[TopicKey, int] = {}
        for planned in self.planned:
            key = _key(planned.content.topic_path)
            if key not in topic_ids:
                topic_ids[key] = self.topics.ensure(planned.content.topic_path).pk
        created: list[Question] = []
        updated: list[Question] = []
        for planned in self.planned:
            question = planned.existing or Question(author=self.by)
            before = _values(question, CONTENT_FIELDS)
            _fill(question, planned, topic_id=topic_ids[_key(planned.content.topic_path)], now=now)
            if planned.existing is None:
                created.append(question)
            elif _values(question, CONTENT_FIELDS) != before:
                updated.append(question)
            self.saved.append((question, planned))
        Question.objects.bulk_create(created)
        _update_rows(Question, updated, QUESTION_FIELDS)
        changed = {question.pk for question in created + updated}
        changed |= self._write_options()
        changed |= self._write_references()
        changed |= self._write_tags()
        for topic in self.parsed.topics:
            self._write_topic(topic, now=now)
        # Linked items changed here, and those never given a guideline snapshot (saved before
        # snapshots existed): students saw no note on those, so filling it changes nothing seen.
        linked = [
            q.pk
            for q, _ in self.saved
            if q.decision_model and (q.pk in changed or not q.guideline_snapshot)
        ]
        for ids in _chunks(linked):
            for question in Question.objects.filter(pk__in=ids).prefetch_related("options"):
                services.refresh_guideline_snapshot(question)
        # Like services.update_question: a revision for each saved change, none for drafts.
        shown = [q.pk for q, planned in self.saved if planned.status != Status.DRAFT]
        for ids in _chunks([pk for pk in shown if pk in changed]):
            for question in Question.objects.filter(pk__in=ids):
                services.record_revision(question, by=self.by, comment=f"Imported ({self.fmt})")

    def _write_options(self) -> set[int]:
        """Write each item's options; return the ids of the questions whose options changed.

        An option whose text stays keeps its id, which responses refer to.
        """
        changed: set[int] = set()
        kept: list[Option] = []
        new: list[Option] = []
        removed: list[int] = []
        for question, planned in self.saved:
            old = {}
            if planned.existing:
                old = {normalise_option_text(o.text): o for o in question.options.all()}
            for position, content in enumerate(planned.content.options):
                option = old.pop(normalise_option_text(content.text), None) if old else None
                values = {
                    "position": position,
                    "text": content.text.strip(),
                    "is_correct": content.is_correct,
                    "why_not": "" if content.is_correct else content.why_not.strip(),
                }
                if option is None:
                    new.append(Option(question_id=question.pk, **values))
                    changed.add(question.pk)
                elif _values(option, OPTION_FIELDS) != tuple(values.values()):
                    for name, value in values.items():
                        setattr(option, name, value)
                    kept.append(option)
                    changed.add(question.pk)
            if old:
                removed.extend(option.pk for option in old.values())
                changed.add(question.pk)
        for ids in _chunks(removed):
            Option.objects.filter(pk__in=ids).delete()
        _update_rows(Option, kept, OPTION_FIELDS)
        Option.objects.bulk_create(new)
        return changed

    def _write_references(self) -> set[int]:
        """Replace the references of each item whose list changed; return those items' ids."""
        changed: dict[int, list[tuple[str, str]]] = {}
        for question, planned in self.saved:
            wanted = [(r.citation.strip(), r.url.strip()) for r in planned.content.references]
            if planned.existing is None:
                if wanted:
                    changed[question.pk] = wanted
            elif [(r.citation, r.url) for r in question.references.all()] != wanted:
                changed[question.pk] = wanted
        for ids in _chunks(list(changed)):
            Reference.objects.filter(question_id__in=ids).delete()
        Reference.objects.bulk_create(
            Reference(question_id=pk, position=i, citation=citation, url=url)
            for pk, references in changed.items()
            for i, (citation, url) in enumerate(references)
        )
        return set(changed)

    def _write_tags(self) -> set[int]:
        """Set the tags of each item whose tags changed; return those items' ids."""
        changed: dict[int, set[str]] = {}
        for question, planned in self.saved:
            wanted = {normalise_tag(tag) for tag in planned.content.tags if tag.strip()}
            if planned.existing is None:
                if wanted:
                    changed[question.pk] = wanted
            elif {tag.name for tag in question.tags.all()} != wanted:
                changed[question.pk] = wanted
        names = {name for wanted in changed.values() for name in wanted}
        tags = {tag.name: tag.pk for tag in services.ensure_tags(names)} if names else {}
        through = Question.tags.through
        for ids in _chunks(list(changed)):
            through.objects.filter(question_id__in=ids).delete()
        through.objects.bulk_create(
            through(question_id=pk, tag_id=tags[name])
            for pk, wanted in changed.items()
            for name in sorted(wanted)
        )
        return set(changed)

    def _write_topic(self, parsed: ParsedTopic, *, now: datetime) -> None:
        topic = self.topics.ensure(parsed.path)
        if parsed.summary is None:
            return
        summary = TopicSummary.objects.filter(topic=topic).first()
        sections = [
            {"heading": s.heading.strip(), "points": [p.strip() for p in s.points]}
            for s in parsed.summary.sections
        ]
        references = [(r.citation, r.url) for r in parsed.summary.references]
        status = (parsed.status or Status.PUBLISHED) if self.publish else None
        if summary is None:
            summary = TopicSummary(topic=topic, author=self.by)
        elif (
            summary.sections == sections
            and status in (None, summary.status)
            and [(r.citation, r.url) for r in summary.references.all()] == references
        ):
            # Unchanged: no write and no new revision, as for questions.
            return
        if status is not None:
            summary.status = status
        if summary.status == Status.PUBLISHED and summary.published_at is None:
            summary.published_at = now
        summary.sections = sections
        summary.save()
        summary.references.all().delete()
        SummaryReference.objects.bulk_create(
            SummaryReference(summary=summary, position=i, citation=citation, url=url)
            for i, (citation, url) in enumerate(references)
        )
        if summary.status != Status.DRAFT:
            services.record_revision(summary, by=self.by, comment=f"Imported ({self.fmt})")


def _update_rows(model: type[Question] | type[Option], rows: list[Any], fields: list[str]) -> None:
    """Save the columns `fields` (attribute names) of each row with one executemany UPDATE.

    QuerySet.bulk_update builds a CASE with a branch per row for every column, which costs
    Django about five milliseconds a row: re-importing a changed bank of ten thousand items took
    minutes. Values are prepared by each field exactly as save() prepares them.
    """
    if not rows:
        return
    meta = model._meta
    by_attname = {column.attname: column for column in meta.concrete_fields}
    columns = [by_attname[name] for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns)
    # Identifiers come from the model's own metadata; every value is a query parameter.
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    params = [
        [column.get_db_prep_save(getattr(row, column.attname), connection) for column in columns]
        + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _values(row: Question | Option, fields: list[str]) -> tuple[object, ...]:
    return tuple(getattr(row, name) for name in fields)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    """Yield the ids a few hundred at a time: databases limit the parameters of one query."""
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _status_errors(status: str | None) -> list[str]:
    if status is None or status in Status.values:
        return []
    return [f'status: "{status}" is not a status; use one of {", ".join(Status.values)}.']


def _fill(question: Question, planned: _Planned, *, topic_id: int, now: datetime) -> None:
    """Set the question's fields from the planned item (not saved here)."""
    question.topic_id = topic_id
    services.set_content_fields(question, planned.content)
    question.status = planned.status
    if planned.status == Status.PUBLISHED and question.published_at is None:
        question.published_at = now
    question.updated_at = now
