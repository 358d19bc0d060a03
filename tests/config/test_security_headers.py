"""Every response carries a Content Security Policy that allows no third-party origin."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ALLOWED_SOURCES = {"'self'", "'none'", "data:"}


def csp_directives(client: Client, path: str) -> dict[str, list[str]]:
    policy = client.get(path)["Content-Security-Policy"]
    parsed = (directive.split() for directive in policy.split(";"))
    return {parts[0]: parts[1:] for parts in parsed if parts}


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/healthz"])
def test_pages_carry_a_csp_with_no_third_party_origin(client: Client, path: str) -> None:
    directives = csp_directives(client, path)

    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    for name, sources in directives.items():
        assert set(sources) <= ALLOWED_SOURCES, f"{name} allows {sources}"


def test_the_api_docs_allow_inline_styles_but_no_other_origin(client: Client) -> None:
    directives = csp_directives(client, "/api/docs/")

    assert directives["script-src"] == ["'self'"]
    assert set(directives["style-src"]) == {"'self'", "'unsafe-inline'"}
    for sources in directives.values():
        assert set(sources) <= ALLOWED_SOURCES | {"'unsafe-inline'"}


def test_pages_cannot_be_framed(client: Client) -> None:
    assert client.get("/")["X-Frame-Options"] == "DENY"
