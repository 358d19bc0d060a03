"""The API base: token authentication, authenticated-only by default, the OpenAPI schema."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from learners.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_token_is_issued_for_a_username_and_password(client: Client, student: User) -> None:
    response = client.post(
        "/api/v1/auth/token/",
        {"username": student.username, "password": PASSWORD},
        content_type="application/json",
    )

    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/me/", headers={"Authorization": f"Token {token}"})
    assert me.json() == {"id": student.pk, "username": student.username, "role": "Student"}


def test_a_wrong_password_gets_no_token(client: Client, student: User) -> None:
    response = client.post(
        "/api/v1/auth/token/",
        {"username": student.username, "password": "wrong"},
        content_type="application/json",
    )

    assert response.status_code == 401
    assert "token" not in response.json()


def test_a_missing_field_is_named_in_the_error(client: Client) -> None:
    response = client.post(
        "/api/v1/auth/token/", {"username": "someone"}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"password": ["This field is required."]}


def test_the_api_refuses_anonymous_requests_by_default(client: Client) -> None:
    response = client.get("/api/v1/me/")

    assert response.status_code in {401, 403}


def test_the_api_accepts_the_browser_session(client: Client, instructor: User) -> None:
    client.force_login(instructor)

    assert client.get("/api/v1/me/").json()["role"] == "Instructor"


def test_the_openapi_schema_documents_the_token_endpoint(client: Client) -> None:
    response = client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    token_post = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert set(token_post["responses"]) >= {"200", "401", "429"}


def test_the_docs_page_loads_its_assets_from_this_site_only(client: Client) -> None:
    response = client.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    external = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", page)
    assert external == []
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
