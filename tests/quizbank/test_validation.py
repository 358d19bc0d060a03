"""Every validation rule gives a clear error on the field it concerns, with a stable code."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from quizbank.content import OptionContent, SummaryContent, SummarySection
from quizbank.content import ReferenceContent as Ref
from quizbank.validation import validate_question, validate_summary
from tests.quizbank.samples import sample_content


def error_codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code or "" for e in errors] for field, errors in error.error_dict.items()}


def test_a_complete_question_is_valid_for_publication() -> None:
    validate_question(sample_content(), for_publication=True)


def options(*specs: tuple[str, bool, str]) -> list[OptionContent]:
    return [OptionContent(text, is_correct=correct, why_not=why) for text, correct, why in specs]


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"lead_in": "   "}, "lead_in", "empty_lead_in"),
        ({"stem": ""}, "stem", "empty_stem"),
        ({"topic_path": []}, "topic", "missing_topic"),
        ({"question_type": "essay"}, "question_type", "unknown_type"),
        (
            {"options": options(("A", False, "x"), ("B", False, "y"))},
            "options",
            "no_correct_option",
        ),
        (
            {"options": options(("A", True, ""), ("B", True, ""), ("C", False, "z"))},
            "options",
            "several_correct_options",
        ),
        (
            {"options": options(("Same text", True, ""), ("  same   TEXT ", False, "z"))},
            "options",
            "duplicate_option",
        ),
        ({"options": options(("Only", True, ""))}, "options", "option_count"),
        (
            {"options": options(*[(f"O{i}", i == 0, "w") for i in range(9)])},
            "options",
            "option_count",
        ),
        ({"options": options(("A", True, ""), (" ", False, "z"))}, "options", "empty_option"),
        ({"references": [Ref("  ")]}, "references", "empty_citation"),
    ],
)
def test_each_rule_names_its_field(overrides: dict[str, object], field: str, code: str) -> None:
    with pytest.raises(ValidationError) as raised:
        validate_question(sample_content(**overrides), for_publication=False)

    assert code in error_codes(raised.value)[field]


def test_an_unexplained_distractor_blocks_publication_but_not_a_draft() -> None:
    content = sample_content(
        options=options(("Right", True, ""), ("Wrong", False, ""), ("Also wrong", False, "Why"))
    )

    validate_question(content, for_publication=False)
    with pytest.raises(ValidationError) as raised:
        validate_question(content, for_publication=True)

    assert error_codes(raised.value) == {"options": ["unexplained_distractor"]}
    assert "Distractor B" in raised.value.error_dict["options"][0].message


def test_publication_needs_a_key_point_and_why_the_answer_is_right() -> None:
    content = sample_content(explanation={})

    with pytest.raises(ValidationError) as raised:
        validate_question(content, for_publication=True)

    assert set(error_codes(raised.value)) == {"key_point", "why_correct"}


def test_multiple_response_items_may_have_several_correct_options() -> None:
    content = sample_content(
        question_type="multiple",
        options=options(("A", True, ""), ("B", True, ""), ("C", False, "because")),
    )

    validate_question(content, for_publication=True)


def test_a_summary_point_must_cite_a_reference_that_exists() -> None:
    summary = SummaryContent(
        sections=[SummarySection("From the guidelines", ["Cites one [1].", "Cites nothing."])],
        references=[Ref("NCCN Guidelines: Multiple Myeloma")],
    )
    with pytest.raises(ValidationError) as raised:
        validate_summary(summary)
    assert error_codes(raised.value) == {"sections": ["uncited_point"]}

    summary.sections[0].points[1] = "Cites a missing one [2]."
    with pytest.raises(ValidationError) as raised:
        validate_summary(summary)
    assert error_codes(raised.value) == {"references": ["unknown_reference"]}
