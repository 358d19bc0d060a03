"""Journeys through the account pages in Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from learners.models import User
from learners.roles import Role
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_visitor_signs_up_logs_out_and_logs_back_in(page: Page) -> None:
    page.goto("/")
    page.get_by_role("link", name="Sign up free").first.click()
    page.get_by_label("Username").fill("river")
    page.get_by_label("Email").fill("river@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="Practice dashboard")).to_be_visible()
    assert page.url.endswith("/practice/")
    assert User.objects.get(username="river").role == Role.STUDENT

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.goto("/practice/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    log_in(page, "river")
    expect(page.get_by_role("heading", name="Practice dashboard")).to_be_visible()


def test_a_wrong_password_shows_an_error_on_the_form(page: Page) -> None:
    make_user("quinn", Role.STUDENT)

    log_in(page, "quinn", "not-the-password")

    expect(page.get_by_role("alert")).to_contain_text("correct username and password")


@pytest.mark.parametrize(
    ("role", "path", "heading"),
    [
        (Role.STUDENT, "/practice/", "Practice dashboard"),
        (Role.INSTRUCTOR, "/authoring/", "Authoring"),
        (Role.ADMIN, "/admin/", "Admin dashboard"),
    ],
)
def test_each_role_lands_on_its_home_page(page: Page, role: Role, path: str, heading: str) -> None:
    make_user(f"someone-{role.value.lower()}", role)

    log_in(page, f"someone-{role.value.lower()}")

    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    assert page.url.endswith(path)


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/practice/"])
def test_pages_fit_a_phone_screen(page: Page, path: str) -> None:
    make_user("phone-user", Role.STUDENT)
    page.set_viewport_size({"width": 360, "height": 740})
    if path == "/practice/":
        log_in(page, "phone-user")

    page.goto(path)

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    expect(page.get_by_role("link", name="MCQ Practice")).to_be_visible()


def test_the_api_docs_render_from_local_assets(page: Page) -> None:
    page.goto("/api/docs/")

    expect(page.get_by_text("/api/v1/auth/token/")).to_be_visible()
