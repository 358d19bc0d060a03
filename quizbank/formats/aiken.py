"""The Aiken format: plain-text single-best-answer questions, as Moodle reads and writes them.

    A 62-year-old man relapses 18 months after VTD induction. Which regimen is best?
    A) Lenalidomide plus dexamethasone
    B) Pomalidomide plus dexamethasone
    ANSWER: A

Options are a capital letter, ")" or "." and the text; "ANSWER: X" ends the question. Every text
is plain (HTML in it stays text). Unlike Moodle, lines of question text before the first option
are kept together as one question (a vignette, then the lead-in), rather than discarding all but
the last; the errors Moodle reports are reported on the same lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from quizbank.content import OptionContent, QuestionContent
from quizbank.formats.interchange import (
    DEFAULT_LEAD_INS,
    ExportSet,
    ParsedItem,
    ParseResult,
    join_question_text,
    short_label,
    split_question_text,
)
from quizbank.formats.markup import markdown_to_plain, plain_to_markdown

OPTION = re.compile(r"^([A-Z])[).][ \t]?")
ANSWER = re.compile(r"^ANSWER:")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass
class _Open:
    """A question being read: its text lines and its options so far."""

    line: int
    text: list[str]
    options: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return short_label(" ".join(self.text))


def parse(text: str) -> ParseResult:
    """Read an Aiken file."""
    result = ParseResult()
    current: _Open | None = None
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        # Moodle ignores lines shorter than two characters.
        if len(line) < 2:
            continue
        option = OPTION.match(line)
        if option or ANSWER.match(line):
            if current is None:
                result.error({"line": number}, "Question not started: there is no question text.")
            elif option:
                current.options.append(line[option.end() :].strip())
            else:
                _finish(current, line.split(":", 1)[1].strip(), number, result)
                current = None
            continue
        if current is not None and current.options:
            result.error(
                {"line": number},
                f'Question not completed before the next one starts: "{current.label}" has no '
                '"ANSWER:" line.',
            )
            current = None
        if current is None:
            current = _Open(line=number, text=[line])
        else:
            current.text.append(line)
    if current is not None:
        result.error(
            {"line": current.line},
            f'Question not completed at the end of the file: "{current.label}" has no '
            '"ANSWER:" line.',
        )
    return result


def _finish(question: _Open, answer: str, line: int, result: ParseResult) -> None:
    if len(question.options) < 2:
        result.error(
            {"line": line},
            f'Question "{question.label}" must have at least 2 answers; it has '
            f"{len(question.options)}.",
        )
        return
    letter = answer[:1].upper()
    position = LETTERS.find(letter) if letter else -1
    if not 0 <= position < len(question.options):
        result.error(
            {"line": line},
            f'"ANSWER: {answer}" does not name one of the {len(question.options)} options '
            f'of "{question.label}".',
        )
        return
    stem, lead_in = split_question_text(
        "\n\n".join(plain_to_markdown(text) for text in question.text), kind="single"
    )
    content = QuestionContent(
        topic_path=[],
        stem=stem,
        lead_in=lead_in,
        options=[
            OptionContent(plain_to_markdown(text), is_correct=i == position)
            for i, text in enumerate(question.options)
        ],
    )
    result.items.append(ParsedItem(content=content, where={"line": question.line}))


def _one_line(markdown: str) -> str:
    return " ".join(markdown_to_plain(markdown).split())


def write(export: ExportSet) -> str:
    """Write the single-answer questions; Aiken holds nothing else (those are skipped)."""
    blocks = []
    for question in export.questions:
        content = export.content(question)
        if content.question_type != "single":
            export.skipped.append(
                {
                    "name": content.name,
                    "reason": "Aiken holds only single-best-answer questions; "
                    "this one is multiple-response",
                }
            )
            continue
        # The usual lead-in is what reading a lead-in-less question gives back, so leave it out.
        if content.lead_in.strip() == DEFAULT_LEAD_INS["single"]:
            lines = [_one_line(content.stem)]
        else:
            lines = [_one_line(join_question_text(content))]
        answer = ""
        for letter, option in zip(LETTERS, content.options, strict=False):
            lines.append(f"{letter}) {_one_line(option.text)}")
            if option.is_correct:
                answer = letter
        lines.append(f"ANSWER: {answer}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n" if blocks else ""
