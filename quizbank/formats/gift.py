"""Moodle's GIFT text format: read single-answer, multiple-response and true/false questions.

Written by hand: there is no well-kept GIFT parser on PyPI. The grammar follows Moodle's own
reader (question/format/gift/format.php): a blank line ends a question, lines starting with
"//" are comments (Moodle keeps "[tag:...]" in them), "::name::" names a question,
"$CATEGORY: path" switches category, "{...}" holds the answers ("=" right, "~" wrong,
"~%50%" a weighted answer, "#" feedback, "####" general feedback), "[html]", "[moodle]",
"[plain]" and "[markdown]" set the text format, and a backslash escapes ~ = # { } : and \\n.
Text after the answers makes a "missing word" question: the answers stand for "_____".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

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
    short_label,
    split_question_text,
    unsupported,
)
from quizbank.formats.markup import html_to_markdown, plain_to_markdown

# Escaped control characters become private-use characters while the text is taken apart.
ESCAPED = re.compile(r"\\([\\:#={}~n])")
HIDDEN = {"\\": "\ue000", ":": "\ue001", "#": "\ue002", "=": "\ue003"}
HIDDEN |= {"{": "\ue004", "}": "\ue005", "~": "\ue006", "n": "\ue007"}
SHOWN = {v: ("\n" if k == "n" else k) for k, v in HIDDEN.items()}
HIDDEN_CHAR = re.compile("[\ue000-\ue007]")
WEIGHT = re.compile(r"^%(-?\d+(?:\.\d*)?)%")
TAG = re.compile(r"\[tag:([^\]]+)\]")
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
TEXT_FORMATS = {"html", "moodle", "plain", "markdown"}


def _hide_escapes(text: str) -> str:
    return ESCAPED.sub(lambda m: HIDDEN[m.group(1)], text)


def _shown(text: str) -> str:
    return HIDDEN_CHAR.sub(lambda m: SHOWN[m.group()], text)


def _split_format(text: str, default: str) -> tuple[str, str]:
    """Return (format, text) for text that may start with "[html]", "[plain]", ..."""
    if text.startswith("["):
        end = text.find("]")
        if end > 0 and text[1:end] in TEXT_FORMATS:
            return text[1:end], text[end + 1 :]
    return default, text


def _formatted(text: str, default: str) -> str:
    """Return Markdown for text that may name its own format, else has the `default` one."""
    text_format, text = _split_format(text.strip(), default)
    return _markdown(text, text_format)


def _markdown(text: str, text_format: str) -> str:
    text = _shown(text).strip()
    if text_format == "markdown":
        return text
    if text_format == "plain":
        return plain_to_markdown(text)
    # Moodle's own format is HTML in which a newline is a line break.
    return html_to_markdown(text, keep_newlines=text_format == "moodle")


def _blocks(text: str) -> Iterator[list[tuple[int, str]]]:
    """Yield each question's lines with their numbers; blank lines separate questions."""
    block: list[tuple[int, str]] = []
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if line.strip():
            block.append((number, line))
        elif block:
            yield block
            block = []
    if block:
        yield block


def parse(text: str) -> ParseResult:
    """Read a GIFT file."""
    result = ParseResult()
    category: list[str] = []
    for block in _blocks(text.lstrip("\ufeff")):
        comments = [line for _, line in block if line.strip().startswith("//")]
        lines = [(n, line) for n, line in block if not line.strip().startswith("//")]
        if not lines:
            continue
        source = _hide_escapes("\n".join(line for _, line in lines).strip())
        if source.startswith("$CATEGORY:"):
            category = category_path(_shown(source[len("$CATEGORY:") :]))
            continue
        tags = [tag.strip() for comment in comments for tag in TAG.findall(comment)]
        _parse_question(source, line=lines[0][0], category=category, tags=tags, result=result)
    return result


def _parse_question(
    source: str, *, line: int, category: list[str], tags: list[str], result: ParseResult
) -> None:
    name = ""
    if source.startswith("::"):
        end = source.find("::", 2)
        if end == -1:
            source = source[2:]
        else:
            name = " ".join(_shown(source[2:end]).split())
            source = source[end + 2 :].strip()
    start, finish = source.find("{"), source.find("}")
    label = name or short_label(_shown(_split_format(source.split("{")[0], "")[1]))
    label = label or f"line {line}"
    if start == -1 and finish == -1:
        result.skip(label, unsupported("description"))
        return
    if start == -1 or finish < start:
        result.error({"line": line}, "A brace is missing: the answers go between { and }.")
        return
    answers = source[start + 1 : finish].strip()
    after = source[finish + 1 :]
    question_text = source[:start] + ("_____" + after if after.strip() else "")
    general = ""
    if "####" in answers:
        answers, _, general = answers.rpartition("####")
        answers = answers.strip()
    text_format, question_text = _split_format(question_text.strip(), "moodle")
    general_md = _formatted(general, text_format)

    kind = _kind(answers)
    if kind not in {"multichoice", "truefalse"}:
        result.skip(label, unsupported(kind))
        return
    if kind == "truefalse":
        options, correct_feedback = _true_false(answers, text_format)
        question_type, lead_kind = "single", "truefalse"
    else:
        parsed = _choices(answers, text_format)
        if parsed is None:
            result.error(
                {"line": line}, f'"{label}" needs at least two answers, each after "=" or "~".'
            )
            return
        options, correct_feedback, question_type = parsed
        lead_kind = question_type
    stem, lead_in = split_question_text(_markdown(question_text, text_format), kind=lead_kind)
    content = QuestionContent(
        topic_path=list(category),
        stem=stem,
        lead_in=lead_in,
        options=options,
        question_type=question_type,
        name=name,
        shuffle_options=kind != "truefalse",
        explanation=explanation_from_feedback(general_md, correct_feedback=correct_feedback),
        tags=tags,
    )
    result.items.append(ParsedItem(content=content, where={"line": line}))


def _kind(answers: str) -> str:
    """Name the question type the way Moodle's reader decides it."""
    if not answers:
        return "essay"
    if answers.startswith("#"):
        return "numeric"
    if "~" in answers:
        return "multichoice"
    if "=" in answers and "->" in answers:
        return "matching"
    if answers.split("#")[0].strip() in TRUE_FALSE:
        return "truefalse"
    return "short-answer"


def _choices(answers: str, text_format: str) -> tuple[list[OptionContent], list[str], str] | None:
    """Return (options, feedback of the correct ones, question type), or None if too few."""
    # With an "=" answer it is single-best-answer; with only weights, multiple-response.
    question_type = "single" if "=" in answers else "multiple"
    parts = [part.strip() for part in answers.replace("=", "~=").split("~")]
    parts = [part for part in parts if part]
    if len(parts) < 2:
        return None
    options, correct_feedback = [], []
    for part in parts:
        weight = 0.0
        if part.startswith("="):
            weight, part = 100.0, part[1:]
        elif match := WEIGHT.match(part):
            weight, part = float(match.group(1)), part[match.end() :]
        answer, _, feedback = part.partition("#")
        is_correct = weight >= 100 if question_type == "single" else weight > 0
        feedback_md = _formatted(feedback, text_format)
        if is_correct:
            correct_feedback.append(feedback_md)
        options.append(
            OptionContent(
                text=_formatted(answer, text_format),
                is_correct=is_correct,
                why_not="" if is_correct else feedback_md,
            )
        )
    return options, correct_feedback, question_type


def _true_false(answers: str, text_format: str) -> tuple[list[OptionContent], list[str]]:
    """Return the True and False options; "{F#wrong#right}" gives each option its feedback."""
    answer, wrong, right = [*answers.split("#", 2), "", ""][:3]
    is_true = TRUE_FALSE[answer.strip()]
    wrong_md, right_md = _formatted(wrong, text_format), _formatted(right, text_format)
    options = [
        OptionContent("True", is_correct=is_true, why_not="" if is_true else wrong_md),
        OptionContent("False", is_correct=not is_true, why_not=wrong_md if is_true else ""),
    ]
    return options, [right_md]


# Writing ----------------------------------------------------------------------------------------

SPECIAL = re.compile(r"([\\~=#{}:])")


def _escaped(text: str) -> str:
    return SPECIAL.sub(r"\\\1", text.strip()).replace("\r", "").replace("\n", "\\n")


def _weight(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def write(export: ExportSet) -> str:
    """Write the questions as GIFT, in Markdown, with a $CATEGORY line per topic."""
    blocks: list[str] = []
    category: list[str] | None = None
    for question in export.questions:
        content = export.content(question)
        if content.topic_path != category:
            category = content.topic_path
            blocks.append(f"$CATEGORY: {category_text(category)}")
        lines = []
        if content.tags:
            lines.append("// " + " ".join(f"[tag:{tag}]" for tag in content.tags))
        head = f"::{_escaped(content.name)}::[markdown]{_escaped(join_question_text(content))}"
        general = feedback_from_explanation(content.explanation)
        ending = f"####{_escaped(general)}" if general else ""
        if is_true_false(content):
            is_true = content.options[0].is_correct
            wrong = next((o.why_not for o in content.options if not o.is_correct), "").strip()
            feedback = f"#{_escaped(wrong)}" if wrong else ""
            lines.append(f"{head}{{{'TRUE' if is_true else 'FALSE'}{feedback}{ending}}}")
        else:
            lines.append(head + "{")
            lines.extend(_answer_lines(content))
            if ending:
                lines.append(f"\t{ending}")
            lines.append("}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _answer_lines(content: QuestionContent) -> list[str]:
    correct = sum(1 for option in content.options if option.is_correct)
    lines = []
    for option in content.options:
        if content.question_type == "single":
            marker = "=" if option.is_correct else "~"
        else:
            # Moodle's weights: the right answers share 100%, each wrong one costs it all.
            marker = f"~%{_weight(100 / correct)}%" if option.is_correct else "~%-100%"
        feedback = "" if option.is_correct or not option.why_not.strip() else option.why_not
        lines.append(
            f"\t{marker}{_escaped(option.text)}" + (f"#{_escaped(feedback)}" if feedback else "")
        )
    return lines
