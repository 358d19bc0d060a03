"""The rules a question and a topic summary must satisfy, in one place, with field errors.

Errors are Django ValidationErrors keyed by field name, so a form shows each beside its field and
the API returns them as `{"field": ["message"]}`. Codes are stable for tests and clients.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from quizbank.content import (
    CITATION,
    MAX_OPTIONS,
    MIN_OPTIONS,
    WEB_URL_SCHEMES,
    QuestionContent,
    ReferenceContent,
    SummaryContent,
    normalise_option_text,
)

validate_web_url = URLValidator(schemes=list(WEB_URL_SCHEMES))

ErrorDict = dict[str, list[ValidationError]]


def _add(errors: ErrorDict, field: str, message: str, code: str) -> None:
    errors.setdefault(field, []).append(ValidationError(message, code=code))


def question_errors(content: QuestionContent, *, for_publication: bool) -> ErrorDict:
    """Return every rule `content` breaks; a published question must also be fully explained."""
    errors: ErrorDict = {}
    if not content.stem.strip():
        _add(errors, "stem", "The vignette (stem) is empty.", "empty_stem")
    if not content.lead_in.strip():
        _add(errors, "lead_in", "The lead-in question is empty.", "empty_lead_in")
    if not content.topic_path or not all(name.strip() for name in content.topic_path):
        _add(errors, "topic", "Choose a topic.", "missing_topic")
    if content.question_type not in {"single", "multiple"}:
        _add(
            errors,
            "question_type",
            f'Unknown question type "{content.question_type}": use "single" or "multiple".',
            "unknown_type",
        )
    _check_options(content, errors, for_publication=for_publication)
    if for_publication:
        for key, label in (("key_point", "key point"), ("why_correct", "why the answer is right")):
            if not content.explanation_text(key).strip():
                _add(
                    errors,
                    key,
                    f"A published question needs its {label} explained.",
                    f"missing_{key}",
                )
    _check_references(content.references, errors)
    return errors


def _check_references(references: Sequence[ReferenceContent], errors: ErrorDict) -> None:
    for position, reference in enumerate(references, start=1):
        if not reference.citation.strip():
            _add(errors, "references", f"Reference {position} has no citation.", "empty_citation")
        url = reference.url.strip()
        if not url:
            continue
        try:
            validate_web_url(url)
        except ValidationError:
            _add(
                errors,
                "references",
                f'Reference {position} links to "{url[:80]}": a link must be an http:// or '
                "https:// address.",
                "invalid_url",
            )


def _check_options(content: QuestionContent, errors: ErrorDict, *, for_publication: bool) -> None:
    options = content.options
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        _add(
            errors,
            "options",
            f"A question has {MIN_OPTIONS} to {MAX_OPTIONS} options; this one has {len(options)}.",
            "option_count",
        )
    seen: dict[str, int] = {}
    for letter, option in zip("ABCDEFGH", options, strict=False):
        normalised = normalise_option_text(option.text)
        if not normalised:
            _add(errors, "options", f"Option {letter} has no text.", "empty_option")
        elif normalised in seen:
            first = "ABCDEFGH"[seen[normalised]]
            _add(
                errors,
                "options",
                f"Options {first} and {letter} have the same text.",
                "duplicate_option",
            )
        else:
            seen[normalised] = "ABCDEFGH".index(letter)
    correct = [option for option in options if option.is_correct]
    if options and not correct:
        _add(errors, "options", "No option is marked correct.", "no_correct_option")
    if content.question_type == "single" and len(correct) > 1:
        _add(
            errors,
            "options",
            f"A single-best-answer question has exactly one correct option; "
            f"{len(correct)} are marked correct.",
            "several_correct_options",
        )
    if for_publication:
        for letter, option in zip("ABCDEFGH", options, strict=False):
            if not option.is_correct and not option.why_not.strip():
                _add(
                    errors,
                    "options",
                    f"Distractor {letter} needs a 'why not' explanation before publishing.",
                    "unexplained_distractor",
                )


def validate_question(content: QuestionContent, *, for_publication: bool) -> None:
    """Raise ValidationError (a dict of field errors) when `content` breaks any rule."""
    errors = question_errors(content, for_publication=for_publication)
    if errors:
        raise ValidationError(errors)


def validate_summary(content: SummaryContent) -> None:
    """Raise ValidationError unless every point cites references that exist."""
    errors: ErrorDict = {}
    if not content.sections:
        _add(errors, "sections", "An evidence summary needs at least one section.", "no_sections")
    _check_references(content.references, errors)
    count = len(content.references)
    for number, section in enumerate(content.sections, start=1):
        if not section.heading.strip():
            _add(errors, "sections", f"Section {number} has no heading.", "empty_heading")
        if not section.points:
            _add(errors, "sections", f"Section {number} has no points.", "empty_section")
        for point in section.points:
            cited = [int(n) for n in CITATION.findall(point)]
            if not point.strip():
                _add(errors, "sections", f"Section {number} has an empty point.", "empty_point")
            elif not cited:
                _add(
                    errors,
                    "sections",
                    f'A point in "{section.heading}" cites no reference: "{point[:60]}".',
                    "uncited_point",
                )
            for n in cited:
                if not 1 <= n <= count:
                    _add(
                        errors,
                        "references",
                        f'[{n}] in "{section.heading}" has no matching reference '
                        f"(there are {count}).",
                        "unknown_reference",
                    )
    if errors:
        raise ValidationError(errors)
