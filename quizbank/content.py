"""Question content as plain values: what the editor, the API and every import format produce,
and what the services validate and save. No ORM here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

EXPLANATION_FIELDS = (
    "key_point",
    "why_correct",
    "high_yield",
    "mechanism",
    "pearl",
    "mnemonic",
    "evidence",
)
MIN_OPTIONS = 2
MAX_OPTIONS = 8


@dataclass
class OptionContent:
    text: str
    is_correct: bool = False
    why_not: str = ""
    # The saved option this content edits, so its id (which responses refer to) survives.
    id: int | None = None


@dataclass
class ReferenceContent:
    citation: str
    url: str = ""


@dataclass
class QuestionContent:
    """Everything an author writes about one question."""

    topic_path: list[str]
    stem: str
    lead_in: str
    options: list[OptionContent]
    question_type: str = "single"
    name: str = ""
    shuffle_options: bool = True
    explanation: dict[str, str] = field(default_factory=dict)
    references: list[ReferenceContent] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    difficulty: float = 0.0
    decision_model: str = ""
    decision_case: dict[str, Any] | None = None

    def explanation_text(self, key: str) -> str:
        return self.explanation.get(key, "") or ""


@dataclass
class SummarySection:
    heading: str
    points: list[str]


@dataclass
class SummaryContent:
    """A topic's evidence summary: sections of points citing [n] into `references`."""

    sections: list[SummarySection]
    references: list[ReferenceContent]


CITATION = re.compile(r"\[(\d+)\]")


# The only schemes a reference may link to: anything else (javascript:, data:, a relative path)
# is refused where references enter and is not shown as a link.
WEB_URL_SCHEMES = ("https", "http")


def is_web_url(url: str) -> bool:
    """Return True for an http(s) address, the only kind a reference may link to."""
    scheme, colon, rest = str(url or "").strip().partition(":")
    return bool(colon) and scheme.lower() in WEB_URL_SCHEMES and rest.startswith("//")


def normalise_option_text(text: str) -> str:
    """Return the text as compared for duplicates: case and spacing do not count."""
    return " ".join(text.split()).casefold()


def normalise_tag(tag: str) -> str:
    return "-".join(tag.strip().lower().split())
