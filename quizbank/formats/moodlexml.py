"""Moodle XML: read multichoice and true/false questions with their categories; write them.

Untrusted XML is parsed only with defusedxml, which refuses entity expansion and external
references. Writing builds trees with the standard library, which is safe for output.
"""

from __future__ import annotations

# The standard library only builds output here; nothing untrusted is parsed with it.
import xml.etree.ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from quizbank.content import OptionContent, QuestionContent
from quizbank.formats.interchange import (
    ExportSet,
    ParsedItem,
    ParseResult,
    category_path,
    category_text,
    explanation_from_feedback,
    feedback_from_explanation,
    is_true_false,
    join_question_text,
    split_question_text,
    unsupported,
)
from quizbank.formats.markup import html_to_markdown, plain_to_markdown

# What Moodle calls each question type it can export, as a reader would name it.
TYPE_NAMES = {
    "essay": "essay",
    "match": "matching",
    "matching": "matching",
    "numerical": "numeric",
    "shortanswer": "short-answer",
    "description": "description",
    "cloze": "cloze",
    "multianswer": "cloze",
    "calculated": "calculated",
    "calculatedsimple": "calculated",
    "calculatedmulti": "calculated multiple-choice",
    "randomsamatch": "random short-answer matching",
    "ddwtos": "drag-and-drop",
    "ddimageortext": "drag-and-drop",
    "ddmarker": "drag-and-drop",
    "gapselect": "select-missing-words",
    "ordering": "ordering",
}
TRUE_VALUES = {"1", "true", "yes"}


def _markdown(element: ET.Element | None, default_format: str = "html") -> str:
    """Return Markdown for a Moodle text element (`<x format="..."><text>...</text></x>`)."""
    if element is None:
        return ""
    text = (element.findtext("text") or "").strip()
    text_format = element.get("format", default_format)
    if text_format == "markdown":
        return text
    if text_format == "plain_text":
        return plain_to_markdown(text)
    return html_to_markdown(text, keep_newlines=text_format == "moodle_auto_format")


def _texts(element: ET.Element, path: str) -> list[str]:
    return [child.findtext("text") or "" for child in element.findall(path)]


def _flag(element: ET.Element, path: str, *, default: bool) -> bool:
    value = element.findtext(path)
    return default if value is None else value.strip().lower() in TRUE_VALUES


def parse(text: str) -> ParseResult:
    """Read a Moodle XML file."""
    result = ParseResult()
    try:
        root = fromstring(text.lstrip("\ufeff"))
    except ParseError as error:
        line = error.position[0] if error.position else 1
        result.error({"line": line}, f"The file is not well-formed XML: {error}.")
        return result
    except DefusedXmlException:
        result.error(
            {"line": 1},
            "The file declares a DTD or entities, which are refused for safety; "
            "export it from Moodle again.",
        )
        return result
    if root.tag != "quiz":
        result.error({"line": 1}, f"A Moodle XML file starts with <quiz>, not <{root.tag}>.")
        return result
    category: list[str] = []
    for index, element in enumerate(root.findall("question"), 1):
        kind = element.get("type", "")
        if kind == "category":
            category = category_path(element.findtext("category/text") or "")
            continue
        name = " ".join((element.findtext("name/text") or "").split())
        name = name or (element.findtext("idnumber") or "").strip()
        if kind not in {"multichoice", "truefalse"}:
            result.skip(name or f"question {index}", unsupported(TYPE_NAMES.get(kind, kind)))
            continue
        where: dict[str, object] = {"question": name or index}
        try:
            _read_question(element, kind, name, category, where, result)
        except ValueError as error:
            result.error(where, str(error))
    return result


def _read_question(
    element: ET.Element,
    kind: str,
    name: str,
    category: list[str],
    where: dict[str, object],
    result: ParseResult,
) -> None:
    answers = []
    for answer in element.findall("answer"):
        raw = answer.get("fraction", "0")
        try:
            fraction = float(raw)
        except ValueError:
            raise ValueError(
                f'An answer has the fraction "{raw}", which is not a number.'
            ) from None
        answers.append((fraction, _markdown(answer), _markdown(answer.find("feedback"))))
    if kind == "truefalse":
        question_type, lead_kind, shuffle = "single", "truefalse", False
        by_text = {text.casefold(): (fraction, feedback) for fraction, text, feedback in answers}
        if set(by_text) != {"true", "false"}:
            raise ValueError('A true/false question needs the answers "true" and "false".')
        answers = [(by_text["true"][0], "True", by_text["true"][1])]
        answers.append((by_text["false"][0], "False", by_text["false"][1]))
    else:
        single = _flag(element, "single", default=True)
        question_type = lead_kind = "single" if single else "multiple"
        shuffle = _flag(element, "shuffleanswers", default=True)
    options, correct_feedback = [], []
    for fraction, text, feedback in answers:
        is_correct = fraction >= 100 if question_type == "single" else fraction > 0
        if is_correct:
            correct_feedback.append(feedback)
        options.append(
            OptionContent(text, is_correct=is_correct, why_not="" if is_correct else feedback)
        )
    question_text = _markdown(element.find("questiontext"), "moodle_auto_format")
    stem, lead_in = split_question_text(question_text, kind=lead_kind)
    general = _markdown(element.find("generalfeedback"), "moodle_auto_format")
    content = QuestionContent(
        topic_path=list(category),
        stem=stem,
        lead_in=lead_in,
        options=options,
        question_type=question_type,
        name=name,
        shuffle_options=shuffle,
        explanation=explanation_from_feedback(general, correct_feedback=correct_feedback),
        tags=[tag.strip() for tag in _texts(element, "tags/tag") if tag.strip()],
    )
    result.items.append(ParsedItem(content=content, where=where))


# Writing ----------------------------------------------------------------------------------------


def _text(parent: ET.Element, tag: str, text: str, text_format: str = "markdown") -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": text_format} if text_format else {})
    ET.SubElement(element, "text").text = text
    return element


def _value(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = text


def _weight(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def write(export: ExportSet) -> str:
    """Write the questions as Moodle XML (text in Markdown), a category before each topic."""
    quiz = ET.Element("quiz")
    category: list[str] | None = None
    for question in export.questions:
        content = export.content(question)
        if content.topic_path != category:
            category = content.topic_path
            switch = ET.SubElement(quiz, "question", {"type": "category"})
            _text(switch, "category", category_text(category), "")
        true_false = is_true_false(content)
        element = ET.SubElement(
            quiz, "question", {"type": "truefalse" if true_false else "multichoice"}
        )
        _text(element, "name", content.name, "")
        _text(element, "questiontext", join_question_text(content))
        _text(element, "generalfeedback", feedback_from_explanation(content.explanation))
        _value(element, "defaultgrade", "1")
        _value(element, "penalty", "1" if true_false else "0.3333333")
        _value(element, "hidden", "0")
        if not true_false:
            _value(element, "single", "true" if content.question_type == "single" else "false")
            _value(element, "shuffleanswers", "true" if content.shuffle_options else "false")
            _value(element, "answernumbering", "ABCD")
        correct = sum(1 for option in content.options if option.is_correct)
        for option in content.options:
            if content.question_type == "single":
                fraction = "100" if option.is_correct else "0"
            else:
                fraction = _weight(100 / correct) if option.is_correct else "-100"
            answer = ET.SubElement(element, "answer", {"fraction": fraction})
            if true_false:
                # Moodle recognises a true/false answer only by these exact words.
                answer.set("format", "moodle_auto_format")
                _value(answer, "text", option.text.strip().lower())
            else:
                answer.set("format", "markdown")
                _value(answer, "text", option.text)
            _text(answer, "feedback", "" if option.is_correct else option.why_not)
        if content.tags:
            tags = ET.SubElement(element, "tags")
            for tag in content.tags:
                _text(tags, "tag", tag, "")
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, "unicode") + "\n"
