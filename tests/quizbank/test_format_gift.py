"""GIFT: Moodle's own fixture read exactly, categories, escapes, and export round trips."""

from __future__ import annotations

import pytest

from learners.models import User
from quizbank import services
from quizbank.content import OptionContent, QuestionContent, normalise_tag
from quizbank.exporting import export_questions
from quizbank.formats import gift
from quizbank.formats.interchange import ParseResult
from quizbank.importing import import_questions
from quizbank.models import Question
from tests.interop import MOODLE, needs_moodle
from tests.quizbank.samples import sample_content

UNSUPPORTED = (
    "questions are not supported (only single-best-answer, multiple-response and true/false)"
)


def options_of(content: QuestionContent) -> list[tuple[str, bool, str]]:
    return [(o.text, o.is_correct, o.why_not) for o in content.options]


def essentials(content: QuestionContent) -> tuple[object, ...]:
    explanation = {k: v for k, v in content.explanation.items() if v.strip()}
    return (
        content.name,
        content.stem,
        content.lead_in,
        content.question_type,
        options_of(content),
        explanation,
        sorted(normalise_tag(tag) for tag in content.tags),
    )


@pytest.fixture
def fixture_result() -> ParseResult:
    return gift.parse((MOODLE / "questions.gift.txt").read_text())


@needs_moodle
def test_reads_the_single_answer_question_with_feedback_on_each_answer(
    fixture_result: ParseResult,
) -> None:
    item = next(i for i in fixture_result.items if i.content.name == "Q2")

    assert item.where == {"line": 14}
    assert item.content.question_type == "single"
    assert item.content.stem == "What's between orange and green in the spectrum?"
    assert item.content.lead_in == "Which is the best answer?"
    assert options_of(item.content) == [
        ("yellow", True, ""),
        ("red", False, "wrong, it's yellow"),
        ("blue", False, "wrong, it's yellow"),
    ]
    # Feedback on the right answer explains why it is right.
    assert item.content.explanation == {"why_correct": "right; good!"}


@needs_moodle
def test_reads_partial_credit_weights_as_a_multiple_response_question(
    fixture_result: ParseResult,
) -> None:
    item = next(i for i in fixture_result.items if i.content.name == "colours")

    assert item.content.question_type == "multiple"
    assert options_of(item.content) == [
        ("yellow", True, ""),
        ("red", False, "wrong"),
        ("off-beige", True, ""),
        ("blue", False, "wrong"),
    ]


@needs_moodle
def test_reads_true_false_as_a_single_answer_item_with_general_feedback(
    fixture_result: ParseResult,
) -> None:
    item = next(i for i in fixture_result.items if i.content.name == "Q1")

    assert item.content.question_type == "single"
    assert item.content.shuffle_options is False
    # Moodle's fixture has a stray '";' after the answers, which Moodle reads as a
    # missing-word question: the answers stand for the blank.
    assert item.content.stem == '42 is the Absolute Answer to everything._____";'
    assert item.content.lead_in == "True or false?"
    assert options_of(item.content) == [
        ("True", False, "42 is the Ultimate Answer."),
        ("False", True, ""),
    ]
    assert item.content.explanation == {
        "why_correct": "You gave the right answer.\n\n"
        "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    }


@needs_moodle
def test_reads_t_and_true_alike(fixture_result: ParseResult) -> None:
    first, second = [i for i in fixture_result.items if i.content.name == "2-08 TSL"]

    assert first.content == second.content
    assert first.content.stem == "TSL is blablabla."
    assert options_of(first.content) == [("True", True, ""), ("False", False, "")]


@needs_moodle
def test_lists_each_unsupported_question_with_its_name_and_reason(
    fixture_result: ParseResult,
) -> None:
    assert fixture_result.skipped == [
        {"name": "Q8", "reason": f"essay {UNSUPPORTED}"},
        {"name": "Moodle activities", "reason": f"matching {UNSUPPORTED}"},
        {"name": "Q5", "reason": f"numeric {UNSUPPORTED}"},
        {"name": "Shortanswer", "reason": f"short-answer {UNSUPPORTED}"},
    ]
    assert fixture_result.errors == []
    assert [i.content.name for i in fixture_result.items] == [
        "Q2",
        "colours",
        "Q1",
        "2-08 TSL",
        "2-08 TSL",
    ]


@needs_moodle
@pytest.mark.django_db
def test_imports_moodles_fixture_under_the_given_topic(instructor: User) -> None:
    report = import_questions(
        text=(MOODLE / "questions.gift.txt").read_text(),
        fmt="gift",
        by=instructor,
        topic_path=["Moodle", "GIFT fixture"],
    )

    assert report.errors == []
    assert report.created == 4
    # The second "2-08 TSL" is the same question again, so it is not imported twice.
    assert report.skipped[-1] == {
        "name": "2-08 TSL",
        "reason": "repeats an earlier question in the file",
    }
    assert len(report.skipped) == 5
    questions = Question.objects.with_full_content().order_by("name")
    assert [q.name for q in questions] == ["2-08 TSL", "Q1", "Q2", "colours"]
    assert {q.topic.label for q in questions} == {"Moodle > GIFT fixture"}
    q2 = questions.get(name="Q2")
    assert [(o.text, o.is_correct, o.why_not) for o in q2.options.all()] == [
        ("yellow", True, ""),
        ("red", False, "wrong, it's yellow"),
        ("blue", False, "wrong, it's yellow"),
    ]
    assert q2.why_correct == "right; good!"
    assert all(q.status == "draft" for q in questions)


@pytest.mark.django_db
def test_categories_become_topics_below_the_given_topic(instructor: User) -> None:
    text = (
        "$CATEGORY: $course$/top/Default for Haematology course/Myeloma/Relapse\n\n"
        "::relapse-1::A man relapses after VRd. Which class comes next?{=anti-CD38 ~IMiD#Used}\n"
    )

    report = import_questions(text=text, fmt="gift", by=instructor, topic_path=["Hematology"])

    assert report.created == 1
    question = Question.objects.get(name="relapse-1")
    assert question.topic.label == "Hematology > Myeloma > Relapse"
    assert question.stem == "A man relapses after VRd."
    assert question.lead_in == "Which class comes next?"


def test_escapes_formats_comments_and_tags_are_read_as_moodle_does() -> None:
    text = (
        "// [tag:renal] [tag:Acid base]\n"
        "::esc\\:aped::[html]<p>Is 2 \\= 1 \\+ 1 \\{really\\}?</p>\\nSure\\#1{\n"
        "  =[plain]Yes <always> \\~ maybe#[markdown]**right**\n"
        "  ~No#[html]<b>wrong</b> &amp; why\n"
        "}\n"
    )

    item = gift.parse(text).items[0]

    assert item.content.name == "esc:aped"
    assert item.content.tags == ["renal", "Acid base"]
    # The last paragraph of the question text is its lead-in.
    assert item.content.stem == "Is 2 = 1 \\+ 1 {really}?"
    assert item.content.lead_in == "Sure#1"
    assert options_of(item.content) == [
        ("Yes &lt;always> ~ maybe", True, ""),
        ("No", False, "**wrong** & why"),
    ]
    assert item.content.explanation == {"why_correct": "**right**"}


def test_text_after_the_answers_makes_a_missing_word_question() -> None:
    item = gift.parse("Grant is {=entombed ~buried ~living} in Grant's tomb.").items[0]

    assert item.content.stem == "Grant is _____ in Grant's tomb."
    assert [o.text for o in item.content.options] == ["entombed", "buried", "living"]


def test_a_missing_brace_is_an_error_on_the_questions_line() -> None:
    result = gift.parse("// first\n::ok::Fine?{=a ~b}\n\n// second\n::broken::Where is it?{=a ~b\n")

    assert result.errors == [
        {"line": 5, "message": "A brace is missing: the answers go between { and }."}
    ]
    assert [i.content.name for i in result.items] == ["ok"]


def test_a_choice_question_with_one_answer_is_an_error() -> None:
    result = gift.parse("\n\n::lonely::Only one?{~%100%a}")

    assert result.errors == [
        {"line": 3, "message": '"lonely" needs at least two answers, each after "=" or "~".'}
    ]


def tricky_content(**overrides: object) -> QuestionContent:
    content = QuestionContent(
        topic_path=["Renal", "Acid-base"],
        name="anion gap: {tricky} = #1",
        stem="A patient's anion gap is {Na} - ({Cl} + {HCO3}) = 24 ~ high.\n\nSecond line \\ here.",
        lead_in="What is the cause?",
        options=[
            OptionContent("Methanol: toxic {alcohol}", is_correct=True),
            OptionContent("Diarrhoea = loss", why_not="Normal gap #1: bicarbonate ~ lost."),
            OptionContent("RTA type 1", why_not="Normal gap too."),
        ],
        explanation={"why_correct": "Formate = acid.", "key_point": "High gap: **MUDPILES**."},
        tags=["acid-base", "toxicology"],
    )
    for key, value in overrides.items():
        setattr(content, key, value)
    return content


@pytest.mark.django_db
def test_export_then_import_preserves_stems_options_flags_and_feedback(
    instructor: User,
) -> None:
    originals = [
        sample_content(),
        tricky_content(),
        sample_content(
            name="myeloma-defining-events",
            question_type="multiple",
            stem="A 70-year-old woman has a paraprotein of 35 g/L and 70% plasma cells.",
            lead_in="Which of these are myeloma-defining events?",
            options=[
                OptionContent("Calcium 3.1 mmol/L", is_correct=True),
                OptionContent("Lytic lesions", is_correct=True),
                OptionContent("Raised ESR", why_not="Not a CRAB criterion."),
            ],
        ),
        sample_content(
            name="tf-item",
            stem="Lenalidomide is cleared by the kidneys.",
            lead_in="True or false?",
            shuffle_options=False,
            options=[
                OptionContent("True", is_correct=True),
                OptionContent("False", why_not="About 80% is excreted unchanged in urine."),
            ],
        ),
    ]
    for content in originals:
        services.create_question(content=content, by=instructor)

    exported = export_questions(fmt="gift")
    assert isinstance(exported, str)
    parsed = gift.parse(exported)

    assert parsed.errors == [] and parsed.skipped == []
    by_name = {item.content.name: item.content for item in parsed.items}
    for original in originals:
        assert essentials(by_name[original.name]) == essentials(original)
        assert by_name[original.name].topic_path == original.topic_path
    assert "{TRUE#About 80% is excreted unchanged in urine.####" in exported

    Question.objects.all().delete()
    report = import_questions(text=exported, fmt="gift", by=instructor)
    assert (report.created, report.updated, report.errors) == (4, 0, [])
    for original in originals:
        question = Question.objects.with_full_content().get(name=original.name)
        assert essentials(services.question_content(question)) == essentials(original)


@pytest.mark.django_db
def test_reimporting_an_export_updates_every_question_in_place(instructor: User) -> None:
    question = services.create_question(content=tricky_content(), by=instructor)
    exported = export_questions(fmt="gift")
    assert isinstance(exported, str)

    report = import_questions(text=exported, fmt="gift", by=instructor)

    assert (report.created, report.updated) == (0, 1)
    assert Question.objects.get().pk == question.pk
