"""The platform's own JSON format (docs/question-format.md): lossless, both ways.

Everything a question holds travels: explanation sections, references, tags, difficulty, the
decision case, and each topic's evidence summary. Export, import into an empty bank and export
again gives the same file.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from quizbank.content import (
    EXPLANATION_FIELDS,
    OptionContent,
    QuestionContent,
    ReferenceContent,
    SummaryContent,
    SummarySection,
)
from quizbank.formats.interchange import ExportSet, ParsedItem, ParsedTopic, ParseResult, Where

if TYPE_CHECKING:
    from quizbank.models import TopicSummary

FORMAT = "mcq-practice"
VERSION = 1


class _Invalid(ValueError):
    """A field has the wrong shape; the message names it."""


def _text(obj: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = obj.get(key)
    if value is None:
        if required:
            raise _Invalid(f'"{key}" is missing.')
        return ""
    if not isinstance(value, str):
        raise _Invalid(f'"{key}" must be text.')
    return value


def _object(value: Any, label: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Invalid(f"{label} must be an object.")
    return value


def _list(obj: dict[str, Any], key: str, *, required: bool = False) -> list[Any]:
    value = obj.get(key)
    if value is None:
        if required:
            raise _Invalid(f'"{key}" is missing.')
        return []
    if not isinstance(value, list):
        raise _Invalid(f'"{key}" must be a list.')
    return value


def _path(value: Any, label: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise _Invalid(f"{label} must be a list of topic names from the root.")
    if not 1 <= len(value) <= 5:
        raise _Invalid(f"{label} has {len(value)} levels; a topic path has 1 to 5.")
    return list(value)


def _status(obj: dict[str, Any]) -> str | None:
    # Whether the status is one the bank knows is checked by the importer, with the rest.
    return _text(obj, "status") or None


def _references(obj: dict[str, Any]) -> list[ReferenceContent]:
    references = []
    for number, value in enumerate(_list(obj, "references"), 1):
        reference = _object(value, f"Reference {number}")
        references.append(
            ReferenceContent(citation=_text(reference, "citation"), url=_text(reference, "url"))
        )
    return references


def parse(text: str) -> ParseResult:
    """Read a file in the platform's JSON format."""
    result = ParseResult()
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as error:
        result.error(
            {"line": error.lineno},
            f"The file is not valid JSON: {error.msg} (column {error.colno}).",
        )
        return result
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        result.error({"line": 1}, f'This is not a question file: "format" must be "{FORMAT}".')
        return result
    if data.get("version") != VERSION:
        result.error({"line": 1}, f"Unknown version {data.get('version')!r}: this reads {VERSION}.")
        return result
    for section, read in (("topics", _read_topic), ("questions", _read_question)):
        values = data.get(section, [])
        if not isinstance(values, list):
            result.error({"line": 1}, f'"{section}" must be a list.')
            continue
        for index, value in enumerate(values, 1):
            name = value.get("name") if isinstance(value, dict) else None
            where: Where = {"question": name if isinstance(name, str) and name else index}
            if section == "topics":
                where = {"question": f"topic {index}"}
            try:
                read(value, where, result)
            except _Invalid as error:
                result.error(where, str(error))
    return result


def _read_topic(value: Any, where: Where, result: ParseResult) -> None:
    topic = _object(value, "A topic")
    path = _path(topic.get("path"), '"path"')
    where["question"] = "topic " + " > ".join(path)
    summary = None
    status = None
    if topic.get("summary") is not None:
        data = _object(topic["summary"], '"summary"')
        status = _status(data)
        sections = []
        for number, section_value in enumerate(_list(data, "sections", required=True), 1):
            section = _object(section_value, f"Section {number}")
            points = _list(section, "points", required=True)
            if not all(isinstance(point, str) for point in points):
                raise _Invalid(f"The points of section {number} must be text.")
            sections.append(SummarySection(heading=_text(section, "heading"), points=points))
        summary = SummaryContent(sections=sections, references=_references(data))
    result.topics.append(ParsedTopic(path=path, where=where, summary=summary, status=status))


def _read_question(value: Any, where: Where, result: ParseResult) -> None:
    question = _object(value, "A question")
    options = []
    for number, option_value in enumerate(_list(question, "options", required=True), 1):
        option = _object(option_value, f"Option {number}")
        is_correct = option.get("is_correct", False)
        if not isinstance(is_correct, bool):
            raise _Invalid(f'"is_correct" of option {number} must be true or false.')
        options.append(
            OptionContent(
                text=_text(option, "text"), is_correct=is_correct, why_not=_text(option, "why_not")
            )
        )
    explanation_value = question.get("explanation") or {}
    explanation = _object(explanation_value, '"explanation"')
    unknown = sorted(set(explanation) - set(EXPLANATION_FIELDS))
    if unknown:
        raise _Invalid(f'"explanation" has unknown sections: {", ".join(unknown)}.')
    tags = _list(question, "tags")
    if not all(isinstance(tag, str) for tag in tags):
        raise _Invalid('"tags" must be a list of text.')
    difficulty = question.get("difficulty", 0.0)
    if isinstance(difficulty, bool) or not isinstance(difficulty, int | float):
        raise _Invalid('"difficulty" must be a number.')
    shuffle = question.get("shuffle_options", True)
    if not isinstance(shuffle, bool):
        raise _Invalid('"shuffle_options" must be true or false.')
    decision_model, decision_case = "", None
    if question.get("decision") is not None:
        decision = _object(question["decision"], '"decision"')
        decision_model = _text(decision, "model")
        case = decision.get("case")
        decision_case = None if case is None else _object(case, '"decision"."case"')
    topic = question.get("topic")
    content = QuestionContent(
        topic_path=[] if topic is None else _path(topic, '"topic"'),
        stem=_text(question, "stem"),
        lead_in=_text(question, "lead_in"),
        options=options,
        question_type=_text(question, "type") or "single",
        name=_text(question, "name", required=True),
        shuffle_options=shuffle,
        explanation={key: _text(explanation, key) for key in EXPLANATION_FIELDS},
        references=_references(question),
        tags=tags,
        difficulty=float(difficulty),
        decision_model=decision_model,
        decision_case=decision_case,
    )
    result.items.append(ParsedItem(content=content, where=where, status=_status(question)))


# Writing ----------------------------------------------------------------------------------------


def _summary(summary: TopicSummary) -> dict[str, Any]:
    return {
        "status": summary.status,
        "sections": [
            {"heading": section["heading"], "points": list(section["points"])}
            for section in summary.sections
        ],
        "references": [{"citation": r.citation, "url": r.url} for r in summary.references.all()],
    }


def write(export: ExportSet) -> str:
    """Write the topics (with their evidence summaries) and the questions."""
    topics: list[dict[str, Any]] = []
    for topic in export.topics:
        entry: dict[str, Any] = {"path": topic.path}
        if topic.summary is not None:
            entry["summary"] = _summary(topic.summary)
        topics.append(entry)
    questions = []
    for question in export.questions:
        content = export.content(question)
        entry = {
            "name": content.name,
            "topic": content.topic_path,
            "type": content.question_type,
            "status": question.status,
            "stem": content.stem,
            "lead_in": content.lead_in,
            "shuffle_options": content.shuffle_options,
            "options": [
                {"text": o.text, "is_correct": o.is_correct, "why_not": o.why_not}
                for o in content.options
            ],
            "explanation": {key: content.explanation_text(key) for key in EXPLANATION_FIELDS},
            "references": [{"citation": r.citation, "url": r.url} for r in content.references],
            "tags": content.tags,
            "difficulty": content.difficulty,
        }
        if content.decision_model or content.decision_case is not None:
            entry["decision"] = {"model": content.decision_model, "case": content.decision_case}
        questions.append(entry)
    data = {"format": FORMAT, "version": VERSION, "topics": topics, "questions": questions}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
