"""The plan through the API: today's plan and forecast, starting it, and rating confidence."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from learners.models import DailyPlan, ReviewLog, User
from tests.learners.conftest import BulkBank
from tests.learners.pages import token_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(student: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(student)
    return client


def test_the_plan_is_built_on_demand_and_carries_no_key(
    api: APIClient, student: User, bulk_bank: BulkBank
) -> None:
    bank = bulk_bank(3)

    body: dict[str, Any] = api.get("/api/v1/plan/").json()

    assert body["plan"]["goal"] == 20
    assert (body["plan"]["reviews"], body["plan"]["new"], body["plan"]["done"]) == (0, 3, 0)
    assert sorted(body["plan"]["remaining"]) == sorted(q.pk for q in bank)
    assert body["forecast"] == {"due_7_days": 0, "due_30_days": 0, "topics": []}
    assert "correct" not in str(body) and "explanation" not in str(body)
    assert DailyPlan.objects.filter(learner=student).count() == 1


def test_starting_the_plan_twice_gives_one_session_until_it_is_done(
    api: APIClient, student: User, bulk_bank: BulkBank
) -> None:
    bulk_bank(1)

    first = api.post("/api/v1/plan/session/")
    again = api.post("/api/v1/plan/session/")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()

    session = first.json()["session"]
    detail = api.get(f"/api/v1/sessions/{session}/").json()
    [item] = detail["items"]
    key = token_of(item["id"], correct=True)
    answered = api.post(
        f"/api/v1/sessions/{session}/responses/",
        {"item": item["id"], "option": key, "confident": False},
        format="json",
    )
    assert answered.status_code == 201
    assert ReviewLog.objects.get(card__learner=student).rating == 2  # right but unsure: Hard
    api.patch(f"/api/v1/sessions/{session}/", {"status": "finished"}, format="json")

    done = api.post("/api/v1/plan/session/")
    assert (done.status_code, done.json()["code"]) == (409, "plan_done")


def test_anonymous_visitors_get_no_plan(bulk_bank: BulkBank) -> None:
    bulk_bank(2)

    assert APIClient().get("/api/v1/plan/").status_code in (401, 403)
    assert APIClient().post("/api/v1/plan/session/").status_code in (401, 403)
    assert DailyPlan.objects.count() == 0
