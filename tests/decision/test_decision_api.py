"""POST /api/v1/decision/<model>/: the decide contract for instructors and admins."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from decision.engine import CaseError, DecisionModel, decide, model_ids
from learners.models import User
from tests.decision.conftest import TOY_EXAMPLE
from tests.decision.rrmm import SEED_CASE

URL = "/api/v1/decision/rrmm-salvage/"
CASE = SEED_CASE


def post(client: Client, body: Any, url: str = URL) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("who", ["instructor", "admin_user"])
def test_authors_get_the_decision(
    who: str, request: pytest.FixtureRequest, client_for: Any
) -> None:
    user: User = request.getfixturevalue(who)

    response = post(client_for(user), CASE)

    assert response.status_code == 200
    body = response.json()
    assert body["answer"] == "lenalidomide-dexamethasone"
    assert len(body["options"]) == 4
    assert body["options"][0]["verdict"] == "preferred"


def test_students_are_refused(student: User, client_for: Any) -> None:
    response = post(client_for(student), CASE)

    assert response.status_code == 403


def test_anonymous_requests_are_refused(db: None) -> None:
    response = post(Client(), CASE)

    assert response.status_code in (401, 403)


def test_an_unknown_model_is_404(instructor: User, client_for: Any) -> None:
    response = post(client_for(instructor), CASE, url="/api/v1/decision/aml-induction/")

    assert response.status_code == 404
    assert "aml-induction" in response.json()["detail"]


@pytest.mark.parametrize(
    ("change", "field", "value"),
    [
        ({"creatinine_clearance": 0}, "creatinine_clearance", "0"),
        ({"options": ["lenalidomide-dexamethasone", "vrd"]}, "options[1]", "vrd"),
        ({"neuropathy_grade": "two"}, "neuropathy_grade", "two"),
        ({"prior_lines": []}, "prior_lines", "[]"),
        # Contradictory: progression on therapy, yet 30 days after the last dose.
        (
            {
                "prior_lines": [
                    {
                        **CASE["prior_lines"][0],
                        "progressed_on_therapy": True,
                        "days_from_last_dose_to_progression": 30,
                    }
                ]
            },
            "prior_lines[0].days_from_last_dose_to_progression",
            "30",
        ),
    ],
)
def test_bad_input_is_400_naming_the_field_and_value(
    change: dict[str, Any], field: str, value: str, instructor: User, client_for: Any
) -> None:
    response = post(client_for(instructor), {**CASE, **change})

    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field
    assert field in body["detail"]
    assert value in body["detail"]


def test_a_missing_field_is_400(instructor: User, client_for: Any) -> None:
    case = {k: v for k, v in CASE.items() if k != "months_to_relapse"}

    response = post(client_for(instructor), case)

    assert response.status_code == 400
    assert response.json()["field"] == "months_to_relapse"


def test_malformed_json_is_400(instructor: User, client_for: Any) -> None:
    response = client_for(instructor).post(URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["field"] == "case"
    assert response.json()["detail"].startswith("case: JSON parse error")


def schema() -> Any:
    return Client().get("/api/schema/", {"format": "json"}).json()


def test_the_endpoint_is_documented_once_per_model(db: None) -> None:
    paths = schema()["paths"]

    assert "/api/v1/decision/{model_id}/" not in paths
    for model_id in model_ids():
        operation = paths[f"/api/v1/decision/{model_id}/"]["post"]
        assert set(operation["responses"]) >= {"200", "400", "403", "404"}


def test_the_schema_documents_each_models_case_example_and_versions(
    db: None, toy_model: DecisionModel
) -> None:
    document = schema()

    operation = document["paths"]["/api/v1/decision/toy-guideline/"]["post"]
    body = operation["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/ToyGuidelineCase"}
    assert [example["value"] for example in body["examples"].values()] == [toy_model.example]
    case = document["components"]["schemas"]["ToyGuidelineCase"]
    assert list(case["properties"]) == ["score", "flag", "grade", "rate", "events", "options"]
    assert set(case["required"]) == {"score", "flag", "options"}
    assert case["additionalProperties"] is False
    assert (
        case["properties"]["score"] | {"type": "integer", "minimum": 0, "maximum": 10}
        == (case["properties"]["score"])
    )
    assert case["properties"]["options"]["uniqueItems"] is True
    events = document["components"]["schemas"]["ToyGuidelineCaseEvents"]
    assert events["properties"]["days_ago"]["nullable"] is True
    (version,) = [p for p in operation["parameters"] if p["name"] == "version"]
    assert sorted(version["schema"]["enum"]) == ["latest", "v1", "v2"]
    assert "Toy guideline, second edition" in version["description"]


def test_the_schema_has_no_warnings_with_a_model_that_has_a_schema(
    db: None, toy_model: DecisionModel, tmp_path: Path
) -> None:
    call_command("spectacular", validate=True, fail_on_warn=True, file=str(tmp_path / "s.yml"))


def test_a_model_with_a_schema_decides_through_its_documented_path(
    instructor: User, client_for: Any, toy_model: DecisionModel
) -> None:
    client = client_for(instructor)
    url = "/api/v1/decision/toy-guideline/"
    contradictory = {**TOY_EXAMPLE, "grade": "high", "score": 0}
    with pytest.raises(CaseError) as refused:
        decide("toy-guideline", contradictory)

    decided = post(client, TOY_EXAMPLE, url=url)
    contradiction = post(client, contradictory, url=url)

    assert decided.status_code == 200
    assert decided.json()["answer"] == "act"
    assert contradiction.status_code == 400
    assert contradiction.json() == {"detail": str(refused.value), "field": "grade"}


def test_a_version_is_chosen_with_a_query_parameter(instructor: User, client_for: Any) -> None:
    client = client_for(instructor)

    named = post(client, CASE, url=f"{URL}?version=seed-004")
    latest = post(client, CASE, url=f"{URL}?version=latest")
    unknown = post(client, CASE, url=f"{URL}?version=2031")

    assert named.json()["guideline"]["version"] == "seed-004"
    assert latest.json() == named.json()
    assert unknown.status_code == 400
    assert unknown.json()["field"] == "version"
