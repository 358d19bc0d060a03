"""The instructors' authoring pages: the question list, the editor, the preview and who may
reach them (the review steps are in test_review_views, the import page in test_import_views)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from pytest_django import DjangoAssertNumQueries
from reversion.models import Version

from learners.models import User
from quizbank import services
from quizbank.content import ReferenceContent, SummaryContent, SummarySection
from quizbank.models import Option, Question, ReviewEvent, Status, Tag, Topic
from tests.quizbank.samples import sample_content

pytestmark = pytest.mark.django_db

LIST_QUERIES = 13


def formset(prefix: str, rows: list[dict[str, Any]], *, initial: int = 0) -> dict[str, Any]:
    """Return the POST data of a formset; True ticks a checkbox, False leaves it out."""
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            if value is True:
                data[f"{prefix}-{index}-{key}"] = "on"
            elif value is not False and value is not None:
                data[f"{prefix}-{index}-{key}"] = value
    return data


FIVE_OPTIONS: list[dict[str, Any]] = [
    {"text": "Daratumumab, pomalidomide and dexamethasone", "is_correct": True},
    {"text": "Lenalidomide and dexamethasone", "why_not": "Refractory to lenalidomide."},
    {"text": "Autologous transplant again", "why_not": "Relapse came too early."},
    {"text": "Melphalan and prednisone", "why_not": "Outdated and myelotoxic."},
    {"text": "Best supportive care only", "why_not": "Fit patient with options left."},
]


def editor_data(
    *,
    options: list[dict[str, Any]] | None = None,
    references: list[dict[str, Any]] | None = None,
    initial_options: int = 0,
    initial_references: int = 0,
    **fields: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "topic": "",
        "new_topic": "Hematology > Plasma cell disorders > Multiple myeloma",
        "question_type": "single",
        "stem": "A 66-year-old woman relapses on lenalidomide maintenance.",
        "lead_in": "Which salvage regimen is best?",
        "shuffle_options": "on",
        "tags": "myeloma, Salvage therapy",
        "key_point": "Change class when refractory to lenalidomide.",
        "why_correct": "Anti-CD38 plus a new IMiD suits lenalidomide-refractory disease.",
        "high_yield": "",
        "mechanism": "",
        "pearl": "Refractory means progression on or within 60 days.",
        "mnemonic": "",
        "evidence": "",
        "decision_model": "",
        "decision_case": "",
    }
    data.update(fields)
    data.update(
        formset("options", FIVE_OPTIONS if options is None else options, initial=initial_options)
    )
    data.update(
        formset(
            "references",
            references or [{"citation": "IMWG consensus criteria."}],
            initial=initial_references,
        )
    )
    return data


def edit_rows(question: Question) -> list[dict[str, Any]]:
    """Return the option rows of the edit page as they are, ready to change and post."""
    return [
        {
            "id": option.pk,
            "text": option.text,
            "is_correct": option.is_correct,
            "why_not": option.why_not,
            "ORDER": position,
        }
        for position, option in enumerate(question.options.all(), start=1)
    ]


def saved_edit(client: Client, question: Question, **changes: Any) -> Any:
    """Post the edit page as it was filled in, with `changes`."""
    content = services.question_content(question)
    fields = {
        "topic": str(question.topic_id),
        "new_topic": "",
        "stem": content.stem,
        "lead_in": content.lead_in,
        "tags": ", ".join(content.tags),
        **content.explanation,
        "references": [{"citation": r.citation, "url": r.url} for r in content.references],
    }
    data = editor_data(
        options=changes.pop("options", edit_rows(question)),
        initial_options=question.options.count(),
        initial_references=question.references.count(),
        **{**fields, **changes},
    )
    return client.post(reverse("authoring-question-edit", args=[question.pk]), data)


# The question list ----------------------------------------------------------------------------


def content_with(**overrides: Any) -> Any:
    return sample_content(name="", **overrides)


@pytest.fixture
def two_questions(instructor: User, reviewer: User) -> tuple[Question, Question]:
    myeloma = services.create_question(
        content=content_with(
            lead_in="Which myeloma regimen?",
            stem="Bone pain and hypercalcaemia in a 70-year-old.",
            decision_model="rrmm-salvage",
        ),
        by=instructor,
    )
    services.submit_for_review(question=myeloma, by=instructor)
    heart = services.create_question(
        content=content_with(
            topic_path=["Cardiology", "Heart failure"],
            lead_in="Which heart failure drug?",
            stem="Breathless on exertion with an ejection fraction of 30%.",
            tags=["heart-failure"],
        ),
        by=reviewer,
    )
    return myeloma, heart


def test_the_list_shows_each_question_with_its_topic_label_status_and_author(
    client_for: Any, instructor: User, two_questions: tuple[Question, Question]
) -> None:
    response = client_for(instructor).get(reverse("authoring-home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Which myeloma regimen?" in html
    assert escape("Hematology > Plasma cell disorders > Relapsed and refractory myeloma") in html
    assert "In review" in html
    assert "rita-reviewer" in html
    assert "2 questions" in html


def test_search_finds_questions_by_their_stem_text(
    client_for: Any, instructor: User, two_questions: tuple[Question, Question]
) -> None:
    response = client_for(instructor).get(reverse("authoring-home"), {"q": "ejection fraction"})

    html = response.content.decode()
    assert "Which heart failure drug?" in html
    assert "Which myeloma regimen?" not in html


@pytest.mark.parametrize(
    "params",
    [
        {"topic": "hematology-root"},
        {"tag": "myeloma"},
        {"status": "in_review"},
        {"author": "ingrid-instructor"},
        {"decision_model": "rrmm-salvage"},
    ],
    ids=["topic-with-subtopics", "tag", "status", "author", "decision-model"],
)
def test_each_filter_keeps_only_the_matching_questions(
    client_for: Any,
    instructor: User,
    two_questions: tuple[Question, Question],
    params: dict[str, str],
) -> None:
    if params.get("topic") == "hematology-root":
        params = {"topic": str(Topic.objects.get(name="Hematology").pk)}

    response = client_for(instructor).get(reverse("authoring-home"), params)

    html = response.content.decode()
    assert "Which myeloma regimen?" in html
    assert "Which heart failure drug?" not in html
    assert "1 question" in html


def make_many(count: int, *, author: User, prefix: str = "Bulk") -> list[Question]:
    """Insert `count` questions in a few queries, each with a tag, spread over two topics."""
    leaf = services.ensure_topic(["Nephrology", "Glomerular disease"])
    topics = [Topic.objects.get(name="Nephrology"), leaf]
    questions = Question.objects.bulk_create(
        Question(
            topic=topics[i % 2],
            author=author,
            stem=f"{prefix} stem {i}",
            lead_in=f"{prefix} lead-in {i}",
            decision_model="model-a" if i % 3 else "",
        )
        for i in range(count)
    )
    tags = [Tag.objects.create(name="bulk"), Tag.objects.create(name="renal")]
    through = Question.tags.through
    through.objects.bulk_create(
        through(question_id=question.pk, tag_id=tag.pk) for question in questions for tag in tags
    )
    return questions


def test_the_list_is_paginated_and_its_links_keep_the_search(
    client_for: Any, instructor: User
) -> None:
    make_many(30, author=instructor)
    client = client_for(instructor)

    first = client.get(reverse("authoring-home"), {"q": "Bulk"}).content.decode()
    second = client.get(reverse("authoring-home"), {"q": "Bulk", "page": 2}).content.decode()

    assert first.count('class="question-row"') == 25
    assert "Page 1 of 2" in first
    assert "?q=Bulk&amp;page=2" in first
    assert second.count('class="question-row"') == 5


@pytest.mark.parametrize("count", [10, 500])
def test_the_list_runs_the_same_queries_whatever_the_bank_size(
    client_for: Any,
    instructor: User,
    reviewer: User,
    django_assert_num_queries: DjangoAssertNumQueries,
    count: int,
) -> None:
    questions = make_many(count, author=instructor)
    Question.objects.filter(pk__in=[q.pk for q in questions[::2]]).update(author=reviewer)
    client = client_for(instructor)

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("authoring-home"), {"status": "draft", "page": 1})

    assert response.status_code == 200


# Creating and editing -------------------------------------------------------------------------


def test_a_valid_new_question_is_saved_as_a_draft(client_for: Any, instructor: User) -> None:
    response = client_for(instructor).post(reverse("authoring-question-new"), editor_data())

    question = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("authoring-question", args=[question.pk])
    assert question.status == Status.DRAFT
    assert question.author == instructor
    assert question.topic.label == "Hematology > Plasma cell disorders > Multiple myeloma"
    assert [o.text for o in question.options.all()] == [row["text"] for row in FIVE_OPTIONS]
    assert question.correct_options()[0].text.startswith("Daratumumab")
    assert question.pearl == "Refractory means progression on or within 60 days."
    assert [t.name for t in question.tags.all()] == ["myeloma", "salvage-therapy"]
    assert question.references.get().citation == "IMWG consensus criteria."


def test_the_new_question_page_offers_five_blank_options_and_existing_topics(
    client_for: Any, instructor: User, draft: Question
) -> None:
    html = client_for(instructor).get(reverse("authoring-question-new")).content.decode()

    assert 'name="options-TOTAL_FORMS" value="5"' in html
    assert "<legend>Option E</legend>" in html
    assert escape("Hematology > Plasma cell disorders > Relapsed and refractory myeloma") in html


def test_an_existing_topic_can_be_chosen_from_the_list(
    client_for: Any, instructor: User, draft: Question
) -> None:
    data = editor_data(new_topic="", topic=str(draft.topic_id))

    client_for(instructor).post(reverse("authoring-question-new"), data)

    assert Question.objects.latest("pk").topic == draft.topic


def test_an_invalid_question_shows_each_error_beside_its_field_and_saves_nothing(
    client_for: Any, instructor: User
) -> None:
    options = [{**row, "is_correct": False} for row in FIVE_OPTIONS]
    data = editor_data(options=options, stem=" ", lead_in="", new_topic="")

    response = client_for(instructor).post(reverse("authoring-question-new"), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<ul class="errorlist" id="id_stem_error"><li>The vignette (stem) is empty.' in html
    assert '<ul class="errorlist" id="id_lead_in_error"><li>The lead-in question is empty.' in html
    assert '<ul class="errorlist" id="id_topic_error"><li>Choose a topic.' in html
    assert "No option is marked correct." in html
    assert html.index("No option is marked correct.") < html.index("<legend>Option A</legend>")
    assert Question.objects.count() == 0
    assert Topic.objects.count() == 0


def test_an_empty_reference_citation_is_reported_above_the_references(
    client_for: Any, instructor: User
) -> None:
    data = editor_data(references=[{"citation": "", "url": "https://example.org/trial"}])

    html = client_for(instructor).post(reverse("authoring-question-new"), data).content.decode()

    assert "Reference 1 has no citation." in html
    assert html.index("Reference 1 has no citation.") < html.index("<legend>Reference 1</legend>")
    assert Question.objects.count() == 0


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ('{"age": 66,}', "This is not valid JSON: Expecting property name"),
        ("[1, 2]", "The decision case must be a JSON object"),
    ],
)
def test_a_malformed_decision_case_is_refused_with_a_clear_error(
    client_for: Any, instructor: User, case: str, message: str
) -> None:
    data = editor_data(decision_model="rrmm-salvage", decision_case=case)

    html = client_for(instructor).post(reverse("authoring-question-new"), data).content.decode()

    assert f'<ul class="errorlist" id="id_decision_case_error"><li>{message}' in html
    assert Question.objects.count() == 0


def test_the_decision_model_and_case_are_saved_as_json(client_for: Any, instructor: User) -> None:
    data = editor_data(decision_model="rrmm-salvage", decision_case='{"age": 66, "lines": 1}')

    client_for(instructor).post(reverse("authoring-question-new"), data)

    question = Question.objects.get()
    assert question.decision_model == "rrmm-salvage"
    assert question.decision_case == {"age": 66, "lines": 1}


def test_the_edit_page_shows_the_saved_content(
    client_for: Any, instructor: User, draft: Question
) -> None:
    html = client_for(instructor).get(reverse("authoring-question-edit", args=[draft.pk]))

    text = html.content.decode()
    assert "Pomalidomide plus dexamethasone" in text
    assert "Kept for refractory disease." in text
    assert f'name="options-0-id" value="{draft.options.first().pk}"' in text  # type: ignore[union-attr]
    assert "myeloma, salvage-therapy" in text


def test_editing_keeps_the_ids_of_the_options_that_stay(
    client_for: Any, instructor: User, draft: Question
) -> None:
    before = list(draft.options.values_list("pk", flat=True))
    rows = edit_rows(draft)
    rows[1]["text"] = "Pomalidomide, bortezomib and dexamethasone"

    response = saved_edit(client_for(instructor), draft, options=rows)

    assert response.status_code == 302
    assert list(draft.options.values_list("pk", flat=True)) == before
    assert draft.options.get(pk=before[1]).text == "Pomalidomide, bortezomib and dexamethasone"


def test_options_are_reordered_removed_and_added_with_plain_form_fields(
    client_for: Any, instructor: User, draft: Question
) -> None:
    ids = list(draft.options.values_list("pk", flat=True))
    rows = edit_rows(draft)
    rows[0]["ORDER"], rows[4]["ORDER"] = 5, 1
    rows[2]["DELETE"] = True
    rows.append({"text": "Selinexor and dexamethasone", "why_not": "Later lines.", "ORDER": ""})
    rows.append({"text": "", "why_not": "", "ORDER": ""})

    response = saved_edit(client_for(instructor), draft, options=rows)

    assert response.status_code == 302
    options = list(draft.options.all())
    assert [o.pk for o in options[:4]] == [ids[4], ids[1], ids[3], ids[0]]
    assert options[4].text == "Selinexor and dexamethasone"
    assert not Option.objects.filter(pk=ids[2]).exists()
    assert len(options) == 5


def test_the_services_limit_of_options_is_shown_above_the_options(
    client_for: Any, instructor: User, draft: Question
) -> None:
    rows = edit_rows(draft)
    for row in rows[1:]:
        row["DELETE"] = True

    html = saved_edit(client_for(instructor), draft, options=rows).content.decode()

    assert "A question has 2 to 8 options; this one has 1." in html
    assert draft.options.count() == 5


@pytest.mark.parametrize(
    ("editor", "submitted", "allowed"),
    [
        ("author", False, True),
        ("author", True, False),
        ("reviewer", False, False),
        ("reviewer", True, True),
        ("admin", True, True),
    ],
    ids=[
        "author-own-draft",
        "author-own-in-review",
        "other-instructor-draft",
        "reviewer-in-review",
        "admin-any",
    ],
)
def test_who_may_edit_a_question(
    client_for: Any,
    instructor: User,
    reviewer: User,
    admin_user: User,
    draft: Question,
    editor: str,
    submitted: bool,
    allowed: bool,
) -> None:
    if submitted:
        services.submit_for_review(question=draft, by=instructor)
    user = {"author": instructor, "reviewer": reviewer, "admin": admin_user}[editor]
    client = client_for(user)

    page = client.get(reverse("authoring-question-edit", args=[draft.pk]))
    posted = saved_edit(client, draft, stem="A changed vignette.")
    detail = client.get(reverse("authoring-question", args=[draft.pk])).content.decode()

    draft.refresh_from_db()
    assert page.status_code == (200 if allowed else 403)
    assert posted.status_code == (302 if allowed else 403)
    assert (draft.stem == "A changed vignette.") is allowed
    assert (">Edit</a>" in detail) is allowed


def test_saving_an_unchanged_question_says_nothing_changed(
    client_for: Any, instructor: User, draft: Question
) -> None:
    client = client_for(instructor)

    response = saved_edit(client, draft)

    assert "Nothing had changed" in client.get(response["Location"]).content.decode()
    assert len(services.question_history(draft)) == 1


# Preview --------------------------------------------------------------------------------------


def test_the_preview_shows_the_question_without_revealing_the_key(
    client_for: Any, instructor: User, draft: Question
) -> None:
    response = client_for(instructor).get(reverse("authoring-question-preview", args=[draft.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert draft.stem in html
    assert draft.lead_in in html
    assert html.count('type="radio" name="option"') == 5
    for option in draft.options.all():
        assert option.text in html
        if option.why_not:
            assert escape(option.why_not) not in html
    assert draft.key_point not in html
    assert escape(draft.why_correct) not in html
    assert "Why not other options?" not in html
    assert "Correct answer" not in html
    assert "choice-correct" not in html
    assert "Submit answer" in html


def test_answering_in_the_preview_shows_the_explanation_and_records_nothing(
    client_for: Any, instructor: User, draft: Question
) -> None:
    wrong = draft.options.get(text="Bortezomib plus dexamethasone")
    versions, events = Version.objects.count(), ReviewEvent.objects.count()

    response = client_for(instructor).post(
        reverse("authoring-question-preview", args=[draft.pk]), {"option": wrong.pk}
    )

    html = response.content.decode()
    assert "Incorrect" in html
    assert "Your answer" in html
    assert "Why not other options?" in html
    for option in draft.options.exclude(is_correct=True):
        assert escape(option.why_not) in html
    sections = [
        "Switch class at first relapse.",  # key point
        escape(draft.why_correct),
        "Why not other options?",
        "Clinical pearl",
        "Harrison's Principles",  # references come last
    ]
    positions = [html.index(section) for section in sections]
    assert positions == sorted(positions)
    assert (Version.objects.count(), ReviewEvent.objects.count()) == (versions, events)


def test_the_explanation_links_to_the_evidence_summary_of_the_topic(
    client_for: Any, instructor: User, admin_user: User, draft: Question
) -> None:
    summary = SummaryContent(
        sections=[SummarySection("From the guidelines", ["Refractory within 60 days [1]."])],
        references=[ReferenceContent("NCCN Guidelines: Multiple Myeloma")],
    )
    hematology = Topic.objects.get(name="Hematology")
    services.save_topic_summary(
        topic=hematology, content=summary, by=admin_user, status=Status.PUBLISHED
    )
    key = draft.correct_options()[0]

    response = client_for(instructor).post(
        reverse("authoring-question-preview", args=[draft.pk]), {"option": key.pk}
    )

    link = f'<a href="/topics/{hematology.pk}/">Evidence summary: Hematology</a>'
    assert link in response.content.decode()


def test_choosing_the_key_in_the_preview_says_correct(
    client_for: Any, instructor: User, draft: Question
) -> None:
    key = draft.correct_options()[0]

    response = client_for(instructor).post(
        reverse("authoring-question-preview", args=[draft.pk]), {"option": key.pk}
    )

    assert 'class="result result-correct">Correct</h2>' in response.content.decode()


def test_a_multiple_response_question_is_previewed_with_checkboxes(
    client_for: Any, instructor: User
) -> None:
    content = sample_content(question_type="multiple")
    content.options[1].is_correct = True
    question = services.create_question(content=content, by=instructor)
    url = reverse("authoring-question-preview", args=[question.pk])
    client = client_for(instructor)

    before = client.get(url).content.decode()
    keys = [option.pk for option in question.correct_options()]
    after = client.post(url, {"option": keys[:1]}).content.decode()
    both = client.post(url, {"option": keys}).content.decode()

    assert before.count('type="checkbox" name="option"') == 5
    assert "Choose all that apply." in before
    assert "result-incorrect" in after
    assert "result-correct" in both


def test_submitting_the_preview_without_an_answer_asks_for_one(
    client_for: Any, instructor: User, draft: Question
) -> None:
    response = client_for(instructor).post(reverse("authoring-question-preview", args=[draft.pk]))

    html = response.content.decode()
    assert "Choose an answer to see the feedback." in html
    assert "Why not other options?" not in html


# Access ---------------------------------------------------------------------------------------

AUTHORING_URLS = [
    ("authoring-home", False),
    ("authoring-question-new", False),
    ("authoring-review-queue", False),
    ("authoring-import", False),
    ("authoring-question", True),
    ("authoring-question-edit", True),
    ("authoring-question-preview", True),
    ("authoring-question-submit", True),
    ("authoring-question-request-changes", True),
    ("authoring-question-publish", True),
    ("authoring-question-retire", True),
    ("authoring-question-comment", True),
]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("name", "for_question"), AUTHORING_URLS)
def test_a_student_gets_403_on_every_authoring_url(
    client_for: Any, student: User, draft: Question, name: str, for_question: bool, method: str
) -> None:
    url = reverse(name, args=[draft.pk] if for_question else [])

    response = getattr(client_for(student), method)(url, {"comment": "Let me in"})

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert not draft.review_events.exists()


@pytest.mark.parametrize(("name", "for_question"), AUTHORING_URLS)
def test_an_anonymous_visitor_is_sent_to_log_in(
    client: Client, draft: Question, name: str, for_question: bool
) -> None:
    url = reverse(name, args=[draft.pk] if for_question else [])

    response = client.post(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
