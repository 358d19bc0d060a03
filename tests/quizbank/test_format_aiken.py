"""Aiken: Moodle's fixtures, errors on Moodle's lines, HTML that stays text, export."""

from __future__ import annotations

import html
import re

import pytest

from learners.models import User
from quizbank import services
from quizbank.content import OptionContent
from quizbank.exporting import export_bank, export_questions
from quizbank.formats import aiken
from quizbank.importing import import_questions
from quizbank.models import Question, Topic
from quizbank.rendering import render_markdown
from tests.interop import MOODLE, needs_moodle
from tests.quizbank.samples import sample_content


@needs_moodle
def test_reads_moodles_two_questions_with_their_keyed_answers() -> None:
    result = aiken.parse((MOODLE / "questions.aiken.txt").read_text())

    assert result.errors == [] and result.skipped == []
    first, second = (item.content for item in result.items)
    assert first.stem == "The Moodle project was started by:"
    assert first.lead_in == "Which is the best answer?"
    assert [(o.text, o.is_correct) for o in first.options] == [
        ("Petr Skoda", False),
        ("Martin Dougiamas", True),
        ("Eloy Lafuente", False),
        ("Tim Hunt", False),
    ]
    assert [(o.text, o.is_correct) for o in second.options] == [("True", True), ("False", False)]
    assert [item.where for item in result.items] == [{"line": 1}, {"line": 8}]


@needs_moodle
def test_html_in_the_question_stays_text_when_shown() -> None:
    second = aiken.parse((MOODLE / "questions.aiken.txt").read_text()).items[1].content

    shown = html.unescape(re.sub(r"<[^>]+>", "", str(render_markdown(second.stem))))

    assert shown == (
        "Moodle's abilities include handling user input that includes "
        '<html class="cool"> & images:'
    )


@needs_moodle
def test_reports_each_malformed_question_on_the_line_moodle_names() -> None:
    result = aiken.parse((MOODLE / "aiken_errors.txt").read_text())

    assert [error["line"] for error in result.errors] == [3, 5, 7, 18]
    assert result.errors[0]["message"] == (
        'Question "A question with too few answers" must have at least 2 answers; it has 1.'
    )
    assert result.errors[1]["message"] == "Question not started: there is no question text."
    assert "A question started but not finished" in str(result.errors[3]["message"])
    assert [item.content.stem for item in result.items] == [
        "A good question",
        "A second good question",
    ]
    assert [(o.text, o.is_correct) for o in result.items[1].content.options] == [
        ("Incorrect (No space)", False),
        ("Correct (No space)", True),
    ]


@needs_moodle
@pytest.mark.django_db
def test_a_file_with_malformed_questions_imports_nothing(instructor: User) -> None:
    report = import_questions(
        text=(MOODLE / "aiken_errors.txt").read_text(), fmt="aiken", by=instructor, topic_path=["X"]
    )

    assert (report.created, report.updated) == (0, 0)
    assert len(report.errors) == 4
    assert not Question.objects.exists()
    assert not Topic.objects.exists()


def test_an_answer_letter_without_an_option_is_an_error() -> None:
    result = aiken.parse("Which one?\nA) This\nB) That\nANSWER: D\n")

    assert result.errors == [
        {"line": 4, "message": '"ANSWER: D" does not name one of the 2 options of "Which one?".'}
    ]


def test_a_question_left_open_at_the_end_of_the_file_is_an_error() -> None:
    result = aiken.parse("Which one?\nA) This\nB) That\n")

    assert result.errors[0]["line"] == 1
    assert "at the end of the file" in str(result.errors[0]["message"])


def test_lines_of_text_before_the_options_are_the_vignette_and_the_lead_in() -> None:
    text = (
        "A 62-year-old man relapses 18 months after VTD induction.\n"
        "Which regimen is most appropriate?\n"
        "A. Lenalidomide plus dexamethasone\n"
        "B. Bortezomib plus dexamethasone\n"
        "ANSWER: A\n"
    )

    content = aiken.parse(text).items[0].content

    assert content.stem == "A 62-year-old man relapses 18 months after VTD induction."
    assert content.lead_in == "Which regimen is most appropriate?"


@needs_moodle
@pytest.mark.django_db
def test_unnamed_items_get_stable_names_so_reimporting_updates_them(instructor: User) -> None:
    text = (MOODLE / "questions.aiken.txt").read_text()

    first = import_questions(text=text, fmt="aiken", by=instructor, topic_path=["Moodle"])
    names = sorted(Question.objects.values_list("name", flat=True))
    again = import_questions(text=text, fmt="aiken", by=instructor, topic_path=["Moodle"])

    assert (first.created, again.created, again.updated) == (2, 0, 2)
    assert sorted(Question.objects.values_list("name", flat=True)) == names
    assert names[1].startswith("the-moodle-project-was-started-by-")


@pytest.mark.django_db
def test_export_holds_single_answer_items_and_reimports_the_same(instructor: User) -> None:
    services.create_question(content=sample_content(), by=instructor)
    services.create_question(
        content=sample_content(
            name="several",
            question_type="multiple",
            options=[OptionContent("A", is_correct=True), OptionContent("B", is_correct=True)],
        ),
        by=instructor,
    )

    export = export_bank(fmt="aiken")

    assert export.skipped == [
        {
            "name": "several",
            "reason": "Aiken holds only single-best-answer questions; "
            "this one is multiple-response",
        }
    ]
    assert export.data == (
        "A 62-year-old man relapses 18 months after VTD induction and autologous transplant. "
        "Which regimen is most appropriate?\n"
        "A) Lenalidomide plus dexamethasone\n"
        "B) Pomalidomide plus dexamethasone\n"
        "C) Bortezomib plus dexamethasone\n"
        "D) Carfilzomib plus dexamethasone\n"
        "E) Melphalan plus prednisone\n"
        "ANSWER: A\n"
    )
    item = aiken.parse(str(export.data)).items[0].content
    assert item.stem == sample_content().stem
    assert item.lead_in == sample_content().lead_in
    assert [(o.text, o.is_correct) for o in item.options] == [
        (o.text, o.is_correct) for o in sample_content().options
    ]


@needs_moodle
@pytest.mark.django_db
def test_exported_html_characters_read_back_as_the_same_text(instructor: User) -> None:
    text = (MOODLE / "questions.aiken.txt").read_text()
    import_questions(text=text, fmt="aiken", by=instructor, topic_path=["Moodle"])
    stems = sorted(Question.objects.values_list("stem", flat=True))

    exported = export_questions(fmt="aiken")
    assert '<html class="cool"> & images:' in str(exported)
    Question.objects.all().delete()
    import_questions(text=str(exported), fmt="aiken", by=instructor, topic_path=["Moodle"])

    assert sorted(Question.objects.values_list("stem", flat=True)) == stems
