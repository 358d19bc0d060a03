"""The topic list, evidence summary pages, the summary editor and its review workflow."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains
from reversion.models import Version

from learners.models import User
from quizbank import services
from quizbank.content import ReferenceContent, SummaryContent, SummarySection
from quizbank.models import Status, SummaryReference, Topic, TopicSummary
from quizbank.views.topics import TopicEntry
from tests.quizbank.samples import TOPIC, sample_content

pytestmark = pytest.mark.django_db

GUIDELINE = "NCCN Clinical Practice Guidelines in Oncology: Multiple Myeloma."
TRIAL = "Dimopoulos MA, et al. Daratumumab in relapsed myeloma. N Engl J Med. 2016."


@pytest.fixture
def topic(db: None) -> Topic:
    return services.ensure_topic(TOPIC)


def summary_content(**overrides: Any) -> SummaryContent:
    content = SummaryContent(
        sections=[
            SummarySection(
                "From the guidelines",
                ["Refractory means progression within **60 days** of therapy [1]."],
            ),
            SummarySection("From the research", ["Switching class improves survival [2][1]."]),
        ],
        references=[
            ReferenceContent(GUIDELINE),
            ReferenceContent(TRIAL, url="https://www.nejm.org/doi/10.1056/NEJMoa1607751"),
        ],
    )
    for key, value in overrides.items():
        setattr(content, key, value)
    return content


def summary_sections_as_saved() -> list[dict[str, Any]]:
    return [{"heading": s.heading, "points": s.points} for s in summary_content().sections]


def write_summary(topic: Topic, by: User, status: str = Status.DRAFT) -> TopicSummary:
    return services.save_topic_summary(topic=topic, content=summary_content(), by=by, status=status)


def publish_question(path: list[str], name: str, by: User, status: str = Status.PUBLISHED) -> None:
    services.create_question(
        content=sample_content(topic_path=path, name=name), by=by, status=status
    )


def flatten(entries: list[TopicEntry], above: str = "") -> dict[str, tuple[int, bool]]:
    """Return {label: (question count, has a published summary)} for the whole tree."""
    rows: dict[str, tuple[int, bool]] = {}
    for entry in entries:
        label = f"{above} > {entry.topic.name}" if above else entry.topic.name
        rows[label] = (entry.question_count, entry.has_published_summary)
        rows.update(flatten(entry.children, label))
    return rows


def editor_data(
    sections: list[dict[str, str]],
    references: list[dict[str, str]],
    *,
    initial_sections: int = 0,
    initial_references: int = 0,
) -> dict[str, str]:
    """Return the POST data of the summary editor with these sections and references."""
    data = {
        "sections-TOTAL_FORMS": str(len(sections)),
        "sections-INITIAL_FORMS": str(initial_sections),
        "references-TOTAL_FORMS": str(len(references)),
        "references-INITIAL_FORMS": str(initial_references),
    }
    for prefix, forms in (("sections", sections), ("references", references)):
        for index, form in enumerate(forms):
            data.update({f"{prefix}-{index}-{key}": value for key, value in form.items()})
    return data


VALID_EDIT = editor_data(
    [
        {"heading": "From the guidelines", "points": "- Progression within 60 days [1].\n\n"},
        {"heading": "From the research", "points": "Class switch [2].\nSecond point [1][2]."},
    ],
    [{"citation": GUIDELINE, "url": ""}, {"citation": TRIAL, "url": "https://example.org/trial"}],
)


# The topic list ---------------------------------------------------------------------------------


def test_the_topic_list_shows_the_tree_with_published_questions_counted_up_the_tree(
    client_for: Any, student: User, instructor: User
) -> None:
    publish_question(TOPIC, "one", instructor)
    publish_question(TOPIC, "two", instructor)
    publish_question(TOPIC, "draft", instructor, status=Status.DRAFT)
    publish_question(["Hematology", "Anemia", "Iron deficiency"], "three", instructor)
    services.ensure_topic(["Cardiology", "Arrhythmia"])

    response = client_for(student).get("/topics/")

    assert response.status_code == 200
    assert flatten(response.context["tree"]) == {
        "Cardiology": (0, False),
        "Cardiology > Arrhythmia": (0, False),
        "Hematology": (3, False),
        "Hematology > Anemia": (1, False),
        "Hematology > Anemia > Iron deficiency": (1, False),
        "Hematology > Plasma cell disorders": (2, False),
        "Hematology > Plasma cell disorders > Relapsed and refractory myeloma": (2, False),
    }
    assertContains(response, '<h2 id="topic-', count=2)
    assertContains(response, "3 published questions")
    assertContains(response, "1 published question<")


def test_the_topic_list_links_to_published_summaries_only(
    client_for: Any, student: User, instructor: User, topic: Topic
) -> None:
    write_summary(topic, instructor, status=Status.PUBLISHED)
    draft_topic = services.ensure_topic(["Hematology", "Anemia"])
    write_summary(draft_topic, instructor)

    response = client_for(student).get("/topics/")

    rows = flatten(response.context["tree"])
    assert rows["Hematology > Plasma cell disorders > Relapsed and refractory myeloma"][1]
    assert not rows["Hematology > Anemia"][1]
    assertContains(
        response,
        f'<a class="topic-summary" href="/topics/{topic.pk}/">Evidence summary'
        '<span class="visually-hidden"> for Relapsed and refractory myeloma</span></a>',
        html=True,
    )
    assertContains(response, 'class="topic-summary"', count=1)
    assertNotContains(response, f'href="/topics/{draft_topic.pk}/"')


def test_instructors_see_every_topic_linked_and_each_summary_status(
    client_for: Any, instructor: User, topic: Topic
) -> None:
    write_summary(topic, instructor)

    response = client_for(instructor).get("/topics/")

    assertContains(response, f'<a href="/topics/{topic.pk}/">Relapsed and refractory myeloma</a>')
    assertContains(response, "Summary: draft")


def test_the_page_names_lead_to_the_topic_pages() -> None:
    # Another URL named "topic-list" or "topic-detail" (a DRF router's default names for a
    # "topic" basename) would silently take over every link to these pages.
    assert reverse("topic-list") == "/topics/"
    assert reverse("topic-detail", args=[7]) == "/topics/7/"


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    response = client.get("/topics/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("leaves", "topics"), [(3, 5), (45, 61)])
def test_the_topic_list_runs_a_fixed_number_of_queries(
    client_for: Any,
    student: User,
    instructor: User,
    django_assert_num_queries: Any,
    leaves: int,
    topics: int,
) -> None:
    for i in range(leaves):
        path = [f"Specialty {i // 12}", f"System {i // 4}", f"Topic {i}"]
        publish_question(path, f"q{i}", instructor)
        if i % 2:
            write_summary(services.ensure_topic(path), instructor, status=Status.PUBLISHED)
    assert Topic.objects.count() == topics
    client = client_for(student)

    # Session, user, the user's and the group's permissions, topics with summaries, counts.
    with django_assert_num_queries(6):
        response = client.get("/topics/")

    assert len(flatten(response.context["tree"])) == topics


# Reading a summary ------------------------------------------------------------------------------


def test_a_published_summary_shows_sections_points_linked_citations_and_references(
    client_for: Any, student: User, instructor: User, topic: Topic
) -> None:
    write_summary(topic, instructor, status=Status.PUBLISHED)

    response = client_for(student).get(f"/topics/{topic.pk}/")

    assert response.status_code == 200
    assertContains(response, html.escape(topic.label))
    assertContains(response, "<h3>From the guidelines</h3>", html=True)
    assertContains(response, "<h3>From the research</h3>", html=True)
    assertContains(response, "<strong>60 days</strong>")
    cite_1 = '<a href="#ref-1" title="Reference 1" rel="noopener noreferrer nofollow">[1]</a>'
    cite_2 = '<a href="#ref-2" title="Reference 2" rel="noopener noreferrer nofollow">[2]</a>'
    assertContains(response, cite_1, count=2)
    assertContains(response, cite_2 + cite_1)
    assertContains(response, f'<li id="ref-1" tabindex="-1">{GUIDELINE}</li>', html=True)
    assertContains(
        response,
        f'<li id="ref-2" tabindex="-1">{TRIAL} <a href="https://www.nejm.org/doi/10.1056/'
        'NEJMoa1607751" rel="noopener noreferrer">https://www.nejm.org/doi/10.1056/NEJMoa1607751'
        "</a></li>",
        html=True,
    )
    assertNotContains(response, "Status:")
    assertNotContains(response, "/summary/edit/")


def test_citations_in_inline_code_and_unsafe_reference_urls_are_not_links(
    client_for: Any, student: User, instructor: User, topic: Topic
) -> None:
    content = summary_content(
        sections=[SummarySection("Notes", ["Write `[1]` to cite; this cites [1]."])],
        references=[ReferenceContent(GUIDELINE, url="https://example.org/guideline")],
    )
    services.save_topic_summary(topic=topic, content=content, by=instructor, status="published")
    # As a row written before links had to be http(s) (the services refuse it now).
    SummaryReference.objects.update(url="javascript:alert(1)")

    response = client_for(student).get(f"/topics/{topic.pk}/")

    assertContains(response, "<code>[1]</code>")
    assertContains(response, 'href="#ref-1"', count=1)
    assertNotContains(response, "javascript:")


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.RETIRED])
def test_students_never_see_an_unpublished_summary(
    client_for: Any, student: User, instructor: User, topic: Topic, status: str
) -> None:
    write_summary(topic, instructor, status=status)

    response = client_for(student).get(f"/topics/{topic.pk}/")

    assert response.status_code == 200
    assertContains(response, "There is no evidence summary for this topic yet.")
    assertNotContains(response, "From the guidelines")
    assertNotContains(response, GUIDELINE)


def test_an_unknown_topic_is_not_found(client_for: Any, student: User) -> None:
    assert client_for(student).get("/topics/999999/").status_code == 404


def test_instructors_see_a_draft_with_its_status_edit_link_and_actions(
    client_for: Any, instructor: User, topic: Topic
) -> None:
    write_summary(topic, instructor)

    response = client_for(instructor).get(f"/topics/{topic.pk}/")

    assertContains(response, "Status: <strong>Draft</strong>")
    assertContains(response, "From the guidelines")
    assertContains(response, f'href="/topics/{topic.pk}/summary/edit/"')
    assertContains(response, f'href="/topics/{topic.pk}/summary/history/"')
    assertContains(response, '<button type="submit" class="button">Submit for review</button>')
    assertNotContains(response, ">Publish")


def test_a_topic_without_a_summary_invites_instructors_to_write_one(
    client_for: Any, instructor: User, student: User, topic: Topic
) -> None:
    invitation = "Write the evidence summary"

    assertContains(client_for(instructor).get(f"/topics/{topic.pk}/"), invitation)
    assertNotContains(client_for(student).get(f"/topics/{topic.pk}/"), invitation)


# Authoring --------------------------------------------------------------------------------------

AUTHORING_PATHS = ["summary/edit/", "summary/status/", "summary/history/"]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("path", AUTHORING_PATHS)
def test_students_are_refused_every_authoring_url(
    client_for: Any, student: User, instructor: User, topic: Topic, path: str, method: str
) -> None:
    summary = write_summary(topic, instructor, status=Status.IN_REVIEW)
    data = {**VALID_EDIT, "to": Status.PUBLISHED}

    response = getattr(client_for(student), method)(f"/topics/{topic.pk}/{path}", data)

    assert response.status_code == 403
    summary.refresh_from_db()
    assert summary.status == Status.IN_REVIEW
    assert summary.sections == summary_sections_as_saved()


def test_an_instructor_writes_a_new_summary_starting_from_the_usual_headings(
    client_for: Any, instructor: User, topic: Topic
) -> None:
    client = client_for(instructor)
    form_page = client.get(f"/topics/{topic.pk}/summary/edit/")
    assertContains(form_page, 'value="From the guidelines"')
    assertContains(form_page, 'value="From the research"')

    response = client.post(f"/topics/{topic.pk}/summary/edit/", VALID_EDIT)

    assert response.status_code == 302
    assert response["Location"] == f"/topics/{topic.pk}/"
    summary = TopicSummary.objects.get(topic=topic)
    assert summary.status == Status.DRAFT
    assert summary.author == instructor
    assert summary.sections == [
        {"heading": "From the guidelines", "points": ["Progression within 60 days [1]."]},
        {"heading": "From the research", "points": ["Class switch [2].", "Second point [1][2]."]},
    ]
    assert [(r.citation, r.url) for r in summary.references.all()] == [
        (GUIDELINE, ""),
        (TRIAL, "https://example.org/trial"),
    ]
    assertContains(client.get(response["Location"]), "The evidence summary is saved.")


def test_a_suggested_section_left_untouched_is_skipped(
    client_for: Any, instructor: User, topic: Topic
) -> None:
    data = editor_data(
        [
            {"heading": "From the guidelines", "points": "Only point [1]."},
            {"heading": "From the research", "points": ""},
        ],
        [{"citation": GUIDELINE, "url": ""}, {"citation": "", "url": ""}],
    )

    response = client_for(instructor).post(f"/topics/{topic.pk}/summary/edit/", data)

    assert response.status_code == 302
    assert TopicSummary.objects.get(topic=topic).sections == [
        {"heading": "From the guidelines", "points": ["Only point [1]."]}
    ]


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ("Switching class helps.", "cites no reference"),
        ("Switching class helps [3].", "[3] in &quot;From the research&quot; has no matching"),
    ],
)
def test_an_invalid_summary_shows_its_errors_and_saves_nothing(
    client_for: Any, instructor: User, topic: Topic, points: str, message: str
) -> None:
    data = editor_data(
        [{"heading": "From the research", "points": points}], [{"citation": GUIDELINE, "url": ""}]
    )

    response = client_for(instructor).post(f"/topics/{topic.pk}/summary/edit/", data)

    assert response.status_code == 200
    assertContains(response, "The summary was not saved")
    assertContains(response, message)
    assertContains(response, points)
    assert not TopicSummary.objects.exists()


def test_an_edit_that_fails_validation_leaves_the_saved_summary_as_it_was(
    client_for: Any, instructor: User, topic: Topic
) -> None:
    summary = write_summary(topic, instructor)
    data = editor_data(
        [{"heading": "From the guidelines", "points": "No citation here.", "ORDER": "1"}],
        [{"citation": GUIDELINE, "url": "", "ORDER": "1"}],
        initial_sections=1,
        initial_references=1,
    )

    response = client_for(instructor).post(f"/topics/{topic.pk}/summary/edit/", data)

    assertContains(response, "cites no reference")
    summary.refresh_from_db()
    assert summary.sections == summary_sections_as_saved()
    assert summary.references.count() == 2


def test_the_editor_shows_the_saved_summary_for_editing(
    client_for: Any, instructor: User, topic: Topic
) -> None:
    write_summary(topic, instructor)

    response = client_for(instructor).get(f"/topics/{topic.pk}/summary/edit/")

    assertContains(response, "Edit the evidence summary")
    assertContains(response, 'name="sections-INITIAL_FORMS" value="2"')
    assertContains(response, "Switching class improves survival [2][1].</textarea>")
    assertContains(response, 'name="references-INITIAL_FORMS" value="2"')
    assertContains(response, "<legend>Reference [2]</legend>")


def test_reordering_and_removing_references_renumbers_the_citations(
    client_for: Any, instructor: User, topic: Topic
) -> None:
    write_summary(topic, instructor)
    data = editor_data(
        [
            {
                "heading": "From the guidelines",
                "points": "Defined by the guideline [1].",
                "ORDER": "2",
            },
            {"heading": "From the research", "points": "A trial [3], a review [4].", "ORDER": "1"},
        ],
        [
            {"citation": GUIDELINE, "url": "", "ORDER": "3"},
            {"citation": TRIAL, "url": "", "ORDER": "1", "DELETE": "on"},
            {"citation": "A later trial.", "url": "", "ORDER": "1"},
            {"citation": "A review.", "url": "", "ORDER": "2"},
        ],
        initial_sections=2,
        initial_references=2,
    )

    response = client_for(instructor).post(f"/topics/{topic.pk}/summary/edit/", data)

    assert response.status_code == 302
    summary = TopicSummary.objects.get(topic=topic)
    assert [r.citation for r in summary.references.all()] == [
        "A later trial.",
        "A review.",
        GUIDELINE,
    ]
    assert summary.sections == [
        {"heading": "From the research", "points": ["A trial [1], a review [2]."]},
        {"heading": "From the guidelines", "points": ["Defined by the guideline [3]."]},
    ]


def test_citing_a_reference_marked_for_removal_is_refused(
    client_for: Any, instructor: User, topic: Topic
) -> None:
    write_summary(topic, instructor)
    data = editor_data(
        [{"heading": "From the research", "points": "A trial [2]."}],
        [{"citation": GUIDELINE, "url": ""}, {"citation": TRIAL, "url": "", "DELETE": "on"}],
        initial_sections=1,
        initial_references=2,
    )

    response = client_for(instructor).post(f"/topics/{topic.pk}/summary/edit/", data)

    assertContains(response, "[2] in &quot;From the research&quot; cites a reference marked")
    assert TopicSummary.objects.get(topic=topic).references.count() == 2


def test_an_author_cannot_edit_their_summary_while_it_is_in_review(
    client_for: Any, instructor: User, reviewer: User, topic: Topic
) -> None:
    write_summary(topic, instructor, status=Status.IN_REVIEW)

    assert client_for(instructor).get(f"/topics/{topic.pk}/summary/edit/").status_code == 403
    assert client_for(reviewer).get(f"/topics/{topic.pk}/summary/edit/").status_code == 200


# The review workflow ----------------------------------------------------------------------------


def change_status(client: Client, topic: Topic, to: str) -> Any:
    return client.post(f"/topics/{topic.pk}/summary/status/", {"to": to}, follow=True)


def status_of(topic: Topic) -> str:
    return TopicSummary.objects.get(topic=topic).status


def test_the_author_submits_and_another_instructor_publishes(
    client_for: Any, instructor: User, reviewer: User, student: User, topic: Topic
) -> None:
    write_summary(topic, instructor)
    author, other = client_for(instructor), client_for(reviewer)

    submitted = change_status(author, topic, Status.IN_REVIEW)
    assertContains(submitted, "The evidence summary is now in review.")
    refused = author.post(f"/topics/{topic.pk}/summary/status/", {"to": Status.PUBLISHED})
    assert refused.status_code == 403
    assert status_of(topic) == Status.IN_REVIEW
    assertContains(other.get(f"/topics/{topic.pk}/"), ">Publish</button>")

    published = change_status(other, topic, Status.PUBLISHED)

    assertContains(published, "The evidence summary is now published.")
    assert status_of(topic) == Status.PUBLISHED
    assertContains(client_for(student).get(f"/topics/{topic.pk}/"), GUIDELINE)


def test_an_admin_may_publish_a_draft_directly(
    client_for: Any, instructor: User, admin_user: User, topic: Topic
) -> None:
    write_summary(topic, instructor)
    admin = client_for(admin_user)
    assertContains(admin.get(f"/topics/{topic.pk}/"), ">Publish without review</button>")

    change_status(admin, topic, Status.PUBLISHED)

    assert status_of(topic) == Status.PUBLISHED


def test_a_change_the_workflow_does_not_allow_is_explained(
    client_for: Any, instructor: User, reviewer: User, topic: Topic
) -> None:
    write_summary(topic, instructor)

    response = change_status(client_for(reviewer), topic, Status.RETIRED)

    assertContains(response, "A draft summary cannot become retired.")
    assert status_of(topic) == Status.DRAFT


def test_an_unknown_status_is_explained(client_for: Any, instructor: User, topic: Topic) -> None:
    write_summary(topic, instructor)

    response = change_status(client_for(instructor), topic, "approved")

    assertContains(response, "Unknown status &quot;approved&quot;.")


def test_status_changes_are_post_only(client_for: Any, instructor: User, topic: Topic) -> None:
    write_summary(topic, instructor)

    assert client_for(instructor).get(f"/topics/{topic.pk}/summary/status/").status_code == 405


def test_the_history_lists_each_revision_with_its_user_and_comment(
    client_for: Any, instructor: User, reviewer: User, topic: Topic
) -> None:
    write_summary(topic, instructor)
    change_status(client_for(instructor), topic, Status.IN_REVIEW)
    change_status(client_for(reviewer), topic, Status.PUBLISHED)

    response = client_for(instructor).get(f"/topics/{topic.pk}/summary/history/")

    assert response.status_code == 200
    page = response.content.decode()
    newest_first = ["Status: Published", "Status: In review", "Saved evidence summary"]
    positions = [page.index(f"<strong>{comment}</strong>") for comment in newest_first]
    assert positions == sorted(positions)
    assert page.count("by rita-reviewer") == 1
    assert page.count("by ingrid-instructor") == 2


# The link from a question's explanation -----------------------------------------------------------


def link_for(topic: Topic | None) -> str:
    return render_to_string("quizbank/includes/topic_summary_link.html", {"topic": topic})


def test_the_summary_link_goes_to_the_nearest_published_summary_up_the_tree(
    instructor: User, topic: Topic
) -> None:
    specialty = services.ensure_topic(TOPIC[:1])
    system = services.ensure_topic(TOPIC[:2])
    write_summary(specialty, instructor, status=Status.PUBLISHED)
    assert f'href="/topics/{specialty.pk}/">Evidence summary: Hematology</a>' in link_for(topic)

    write_summary(system, instructor, status=Status.PUBLISHED)
    write_summary(topic, instructor, status=Status.IN_REVIEW)

    assert (
        f'<a href="/topics/{system.pk}/">Evidence summary: Plasma cell disorders</a>'
        in link_for(topic)
    )


def test_the_summary_link_is_empty_without_a_published_summary_above(
    instructor: User, topic: Topic
) -> None:
    write_summary(topic, instructor)
    elsewhere = services.ensure_topic(["Cardiology"])
    write_summary(elsewhere, instructor, status=Status.PUBLISHED)
    # Topics keep their siblings in name order, so adding Cardiology moved Hematology's subtree.
    topic.refresh_from_db()

    assert link_for(topic).strip() == ""
    assert link_for(None).strip() == ""


def test_saving_an_unchanged_summary_records_no_revision(instructor: User, topic: Topic) -> None:
    summary = write_summary(topic, instructor)
    before = Version.objects.get_for_object(summary).count()

    services.save_topic_summary(
        topic=topic, content=services.summary_content(summary), by=instructor
    )

    assert Version.objects.get_for_object(summary).count() == before
