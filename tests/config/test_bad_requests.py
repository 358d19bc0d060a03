"""A request Django refuses before any view answers clearly: JSON with the limit under /api/,
a readable page elsewhere; never Django's bare "Bad Request (400)"."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings

from learners.models import User

pytestmark = pytest.mark.django_db

TEN_MEGABYTES = "a" * (10 * 1024 * 1024)


@pytest.mark.parametrize(
    ("url", "content_type"),
    [
        ("/api/v1/sessions/", "application/json"),
        ("/api/v1/problem-reports/", "application/json"),
        ("/api/v1/sessions/", "application/x-www-form-urlencoded"),
    ],
)
def test_an_api_body_over_the_limit_is_a_json_413_stating_the_limit(
    client_for: Any, student: User, url: str, content_type: str
) -> None:
    body = json.dumps({"mode": "tutor", "count": 1, "padding": TEN_MEGABYTES})
    if content_type != "application/json":
        body = f"mode=tutor&padding={TEN_MEGABYTES}"

    response = client_for(student).post(url, body, content_type=content_type)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": f"The request body is larger than the limit of "
        f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.",
        "code": "too_large",
        "limit_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
    }


def test_a_page_body_over_the_limit_gets_a_readable_page(client_for: Any, student: User) -> None:
    response = client_for(student).post(
        "/practice/sessions/new/", {"mode": "tutor", "padding": TEN_MEGABYTES}
    )

    assert response.status_code == 413
    page = response.content.decode()
    assert "The request body is larger than the limit" in page
    assert "Practice" in page  # the site's own layout, with its navigation
