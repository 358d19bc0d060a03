"""The question bank API: instructors and admins only, every field, validation and workflow."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pytest
from django.test import Client

from learners.models import User
from learners.roles import Role
from quizbank import services
from quizbank.models import Question, Status, Topic
from tests.conftest import make_user
from tests.quizbank.samples import sample_content

pytestmark = pytest.mark.django_db


def payload(**overrides: Any) -> dict[str, Any]:
    content = asdict(sample_content())
    body = {
        "topic_path": content["topic_path"],
        "name": content["name"],
        "type": content["question_type"],
        "stem": content["stem"],
        "lead_in": content["lead_in"],
        "options": [
            {"text": o["text"], "is_correct": o["is_correct"], "why_not": o["why_not"]}
            for o in content["options"]
        ],
        "explanation": content["explanation"],
        "references": content["references"],
        "tags": content["tags"],
        "decision_model": "rrmm-salvage",
        "decision_case": {"months_to_relapse": 18},
    }
    body.update(overrides)
    return body


@pytest.fixture
def api(client_for: Any, instructor: User) -> Client:
    client: Client = client_for(instructor)
    return client


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def patch(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, body, content_type="application/json")


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/questions/"),
        ("post", "/api/v1/questions/"),
        ("get", "/api/v1/questions/1/"),
        ("put", "/api/v1/questions/1/"),
        ("patch", "/api/v1/questions/1/"),
        ("get", "/api/v1/topics/"),
        ("get", "/api/v1/topics/1/"),
    ],
)
def test_students_get_403_on_every_bank_endpoint(
    client_for: Any, student: User, method: str, url: str
) -> None:
    client = client_for(student)

    response = getattr(client, method)(url, {}, content_type="application/json")

    assert response.status_code == 403


def test_an_instructor_creates_a_question_with_every_field(api: Client) -> None:
    response = post(api, "/api/v1/questions/", payload())

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["author"] == "ingrid-instructor"
    assert body["topic_label"].endswith("Relapsed and refractory myeloma")
    assert body["type"] == "single"
    assert len(body["options"]) == 5
    assert set(body["options"][0]) == {"id", "text", "is_correct", "why_not"}
    assert body["options"][1]["why_not"] == "Kept for refractory disease."
    assert body["explanation"]["key_point"] == "Switch class at first relapse."
    assert body["references"] == [
        {"citation": "Harrison's Principles of Internal Medicine, 21st ed.", "url": ""}
    ]
    assert body["tags"] == ["myeloma", "salvage-therapy"]
    assert body["decision_case"] == {"months_to_relapse": 18}


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"lead_in": ""}, "lead_in", "lead-in"),
        ({"options": [{"text": "A"}, {"text": "B"}]}, "options", "No option is marked correct"),
        (
            {"options": [{"text": "A", "is_correct": True}, {"text": "a", "why_not": "x"}]},
            "options",
            "same text",
        ),
        ({"topic_path": []}, "topic", "topic"),
        ({"type": "essay"}, "type", "valid choice"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    api: Client, overrides: dict[str, Any], field: str, text: str
) -> None:
    response = post(api, "/api/v1/questions/", payload(**overrides))

    assert response.status_code == 400
    assert text in " ".join(response.json()[field])
    assert not Question.objects.exists()


def test_the_list_filters_by_topic_subtree_tag_status_author_model_and_text(
    api: Client, instructor: User
) -> None:
    first = services.create_question(content=sample_content(), by=instructor)
    other = sample_content(
        name="other", topic_path=["Cardiology", "Heart failure"], tags=["hf"], stem="Dyspnoea."
    )
    services.create_question(content=other, by=make_user("olga", Role.INSTRUCTOR))
    hematology = Topic.objects.get(name="Hematology")

    def ids(query: str) -> list[int]:
        return [q["id"] for q in api.get(f"/api/v1/questions/?{query}").json()["results"]]

    assert ids(f"topic={hematology.pk}") == [first.pk]
    assert ids("tag=myeloma") == [first.pk]
    assert ids("author=ingrid-instructor") == [first.pk]
    assert ids("decision_model=rrmm-salvage") == []
    assert ids("q=relapses") == [first.pk]
    assert ids("status=draft") == sorted(ids("status=draft"), reverse=True)
    assert len(ids("status=draft")) == 2
    assert ids("status=published") == []


def test_the_list_runs_a_fixed_number_of_queries(
    api: Client, instructor: User, django_assert_num_queries: Any
) -> None:
    for n in range(3):
        services.create_question(content=sample_content(name=f"q{n}"), by=instructor)
    api.get("/api/v1/questions/")  # warm the session and content types

    # Session, user, its two permission lookups, count, the page (topic and author joined),
    # one prefetch each for tags, options, references and images, and the topic labels.
    with django_assert_num_queries(11) as small:
        api.get("/api/v1/questions/")
    for n in range(3, 30):
        services.create_question(content=sample_content(name=f"q{n}"), by=instructor)
    with django_assert_num_queries(len(small.captured_queries)):
        response = api.get("/api/v1/questions/")
    assert response.json()["count"] == 30


def test_the_workflow_runs_through_patch(api: Client, client_for: Any, instructor: User) -> None:
    question = services.create_question(content=sample_content(), by=instructor)
    url = f"/api/v1/questions/{question.pk}/"
    reviewer = client_for(make_user("rita", Role.INSTRUCTOR))

    assert patch(api, url, {"status": "in_review"}).json()["status"] == "in_review"
    refused = patch(api, url, {"status": "published"})
    assert refused.status_code == 403
    assert "other than the author" in refused.json()["detail"]
    assert patch(reviewer, url, {"status": "published"}).json()["status"] == "published"
    again = patch(reviewer, url, {"status": "published"})
    assert again.status_code == 200
    assert question.review_events.filter(action="published").count() == 1
    refused_retirement = patch(reviewer, url, {"status": "retired"})
    assert refused_retirement.status_code == 403
    assert "retirement request" in refused_retirement.json()["detail"]
    assert patch(api, url, {"status": "retired"}).json()["status"] == "retired"
    question.refresh_from_db()
    assert question.status == Status.RETIRED


def test_a_step_the_workflow_does_not_allow_is_a_409(
    api: Client, client_for: Any, instructor: User
) -> None:
    question = services.create_question(content=sample_content(), by=instructor)

    conflict = patch(api, f"/api/v1/questions/{question.pk}/", {"status": "retired"})

    assert conflict.status_code == 409
    assert conflict.json() == {
        "detail": "A draft question cannot be retired.",
        "code": "invalid_transition",
    }


def test_an_update_replaces_the_content_and_keeps_option_ids(api: Client, instructor: User) -> None:
    created = post(api, "/api/v1/questions/", payload()).json()
    body = payload(lead_in="What is the best next regimen?")
    body["options"] = [dict(o) for o in created["options"]]

    response = api.put(f"/api/v1/questions/{created['id']}/", body, content_type="application/json")

    assert response.status_code == 200, response.json()
    assert response.json()["lead_in"] == "What is the best next regimen?"
    assert [o["id"] for o in response.json()["options"]] == [o["id"] for o in created["options"]]


def test_topics_list_the_tree_with_labels_parents_and_counts(api: Client, instructor: User) -> None:
    services.create_question(content=sample_content(), by=instructor)

    topics = api.get("/api/v1/topics/").json()

    assert [t["label"] for t in topics] == [
        "Hematology",
        "Hematology > Plasma cell disorders",
        "Hematology > Plasma cell disorders > Relapsed and refractory myeloma",
    ]
    assert topics[2]["parent"] == topics[1]["id"]
    assert topics[0]["parent"] is None
    assert [t["question_count"] for t in topics] == [0, 0, 1]


def test_the_schema_documents_every_question_field(client: Client) -> None:
    schema = client.get("/api/schema/", headers={"Accept": "application/json"}).json()

    question = schema["components"]["schemas"]["Question"]["properties"]
    assert {
        "stem",
        "lead_in",
        "options",
        "explanation",
        "references",
        "topic",
        "tags",
        "status",
        "decision_case",
    } <= set(question)
    option = schema["components"]["schemas"]["Option"]["properties"]
    assert set(option) == {"id", "text", "is_correct", "why_not"}
    assert "patch" in schema["paths"]["/api/v1/questions/{id}/"]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/quizbank/question/",
        "/admin/quizbank/question/{pk}/change/",
        "/admin/quizbank/question/{pk}/history/",
        "/admin/quizbank/topic/",
        "/admin/quizbank/reviewevent/",
        "/admin/quizbank/topicsummary/",
    ],
)
def test_admins_reach_every_bank_page_of_the_admin(
    client_for: Any, admin_user: User, instructor: User, path: str
) -> None:
    question = services.create_question(content=sample_content(), by=instructor)

    response = client_for(admin_user).get(path.format(pk=question.pk))

    assert response.status_code == 200
