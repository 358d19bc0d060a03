"""Moodle XML: nested categories, true/false, multichoice with feedback, safety, round trip."""

from __future__ import annotations

import pytest

from learners.models import User
from quizbank import services
from quizbank.content import OptionContent, QuestionContent, normalise_tag
from quizbank.exporting import export_questions
from quizbank.formats import moodlexml
from quizbank.importing import import_questions
from quizbank.models import Question, Topic
from tests.interop import MOODLE, needs_moodle
from tests.quizbank.samples import sample_content

FIXTURE = MOODLE / "nested_categories_with_questions.xml"

MULTICHOICE = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$module$/top/Default for Quiz 3/Cardiology/Heart failure</text></category>
  </question>
  <question type="multichoice">
    <name><text>HFrEF pillars</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>A 68-year-old man has an ejection fraction of 30%.</p>
<p>Which drugs reduce his <b>mortality</b>?</p>]]></text>
    </questiontext>
    <generalfeedback format="html">
      <text><![CDATA[<p>The four pillars each cut mortality.</p>]]></text>
    </generalfeedback>
    <single>false</single>
    <shuffleanswers>0</shuffleanswers>
    <answer fraction="50" format="html">
      <text>Dapagliflozin</text>
      <feedback format="html"><text>SGLT2 inhibitor.</text></feedback>
    </answer>
    <answer fraction="50" format="html">
      <text>Sacubitril&amp;valsartan</text>
      <feedback format="html"><text></text></feedback>
    </answer>
    <answer fraction="-100" format="html">
      <text>Digoxin</text>
      <feedback format="html">
        <text><![CDATA[<p>Reduces admissions, <i>not</i> deaths.</p>]]></text>
      </feedback>
    </answer>
    <tags><tag><text>heart failure</text></tag><tag><text>pharmacology</text></tag></tags>
  </question>
</quiz>
"""


@needs_moodle
def test_reads_nested_categories_as_topic_paths() -> None:
    result = moodlexml.parse(FIXTURE.read_text())

    assert result.errors == []
    assert [(item.content.name, item.content.topic_path) for item in result.items] == [
        ("Iota Question", ["Iota"]),
        ("Kappa Question", ["Iota", "Kappa"]),
        ("Lambda Question", ["Iota", "Kappa", "Lambda"]),
        ("Mu Question", ["Iota", "Mu"]),
    ]
    iota = result.items[0]
    assert iota.where == {"question": "Iota Question"}
    assert iota.content.stem == "Testing Iota Question"
    assert iota.content.lead_in == "True or false?"
    assert [(o.text, o.is_correct, o.why_not) for o in iota.content.options] == [
        ("True", True, ""),
        ("False", False, ""),
    ]


@needs_moodle
def test_lists_the_essay_as_skipped_with_its_name_and_reason() -> None:
    result = moodlexml.parse(FIXTURE.read_text())

    assert result.skipped == [
        {
            "name": "Kappa Essay Question",
            "reason": "essay questions are not supported "
            "(only single-best-answer, multiple-response and true/false)",
        }
    ]


@needs_moodle
@pytest.mark.django_db
def test_imports_the_category_tree_below_the_given_topic(instructor: User) -> None:
    report = import_questions(
        text=FIXTURE.read_text(), fmt="moodlexml", by=instructor, topic_path=["Moodle"]
    )

    assert (report.created, report.updated, report.errors) == (4, 0, [])
    labels = {q.name: q.topic.label for q in Question.objects.select_related("topic")}
    assert labels == {
        "Iota Question": "Moodle > Iota",
        "Kappa Question": "Moodle > Iota > Kappa",
        "Lambda Question": "Moodle > Iota > Kappa > Lambda",
        "Mu Question": "Moodle > Iota > Mu",
    }


def test_multichoice_with_single_false_is_multiple_response_with_its_feedback() -> None:
    item = moodlexml.parse(MULTICHOICE).items[0]

    assert item.content.topic_path == ["Cardiology", "Heart failure"]
    assert item.content.question_type == "multiple"
    assert item.content.shuffle_options is False
    assert item.content.stem == "A 68-year-old man has an ejection fraction of 30%."
    assert item.content.lead_in == "Which drugs reduce his **mortality**?"
    assert [(o.text, o.is_correct, o.why_not) for o in item.content.options] == [
        ("Dapagliflozin", True, ""),
        ("Sacubitril&valsartan", True, ""),
        ("Digoxin", False, "Reduces admissions, *not* deaths."),
    ]
    assert item.content.explanation == {
        "why_correct": "SGLT2 inhibitor.\n\nThe four pillars each cut mortality."
    }
    assert item.content.tags == ["heart failure", "pharmacology"]


def test_refuses_entity_declarations() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><quiz>&b;</quiz>'
    )

    result = moodlexml.parse(bomb)

    assert result.items == []
    assert result.errors == [
        {
            "line": 1,
            "message": "The file declares a DTD or entities, which are refused for safety; "
            "export it from Moodle again.",
        }
    ]


def test_malformed_xml_is_reported_with_its_line() -> None:
    result = moodlexml.parse("<quiz>\n<question type='truefalse'>\n</quiz>")

    assert result.errors[0]["line"] == 3
    assert "not well-formed" in str(result.errors[0]["message"])


def test_a_question_with_a_bad_fraction_is_named_in_its_error() -> None:
    text = MULTICHOICE.replace('fraction="-100"', 'fraction="lots"')

    result = moodlexml.parse(text)

    assert result.errors == [
        {
            "question": "HFrEF pillars",
            "message": 'An answer has the fraction "lots", which is not a number.',
        }
    ]


def essentials(content: QuestionContent) -> tuple[object, ...]:
    return (
        content.topic_path,
        content.stem,
        content.lead_in,
        content.question_type,
        content.shuffle_options,
        [(o.text, o.is_correct, o.why_not) for o in content.options],
        {k: v for k, v in content.explanation.items() if v},
        sorted(normalise_tag(tag) for tag in content.tags),
    )


@pytest.mark.django_db
def test_export_then_import_preserves_stems_options_flags_and_feedback(
    instructor: User,
) -> None:
    originals = {
        "first-relapse-after-vtd": sample_content(),
        "crab": sample_content(
            name="crab",
            question_type="multiple",
            shuffle_options=False,
            stem="A woman has 40% marrow plasma cells & a <b>high</b> calcium.",
            lead_in="Which findings define myeloma?",
            options=[
                OptionContent("Calcium 3.1 mmol/L", is_correct=True),
                OptionContent("Creatinine 250 µmol/L", is_correct=True),
                OptionContent("Raised ESR", why_not="Not a CRAB criterion."),
            ],
        ),
        "tf": sample_content(
            name="tf",
            stem="Daratumumab targets CD38.",
            lead_in="True or false?",
            shuffle_options=False,
            options=[
                OptionContent("True", is_correct=True),
                OptionContent("False", why_not="It is an anti-CD38 antibody."),
            ],
        ),
    }
    for content in originals.values():
        services.create_question(content=content, by=instructor)

    exported = export_questions(fmt="moodlexml")
    assert '<question type="truefalse">' in str(exported)
    Question.objects.all().delete()
    Topic.objects.all().delete()
    report = import_questions(text=str(exported), fmt="moodlexml", by=instructor)

    assert (report.created, report.errors) == (3, [])
    for name, original in originals.items():
        question = Question.objects.with_full_content().get(name=name)
        assert essentials(services.question_content(question)) == essentials(original)
