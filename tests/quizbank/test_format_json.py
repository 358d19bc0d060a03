"""The platform's JSON format: a lossless round trip, and errors that name the question."""

from __future__ import annotations

import json
from typing import Any

import pytest

from learners.models import User
from quizbank import services
from quizbank.content import OptionContent, ReferenceContent, SummaryContent, SummarySection
from quizbank.exporting import export_questions
from quizbank.formats import native_json
from quizbank.importing import import_questions
from quizbank.models import Question, Status, Topic, TopicSummary
from tests.quizbank.samples import TOPIC, sample_content

pytestmark = pytest.mark.django_db

CASE = {
    "age": 62,
    "prior_lines": 1,
    "exposed": ["bortezomib", "lenalidomide"],
    "refractory": {"lenalidomide": False},
}


def build_bank(author: User) -> None:
    services.create_question(
        content=sample_content(decision_model="rrmm-salvage", decision_case=CASE, difficulty=0.7),
        by=author,
        status=Status.PUBLISHED,
    )
    services.create_question(
        content=sample_content(
            name="",
            topic_path=["Hematology", "Plasma cell disorders"],
            question_type="multiple",
            stem="A man has a paraprotein of 12 g/L and no end-organ damage.",
            lead_in="Which tests come next?",
            shuffle_options=False,
            options=[
                OptionContent("Serum free light chains", is_correct=True),
                OptionContent("Whole-body low-dose CT", is_correct=True),
                OptionContent("None of the above", why_not="Staging is needed."),
            ],
            explanation={"why_correct": "Exclude myeloma.", "mnemonic": "SLiM CRAB"},
            references=[ReferenceContent("IMWG criteria 2014.", "https://example.org/imwg")],
            tags=["mgus"],
        ),
        by=author,
    )
    services.save_topic_summary(
        topic=services.ensure_topic(TOPIC),
        content=SummaryContent(
            sections=[
                SummarySection("From the guidelines", ["Switch class at first relapse [1]."]),
                SummarySection("From the research", ["Anti-CD38 triplets win [1][2]."]),
            ],
            references=[
                ReferenceContent("NCCN Guidelines: Multiple Myeloma."),
                ReferenceContent("Dimopoulos MA, et al. Lancet Oncol. 2020.", "https://x.org/1"),
            ],
        ),
        by=author,
        status=Status.PUBLISHED,
    )
    services.ensure_topic(["Cardiology"])


def empty_the_bank() -> None:
    Question.objects.all().delete()
    TopicSummary.objects.all().delete()
    Topic.objects.all().delete()


def test_export_import_into_an_empty_bank_and_export_again_gives_the_same_file(
    instructor: User, admin_user: User
) -> None:
    build_bank(instructor)
    first = export_questions(fmt="json")

    empty_the_bank()
    report = import_questions(text=str(first), fmt="json", by=admin_user, publish=True)
    second = export_questions(fmt="json")

    assert (report.created, report.errors) == (2, [])
    assert second == first
    data = json.loads(str(first))
    published = next(q for q in data["questions"] if q["name"] == "first-relapse-after-vtd")
    assert published["decision"] == {"model": "rrmm-salvage", "case": CASE}
    assert published["status"] == "published"
    assert published["explanation"]["pearl"] == "Switch class."
    assert data["topics"][-1]["summary"]["references"][1] == {
        "citation": "Dimopoulos MA, et al. Lancet Oncol. 2020.",
        "url": "https://x.org/1",
    }
    assert TopicSummary.objects.get().status == Status.PUBLISHED


def test_the_export_has_the_documented_shape(instructor: User) -> None:
    build_bank(instructor)

    data = json.loads(str(export_questions(fmt="json")))

    assert (data["format"], data["version"]) == ("mcq-practice", 1)
    assert [topic["path"] for topic in data["topics"]] == [
        ["Cardiology"],
        ["Hematology"],
        ["Hematology", "Plasma cell disorders"],
        TOPIC,
    ]
    question = data["questions"][0]
    assert list(question) == [
        "name",
        "topic",
        "type",
        "status",
        "stem",
        "lead_in",
        "shuffle_options",
        "options",
        "explanation",
        "references",
        "tags",
        "difficulty",
    ]
    # An unnamed question is given its stable name in the file.
    assert question["name"].startswith("a-man-has-a-paraprotein-of-")
    assert question["options"][2] == {
        "text": "None of the above",
        "is_correct": False,
        "why_not": "Staging is needed.",
    }


def test_without_publish_every_question_and_summary_arrives_as_a_draft(
    instructor: User,
) -> None:
    build_bank(instructor)
    text = str(export_questions(fmt="json"))
    empty_the_bank()

    import_questions(text=text, fmt="json", by=instructor)

    assert set(Question.objects.values_list("status", flat=True)) == {Status.DRAFT}
    assert TopicSummary.objects.get().status == Status.DRAFT


def document(**question: Any) -> str:
    entry = {
        "name": "q1",
        "topic": ["Renal"],
        "stem": "A stem.",
        "lead_in": "Which?",
        "options": [{"text": "A", "is_correct": True}, {"text": "B"}],
        "explanation": {},
    }
    entry.update(question)
    return json.dumps({"format": "mcq-practice", "version": 1, "questions": [entry]})


def test_field_errors_name_the_question(instructor: User) -> None:
    report = import_questions(
        text=document(options=[{"text": "A", "is_correct": "yes"}, {"text": "B"}]),
        fmt="json",
        by=instructor,
    )

    assert report.errors == [
        {"question": "q1", "message": '"is_correct" of option 1 must be true or false.'}
    ]
    assert not Question.objects.exists()


def test_rule_errors_name_the_question_and_the_field(instructor: User) -> None:
    report = import_questions(
        text=document(options=[{"text": "A"}, {"text": "a "}]), fmt="json", by=instructor
    )

    assert report.errors == [
        {"question": "q1", "message": "options: Options A and B have the same text."},
        {"question": "q1", "message": "options: No option is marked correct."},
    ]


def test_a_summary_point_without_a_citation_stops_the_import(instructor: User) -> None:
    data = json.loads(document())
    data["topics"] = [
        {
            "path": ["Renal"],
            "summary": {"sections": [{"heading": "Guidelines", "points": ["Uncited."]}]},
        }
    ]

    report = import_questions(text=json.dumps(data), fmt="json", by=instructor)

    assert report.errors == [
        {
            "question": "topic Renal",
            "message": 'summary: A point in "Guidelines" cites no reference: "Uncited.".',
        }
    ]
    assert not Topic.objects.exists()


def test_a_file_that_is_not_this_format_is_refused() -> None:
    assert native_json.parse('{"questions": []}').errors == [
        {"line": 1, "message": 'This is not a question file: "format" must be "mcq-practice".'}
    ]
    assert native_json.parse('{"format": "mcq-practice", "version": 2}').errors == [
        {"line": 1, "message": "Unknown version 2: this reads 1."}
    ]
    assert native_json.parse('{\n  "format": \n}').errors == [
        {"line": 3, "message": "The file is not valid JSON: Expecting value (column 1)."}
    ]


def test_an_unknown_status_is_an_error_on_its_question(admin_user: User) -> None:
    report = import_questions(
        text=document(status="archived"), fmt="json", by=admin_user, publish=True
    )

    assert report.errors == [
        {
            "question": "q1",
            "message": 'status: "archived" is not a status; '
            "use one of draft, in_review, published, retired.",
        }
    ]


def test_reimporting_a_changed_file_updates_every_field_in_place(
    instructor: User, admin_user: User
) -> None:
    build_bank(instructor)
    data = json.loads(str(export_questions(fmt="json")))
    before = Question.objects.get(name="first-relapse-after-vtd")
    edited = data["questions"][1]
    edited["decision"] = None
    edited["difficulty"] = -1.5
    edited["explanation"]["mechanism"] = "Cereblon binding."
    edited["options"][1]["why_not"] = "Saved for later lines."
    edited["options"][4]["is_correct"] = False
    edited["tags"] = ["myeloma"]
    edited["references"] = []

    # The author may not edit a published question; an admin (or another reviewer) may.
    report = import_questions(text=json.dumps(data), fmt="json", by=admin_user, publish=True)

    assert (report.created, report.updated, report.errors) == (0, 2, [])
    question = Question.objects.with_full_content().get(pk=before.pk)
    assert (question.decision_model, question.difficulty) == ("", -1.5)
    assert Question.objects.filter(pk=before.pk, decision_case__isnull=True).exists()
    assert question.mechanism == "Cereblon binding."
    assert [o.why_not for o in question.options.all()][1] == "Saved for later lines."
    assert [t.name for t in question.tags.all()] == ["myeloma"]
    assert not question.references.exists()
    assert question.updated_at > before.updated_at
    assert question.status == Status.PUBLISHED
    assert len(services.question_history(question)) == 2
