"""The page that links a question to a decision model version, its case written in inputs made
from the model's case schema, validated by the engine and saved as an edit of the question."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries
from reversion.models import Version

from decision.engine import CaseError, DecisionModel
from learners.models import User
from quizbank import services
from quizbank.content import OptionContent
from quizbank.models import Question, ReviewEvent
from tests.decision.conftest import Register, made_up_guideline
from tests.quizbank.samples import sample_content

pytestmark = pytest.mark.django_db

PAGE_QUERIES = 9


def toy_question(author: User, *, options: int = 3, **link: Any) -> Question:
    choices = [
        OptionContent("Act now", is_correct=True),
        OptionContent("Wait and see", why_not="Too slow."),
        OptionContent("Refer on", why_not="Not needed."),
    ]
    content = sample_content(options=choices[:options], **link)
    return services.create_question(content=content, by=author)


def url(question: Question) -> str:
    return reverse("decision-question-case", args=[question.pk])


def case_data(model: str = "toy-guideline@v1", **fields: Any) -> dict[str, Any]:
    """Return the POST data of the page for the toy model: score 6, no flag, three options."""
    data: dict[str, Any] = {
        "model": model,
        "case-score": "6",
        "case-grade": "",
        "case-rate": "",
        "case-events-TOTAL_FORMS": "2",
        "case-events-INITIAL_FORMS": "0",
        "case-events-MIN_NUM_FORMS": "0",
        "case-events-MAX_NUM_FORMS": "50",
        "options-option_0": "act",
        "options-option_1": "wait",
        "options-option_2": "refer",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def field_block(page: str, name: str) -> str:
    """Return the markup of the field whose input is named `name` (its label, input, errors)."""
    blocks = re.split(r'(?=<div class="field[ "])|(?=<fieldset class="field[ "])', page)
    (block,) = [b for b in blocks if f'name="{name}"' in b]
    return block


def test_the_page_offers_every_model_version_with_its_title_status_and_date(
    toy_model: DecisionModel, instructor: User, client_for: Any
) -> None:
    question = toy_question(instructor)

    page = client_for(instructor).get(url(question)).content.decode()

    assert '<option value="toy-guideline@v1">' in page
    assert (
        "Toy guideline, second edition (version v2; teaching framework; published 2024-06-01)"
        in page
    )
    assert 'name="case-score"' not in page, "no inputs before a version is chosen"


def test_the_inputs_follow_the_chosen_versions_schema(
    toy_model: DecisionModel, instructor: User, client_for: Any
) -> None:
    question = toy_question(instructor)

    page = client_for(instructor).get(url(question), {"model": "toy-guideline@v2"}).content.decode()

    assert '<input type="hidden" name="model" value="toy-guideline@v2">' in page
    score = field_block(page, "case-score")
    assert 'type="number"' in score and 'min="0"' in score and 'max="10"' in score
    assert "A made-up score." in score
    assert 'type="checkbox" name="case-flag"' in page
    grade = field_block(page, "case-grade")
    assert '<option value="low">low</option>' in grade
    assert 'name="case-events-TOTAL_FORMS"' in page
    assert '<select name="case-events-0-kind"' in page
    tags = field_block(page, "case-events-0-tags")
    assert tags.startswith('<fieldset class="field field-choices"')
    assert "<legend>Tags</legend>" in tags
    assert page.count('type="checkbox" name="case-events-0-tags"') == 2
    option_b = field_block(page, "options-option_1")
    assert "Option B: Wait and see" in option_b
    assert '<option value="refer">Refer on</option>' in option_b


def test_a_valid_case_is_saved_as_model_at_version_with_a_revision(
    toy_model: DecisionModel, instructor: User, client_for: Any
) -> None:
    question = toy_question(instructor)
    client = client_for(instructor)
    revisions = Version.objects.get_for_object(question).count()

    response = client.post(url(question), case_data())

    assert response.status_code == 302
    assert response["Location"] == url(question)
    question.refresh_from_db()
    assert question.decision_model == "toy-guideline@v1"
    assert question.decision_case == {
        "score": 6,
        "flag": False,
        "options": ["act", "wait", "refer"],
    }
    assert Version.objects.get_for_object(question).count() == revisions + 1
    edit = ReviewEvent.objects.get(question=question, action=ReviewEvent.Action.EDITED)
    assert edit.comment == "Changed decision model, decision case"
    shown = client.get(response["Location"]).content.decode()
    assert "The question is linked to toy-guideline@v1 with this case." in shown
    assert "The model agrees with the key (A)." in shown


def test_rows_of_a_list_of_objects_are_saved_and_blank_rows_left_out(
    toy_model: DecisionModel, instructor: User, client_for: Any
) -> None:
    question = toy_question(instructor)
    rows = {"case-events-0-kind": "major", "case-events-0-days_ago": "", "case-events-0-tags": "y"}

    client_for(instructor).post(url(question), case_data(**rows, **{"case-flag": "on"}))

    question.refresh_from_db()
    assert question.decision_case is not None
    assert question.decision_case["flag"] is True
    assert question.decision_case["events"] == [{"kind": "major", "days_ago": None, "tags": ["y"]}]


def test_the_form_is_filled_in_from_the_stored_link_and_case(
    toy_model: DecisionModel, instructor: User, client_for: Any
) -> None:
    stored = {
        "score": 4,
        "flag": True,
        "events": [{"kind": "minor", "days_ago": 3}],
        "options": ["act", "refer", "wait"],
    }
    question = toy_question(instructor, decision_model="toy-guideline", decision_case=stored)

    page = client_for(instructor).get(url(question)).content.decode()

    assert '<option value="toy-guideline@v1" selected>' in page
    assert 'value="4"' in field_block(page, "case-score")
    assert "checked" in field_block(page, "case-flag")
    assert '<option value="minor" selected>' in field_block(page, "case-events-0-kind")
    assert 'value="3"' in field_block(page, "case-events-0-days_ago")
    assert '<option value="refer" selected>' in field_block(page, "options-option_1")


def test_a_value_the_schema_refuses_is_shown_beside_its_field(
    toy_model: DecisionModel, instructor: User, client_for: Any
) -> None:
    question = toy_question(instructor)

    response = client_for(instructor).post(url(question), case_data(**{"case-score": "11"}))

    assert response.status_code == 200
    score = field_block(response.content.decode(), "case-score")
    assert "score: must be from 0 to 10, got 11" in score
    assert 'aria-invalid="true"' in score
    question.refresh_from_db()
    assert question.decision_model == ""


def test_a_contradiction_from_the_schemas_checks_is_shown_beside_its_field(
    toy_model: DecisionModel, instructor: User, client_for: Any
) -> None:
    question = toy_question(instructor)
    data = case_data(**{"case-score": "0", "case-grade": "high"})

    response = client_for(instructor).post(url(question), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "grade: a high grade needs a score above 0" in field_block(page, "case-grade")
    assert "a high grade" not in field_block(page, "case-score")


def test_a_mistake_in_a_row_is_shown_in_that_row(
    toy_model: DecisionModel, instructor: User, client_for: Any
) -> None:
    question = toy_question(instructor)
    data = case_data(**{"case-events-0-days_ago": "5"})

    page = client_for(instructor).post(url(question), data).content.decode()

    assert "events[0].kind: required field is missing" in field_block(page, "case-events-0-kind")


def test_an_option_left_unmapped_is_shown_beside_its_select(
    toy_model: DecisionModel, instructor: User, client_for: Any
) -> None:
    question = toy_question(instructor)

    page = client_for(instructor).post(url(question), case_data(**{"options-option_1": ""}))

    assert "options[1]: unknown option" in field_block(page.content.decode(), "options-option_1")


def test_a_version_that_does_not_exist_is_refused_beside_the_select(
    toy_model: DecisionModel, instructor: User, client_for: Any
) -> None:
    question = toy_question(instructor)

    response = client_for(instructor).post(url(question), case_data(model="toy-guideline@v9"))

    assert response.status_code == 200
    assert "Select a valid choice" in field_block(response.content.decode(), "model")
    question.refresh_from_db()
    assert question.decision_model == ""


def test_a_model_without_a_schema_takes_its_case_as_json(
    register_models: Register, instructor: User, client_for: Any
) -> None:
    def decide(case: object) -> dict[str, Any]:
        if not isinstance(case, dict) or "age" not in case:
            raise CaseError("age", None, "required field is missing")
        return {"model": "plain-model", "answer": None, "reason": "Judgement.", "options": []}

    register_models(plain_model(decide))
    question = toy_question(instructor)
    options = {"options-option_0": "a", "options-option_1": "b", "options-option_2": "c"}
    client = client_for(instructor)

    page = client.get(url(question), {"model": "plain-model@v1"}).content.decode()
    refused = client.post(url(question), {"model": "plain-model@v1", "case-case": "{}", **options})
    saved = client.post(
        url(question), {"model": "plain-model@v1", "case-case": '{"age": 70}', **options}
    )

    assert "Case fields (JSON)" in field_block(page, "case-case")
    assert "age: required field is missing" in field_block(refused.content.decode(), "case-case")
    assert saved.status_code == 302
    question.refresh_from_db()
    assert question.decision_case == {"age": 70, "options": ["a", "b", "c"]}


def plain_model(decide: Any) -> DecisionModel:
    guideline = made_up_guideline("plain-model", "A model written in Python")
    labels = {"a": "Option a", "b": "Option b", "c": "Option c"}
    return DecisionModel("plain-model", labels, decide, guideline)


def test_students_are_refused(toy_model: DecisionModel, instructor: User, student: User) -> None:
    question = toy_question(instructor)
    client = Client()
    client.force_login(student)

    assert client.get(url(question)).status_code == 403
    assert client.post(url(question), case_data()).status_code == 403


def test_an_instructor_who_may_not_edit_the_question_is_refused(
    toy_model: DecisionModel, instructor: User, reviewer: User, client_for: Any
) -> None:
    draft = toy_question(instructor)

    response = client_for(reviewer).post(url(draft), case_data())

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.decision_model == ""
    assert client_for(reviewer).get(url(draft)).status_code == 403


def test_the_question_page_links_to_the_form_for_those_who_may_edit(
    toy_model: DecisionModel, instructor: User, reviewer: User, client_for: Any
) -> None:
    question = toy_question(instructor, decision_model="toy-guideline@v1", decision_case={})
    page = reverse("authoring-question", args=[question.pk])
    link = f'href="{url(question)}"'

    assert link in client_for(instructor).get(page).content.decode()
    assert link not in client_for(reviewer).get(page).content.decode()


@pytest.mark.parametrize("options", [2, 3])
def test_the_page_runs_the_same_queries_whatever_the_number_of_options(
    toy_model: DecisionModel,
    instructor: User,
    client_for: Any,
    django_assert_num_queries: DjangoAssertNumQueries,
    options: int,
) -> None:
    case = {"score": 6, "flag": False, "options": ["act", "wait", "refer"][:options]}
    question = toy_question(
        instructor, options=options, decision_model="toy-guideline@v1", decision_case=case
    )
    client = client_for(instructor)

    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(url(question))

    assert response.status_code == 200
