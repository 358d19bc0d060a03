"""Text between the markups of other formats (HTML, plain text) and the platform's Markdown.

Question text on the platform is Markdown, which passes raw HTML through (sanitised on
rendering). Plain text from another format must therefore stay text: a literal "<html>" in an
Aiken question is escaped, or the renderer would strip it as a tag.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

ENTITY_LIKE = re.compile(r"&(?=#\d+;|#[xX][0-9a-fA-F]+;|\w+;)")
BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")


def plain_to_markdown(text: str) -> str:
    """Return Markdown that shows `text` literally: nothing in it is taken for HTML."""
    return ENTITY_LIKE.sub("&amp;", text).replace("<", "&lt;")


def markdown_to_plain(text: str) -> str:
    """Return the text a reader sees for simple Markdown, for formats without markup."""
    return html.unescape(text)


# Inline tags that mean the same in Markdown's HTML passthrough and survive the sanitiser.
KEPT_INLINE = {"sub", "sup", "code"}
EMPHASIS = {"b": "**", "strong": "**", "i": "*", "em": "*"}
BLOCKS = {
    "p",
    "div",
    "ul",
    "ol",
    "table",
    "tr",
    "blockquote",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
}
SKIPPED_CONTENT = {"script", "style", "head", "title"}


class _MarkdownWriter(HTMLParser):
    """Turn an HTML fragment into Markdown: paragraphs, line breaks, emphasis, lists, links."""

    def __init__(self, *, keep_newlines: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.keep_newlines = keep_newlines
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in SKIPPED_CONTENT:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in EMPHASIS:
            self.parts.append(EMPHASIS[tag])
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in BLOCKS:
            self.parts.append("\n\n")
        elif tag in KEPT_INLINE:
            self.parts.append(f"<{tag}>")
        elif tag == "a" and values.get("href"):
            self.parts.append(f'<a href="{html.escape(values["href"])}">')
        elif tag == "img" and values.get("src"):
            alt = html.escape(values.get("alt", ""))
            self.parts.append(f'<img src="{html.escape(values["src"])}" alt="{alt}">')

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_CONTENT:
            self.skipping = max(0, self.skipping - 1)
        elif tag in EMPHASIS:
            self.parts.append(EMPHASIS[tag])
        elif tag in BLOCKS:
            self.parts.append("\n\n")
        elif tag in KEPT_INLINE or tag == "a":
            self.parts.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if not self.keep_newlines:
            data = re.sub(r"\s+", " ", data)
        self.parts.append(plain_to_markdown(data.replace("\xa0", " ")))


def html_to_markdown(text: str, *, keep_newlines: bool = False) -> str:
    """Return Markdown for an HTML fragment (Moodle's "html" and "moodle_auto_format" text).

    `keep_newlines` is for Moodle's own format, where a newline in the source is a line break.
    """
    if "<" not in text and "&" not in text:
        # Most imported text has no markup at all; skip the parser (imports must be fast).
        collapsed = text if keep_newlines else re.sub(r"\s+", " ", text)
        return collapsed.strip()
    writer = _MarkdownWriter(keep_newlines=keep_newlines)
    writer.feed(text)
    writer.close()
    markdown = "".join(writer.parts)
    lines = "\n".join(line.strip() for line in markdown.split("\n"))
    return BLANK_LINES.sub("\n\n", lines).strip()
