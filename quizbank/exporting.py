"""Export questions from the bank in any format of quizbank.formats.

An export holds every question the filters match, whatever its status unless `status` narrows
it; a topic filter includes the topic's whole subtree. Questions come in topic order, then by
name, so the same bank always gives the same file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from quizbank import formats
from quizbank.formats.interchange import ExportedTopic, ExportSet, derived_name
from quizbank.importing import find_topic
from quizbank.models import Question, Status, Topic, TopicSummary


class ExportFilterError(ValueError):
    """A topic that does not exist or a status that is not one, named in the message."""


@dataclass
class Export:
    data: str | bytes
    count: int
    # What the format could not hold (Aiken: questions that are not single-best-answer).
    skipped: list[dict[str, str]] = field(default_factory=list)


def export_questions(
    *, fmt: str, topic_path: list[str] | None = None, status: str | None = None
) -> bytes | str:
    """Return the file of every question the filters match, in format `fmt`."""
    return export_bank(fmt=fmt, topic_path=topic_path, status=status).data


def export_bank(
    *, fmt: str, topic_path: list[str] | None = None, status: str | None = None
) -> Export:
    """Export like `export_questions`, also saying how many were written and what was left out."""
    write = formats.writer_for(fmt)
    questions = Question.objects.with_full_content()
    topics = Topic.objects.select_related("summary").prefetch_related("summary__references")
    if topic_path:
        topic = find_topic(topic_path)
        if topic is None:
            raise ExportFilterError(f'There is no topic "{" > ".join(topic_path)}".')
        questions = questions.in_topic(topic)
        topics = topics.filter(path__startswith=topic.path)
    if status:
        if status not in Status.values:
            raise ExportFilterError(
                f'Unknown status "{status}": use one of {", ".join(Status.values)}.'
            )
        questions = questions.filter(status=status)
    selected = list(questions)
    scope = list(topics)
    paths = topic_paths([*scope, *(question.topic for question in selected)])
    selected.sort(
        key=lambda q: (paths[q.topic_id], q.name or derived_name(q.stem, q.lead_in), q.pk)
    )
    exported_topics = []
    for topic in sorted(scope, key=lambda t: paths[t.pk]):
        # A reverse one-to-one that is missing raises an AttributeError subclass.
        summary: TopicSummary | None = getattr(topic, "summary", None)
        if summary is not None and status not in (None, summary.status):
            summary = None
        exported_topics.append(ExportedTopic(path=paths[topic.pk], summary=summary))
    export = ExportSet(questions=selected, topic_paths=paths, topics=exported_topics)
    data = write(export)
    return Export(data=data, count=len(selected) - len(export.skipped), skipped=export.skipped)


def topic_paths(topics: Iterable[Topic]) -> dict[int, list[str]]:
    """Return each topic's names from the root, in one query."""
    topics = list(topics)
    step = Topic.steplen
    prefixes = {t.path[:end] for t in topics for end in range(step, len(t.path) + 1, step)}
    names = dict(Topic.objects.filter(path__in=prefixes).values_list("path", "name"))
    return {
        t.pk: [names[t.path[:end]] for end in range(step, len(t.path) + 1, step)] for t in topics
    }
