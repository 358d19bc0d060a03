"""A reference links only to an http(s) address: every way in refuses any other scheme, rows
stored before the rule are cleared by a migration, and pages never link to anything else."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from learners.models import User
from quizbank import services
from quizbank.content import ReferenceContent, SummaryContent, SummarySection
from quizbank.forms import ReferenceForm
from quizbank.importing import import_questions
from quizbank.models import Question, Reference, Status, SummaryReference
from tests.quizbank.samples import TOPIC, sample_content
from tests.quizbank.test_format_json import document

pytestmark = pytest.mark.django_db

BAD_LINKS = [
    "javascript:alert(5)",
    " JavaScript:alert(document.cookie)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "ftp://example.org/paper.pdf",
    "//example.org/no-scheme",
]


def api_payload(url: str) -> dict[str, Any]:
    return {
        "topic_path": TOPIC,
        "stem": "A stem.",
        "lead_in": "Which?",
        "options": [{"text": "A", "is_correct": True}, {"text": "B", "why_not": "No."}],
        "references": [{"citation": "A paper.", "url": url}],
    }


@pytest.mark.parametrize("url", BAD_LINKS)
def test_the_api_refuses_a_link_that_is_not_http_and_writes_nothing(
    client_for: Any, instructor: User, url: str
) -> None:
    client: Client = client_for(instructor)

    created = client.post("/api/v1/questions/", api_payload(url), content_type="application/json")

    assert created.status_code == 400
    assert "http:// or https://" in " ".join(created.json()["references"])
    assert not Question.objects.exists()


def test_the_api_refuses_a_bad_link_on_update_and_keeps_the_old_one(
    client_for: Any, instructor: User
) -> None:
    client: Client = client_for(instructor)
    created = client.post(
        "/api/v1/questions/", api_payload("https://example.org/a"), content_type="application/json"
    )
    url = f"/api/v1/questions/{created.json()['id']}/"

    changed = client.put(url, api_payload("javascript:alert(5)"), content_type="application/json")

    assert changed.status_code == 400
    assert set(changed.json()) == {"references"}
    assert Reference.objects.get().url == "https://example.org/a"


def test_the_api_keeps_an_https_link(client_for: Any, instructor: User) -> None:
    client: Client = client_for(instructor)
    body = api_payload("https://doi.org/10.1038/s41571-025-01041-x")

    created = client.post("/api/v1/questions/", body, content_type="application/json")

    assert created.status_code == 201
    assert Reference.objects.get().url == "https://doi.org/10.1038/s41571-025-01041-x"


# The form reads an address without a scheme as https, so "//example.org" is not among these.
@pytest.mark.parametrize("url", BAD_LINKS[:-1])
def test_the_authoring_form_names_the_link_field(url: str) -> None:
    form = ReferenceForm(data={"citation": "A paper.", "url": url})

    assert not form.is_valid()
    assert set(form.errors) == {"url"}


@pytest.mark.parametrize("url", ["javascript:alert(5)", "data:text/html,x"])
def test_an_import_with_a_bad_link_names_the_question_and_writes_nothing(
    instructor: User, url: str
) -> None:
    text = document(references=[{"citation": "A paper.", "url": url}])

    report = import_questions(text=text, fmt="json", by=instructor)

    assert [error["question"] for error in report.errors] == ["q1"]
    assert "references: Reference 1 links to" in str(report.errors[0]["message"])
    assert not Question.objects.exists()


def test_a_summary_refuses_a_bad_link(instructor: User) -> None:
    content = SummaryContent(
        sections=[SummarySection("From the guidelines", ["Switch class [1]."])],
        references=[ReferenceContent("A guideline.", "javascript:alert(5)")],
    )

    with pytest.raises(Exception) as refused:
        services.save_topic_summary(
            topic=services.ensure_topic(["Renal"]), content=content, by=instructor
        )

    assert "http:// or https://" in str(refused.value)
    assert not SummaryReference.objects.exists()


def test_a_stored_bad_link_is_shown_as_text_only(instructor: User, admin_user: User) -> None:
    question = services.create_question(
        content=sample_content(references=[ReferenceContent("A paper.", "https://x.org/a")]),
        by=instructor,
        status=Status.PUBLISHED,
    )
    # As a row written before the rule would be (the migration clears these; this is the
    # second line of defence).
    Reference.objects.filter(question=question).update(url="javascript:alert(5)")
    client = Client()
    client.force_login(admin_user)

    page = client.get(f"/authoring/questions/{question.pk}/").content.decode()

    assert "A paper." in page
    assert "javascript:" not in page
    assert Reference.objects.get().web_url == ""


def test_the_migration_clears_links_that_are_not_web_addresses(migrator: Any) -> None:
    old = migrator.apply_initial_migration(("quizbank", "0006_item_statistics"))
    OldTopic = old.apps.get_model("quizbank", "Topic")
    OldQuestion = old.apps.get_model("quizbank", "Question")
    OldReference = old.apps.get_model("quizbank", "Reference")
    OldSummary = old.apps.get_model("quizbank", "TopicSummary")
    OldSummaryReference = old.apps.get_model("quizbank", "SummaryReference")
    author = old.apps.get_model("learners", "User").objects.create(username="author")
    topic = OldTopic.objects.create(name="Renal", path="0001", depth=1)
    question = OldQuestion.objects.create(topic=topic, author=author, stem="S", lead_in="L")
    links = ["javascript:alert(5)", "https://x.org/a", "data:text/html,x", "HTTP://x.org/b", ""]
    for position, url in enumerate(links):
        OldReference.objects.create(
            question=question, position=position, citation=f"Paper {position}", url=url
        )
    summary = OldSummary.objects.create(topic=topic, sections=[], author=author)
    OldSummaryReference.objects.create(
        summary=summary, position=0, citation="Guide", url="javascript:x"
    )

    new = migrator.apply_tested_migration(("quizbank", "0007_reference_links_are_web_addresses"))

    references = new.apps.get_model("quizbank", "Reference").objects.order_by("position")
    assert [(r.citation, r.url) for r in references] == [
        ("Paper 0", ""),
        ("Paper 1", "https://x.org/a"),
        ("Paper 2", ""),
        ("Paper 3", "HTTP://x.org/b"),
        ("Paper 4", ""),
    ]
    assert new.apps.get_model("quizbank", "SummaryReference").objects.get().url == ""
