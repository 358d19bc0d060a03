"""What every format reads into and writes from, and the mapping rules the formats share.

Parsers return a `ParseResult` of plain values (no ORM); writers receive an `ExportSet` of
questions loaded with `Question.objects.with_full_content()`. The rules here decide how a
foreign question's single block of text becomes a stem and a lead-in, how an unnamed item gets a
stable name, how Moodle categories become topic paths, and how the structured explanation
travels through formats that only know "general feedback".
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from quizbank.content import (
    QuestionContent,
    SummaryContent,
)

if TYPE_CHECKING:
    from quizbank.models import Question, TopicSummary

Where = dict[str, object]

SUPPORTED_TYPES = "only single-best-answer, multiple-response and true/false"
LEAD_IN_LIMIT = 500
DEFAULT_LEAD_INS = {
    "single": "Which is the best answer?",
    "multiple": "Which of these are correct?",
    "truefalse": "True or false?",
}


@dataclass
class ParsedItem:
    """One question read from a file; `content.topic_path` is the file's category (maybe [])."""

    content: QuestionContent
    # Where the item is in the file, for error reports: {"line": n} or {"question": name}.
    where: Where
    # Only the JSON format carries a status; the others leave it to the importer.
    status: str | None = None


@dataclass
class ParsedTopic:
    """A topic named by the file (JSON), with its evidence summary if the file has one."""

    path: list[str]
    where: Where
    summary: SummaryContent | None = None
    status: str | None = None


@dataclass
class ParseResult:
    items: list[ParsedItem] = field(default_factory=list)
    topics: list[ParsedTopic] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    errors: list[dict[str, object]] = field(default_factory=list)

    def skip(self, name: str, reason: str) -> None:
        self.skipped.append({"name": name, "reason": reason})

    def error(self, where: Where, message: str) -> None:
        self.errors.append({**where, "message": message})


def unsupported(kind: str) -> str:
    """Return the reason given for skipping a question of an unsupported kind."""
    return f"{kind} questions are not supported ({SUPPORTED_TYPES})"


@dataclass
class ExportedTopic:
    path: list[str]
    summary: TopicSummary | None


@dataclass
class ExportSet:
    """The questions (and, for JSON, the topics) an export writes, with their topic paths."""

    questions: list[Question]
    topic_paths: dict[int, list[str]]
    topics: list[ExportedTopic] = field(default_factory=list)
    # Writers record here what their format cannot hold (Aiken: only single-answer items).
    skipped: list[dict[str, str]] = field(default_factory=list)

    def content(self, question: Question) -> QuestionContent:
        """Return the question as content values, named (derived if unnamed), without queries."""
        # Writers run inside Django; importing services here keeps the parsers (this module's
        # other users) importable without settings.
        from quizbank.services import question_content

        content = question_content(question, topic_path=list(self.topic_paths[question.topic_id]))
        content.name = content.name or derived_name(content.stem, content.lead_in)
        return content


# Names ----------------------------------------------------------------------------------------

WORD = re.compile(r"[^\W_]+")


def derived_name(stem: str, lead_in: str) -> str:
    """Return a stable name for an unnamed item: its first words and a hash of its text."""
    text = f"{stem.strip()}\n{lead_in.strip()}"
    words = WORD.findall(re.sub(r"<[^>]*>|&\w+;", " ", text).casefold())[:6]
    slug = "-".join(words)[:60].strip("-") or "question"
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return f"{slug}-{digest}"


def short_label(text: str, limit: int = 60) -> str:
    """Return the start of `text` on one line, to name an unnamed item in a report."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


# Question text --------------------------------------------------------------------------------

# A sentence ends at . ! or ? followed by space and what looks like the next sentence's start.
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[*]?[A-Z0-9])")


def split_question_text(text: str, *, kind: str) -> tuple[str, str]:
    """Return (stem, lead-in) for a format that has only one block of question text.

    The last paragraph is the lead-in when there are several (that is how the writers join
    them, so exports round-trip); otherwise a final question sentence is; otherwise the whole
    text is the stem and the lead-in is the usual question for the item's kind.
    """
    text = text.strip()
    paragraphs = text.split("\n\n")
    last = paragraphs[-1].strip()
    if len(paragraphs) > 1 and 0 < len(last) <= LEAD_IN_LIMIT:
        return "\n\n".join(paragraphs[:-1]).strip(), last
    sentences = SENTENCE_BREAK.split(last)
    final = sentences[-1].strip()
    if len(sentences) > 1 and final.endswith("?") and len(final) <= LEAD_IN_LIMIT:
        return text[: len(text) - len(final)].rstrip(), final
    return text, DEFAULT_LEAD_INS[kind]


def join_question_text(content: QuestionContent) -> str:
    """Return the stem and lead-in as the one block of text Moodle's formats hold."""
    return f"{content.stem.strip()}\n\n{content.lead_in.strip()}"


def is_true_false(content: QuestionContent) -> bool:
    """Return True for a single-answer item whose options are exactly True then False."""
    return content.question_type == "single" and [
        o.text.strip().casefold() for o in content.options
    ] == ["true", "false"]


# Explanations through "general feedback" --------------------------------------------------------

# The explanation sections other than why_correct travel as labelled paragraphs, so a Moodle
# user sees them and a re-import puts each back in its own field.
SECTION_LABELS = {
    "key_point": "Key point",
    "high_yield": "High-yield facts",
    "mechanism": "Mechanism",
    "pearl": "Clinical pearl",
    "mnemonic": "Mnemonic",
    "evidence": "Evidence base",
}
SECTION_START = re.compile(
    r"\*\*(" + "|".join(re.escape(label) for label in SECTION_LABELS.values()) + r"):\*\* ?"
)


def feedback_from_explanation(explanation: dict[str, str]) -> str:
    """Return the explanation as one general-feedback text."""
    parts = [explanation.get("why_correct", "").strip()]
    for key, label in SECTION_LABELS.items():
        text = explanation.get(key, "").strip()
        if text:
            parts.append(f"**{label}:** {text}")
    return "\n\n".join(part for part in parts if part)


def explanation_from_feedback(general: str, *, correct_feedback: list[str]) -> dict[str, str]:
    """Return the explanation held by a general feedback and the correct options' feedback.

    Feedback on a correct option says why it is right, so it opens `why_correct`, ahead of the
    general feedback; nothing a Moodle author wrote is dropped.
    """
    keys_by_label = {label: key for key, label in SECTION_LABELS.items()}
    sections: dict[str, list[str]] = {"why_correct": []}
    for text in dict.fromkeys(t.strip() for t in correct_feedback if t.strip()):
        sections["why_correct"].append(text)
    key = "why_correct"
    for paragraph in general.strip().split("\n\n") if general.strip() else []:
        match = SECTION_START.match(paragraph)
        if match:
            key = keys_by_label[match.group(1)]
            paragraph = paragraph[match.end() :]
        sections.setdefault(key, []).append(paragraph)
    return {key: "\n\n".join(parts).strip() for key, parts in sections.items() if parts}


# Moodle categories ------------------------------------------------------------------------------

PSEUDO_ROOTS = re.compile(r"^\$[a-z]+\$$")


def category_path(category: str) -> list[str]:
    """Return the topic path of a Moodle category string such as "$course$/top/Iota/Kappa".

    Moodle writes the context ("$course$", "$module$", "$system$", "$cat$..."), then its own
    "top" node, then usually "Default for <course or quiz>": none of these says anything about
    the subject, so they are dropped and the names below them become the topic path (under
    --topic when given). "//" is Moodle's escape for a "/" inside a name.
    """
    names = [name.replace("\0", "/").strip() for name in category.replace("//", "\0").split("/")]
    names = [name for name in names if name]
    if names and PSEUDO_ROOTS.match(names[0]):
        names = names[1:]
    if names and names[0].casefold() == "top":
        names = names[1:]
    if names and names[0].casefold().startswith("default for "):
        names = names[1:]
    return names


def category_text(path: list[str]) -> str:
    """Return the Moodle category string that `category_path` reads back as `path`."""
    return "$course$/top/" + "/".join(name.replace("/", "//") for name in path)
