"""Journeys through the authoring pages in Chromium: write, preview, submit, review, publish."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from learners.roles import Role
from quizbank import services
from quizbank.models import Question, Status
from tests.conftest import make_user
from tests.e2e.test_accounts_journey import log_in
from tests.quizbank.samples import sample_content

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LEAD_IN = "Which salvage regimen is most appropriate?"
OPTIONS = [
    ("Daratumumab, pomalidomide and dexamethasone", ""),
    ("Lenalidomide and dexamethasone", "She progressed on lenalidomide: it is refractory."),
    ("Repeat autologous transplant", "Relapse within 18 months of the first does not justify it."),
    ("Melphalan and prednisone", "Outdated and myelotoxic for a fit patient."),
    ("Best supportive care", "She is fit, with effective options left."),
]
KEY_POINT = "Switch drug class when the disease is refractory to lenalidomide."


def test_an_instructor_writes_a_question_that_a_second_instructor_publishes(page: Page) -> None:
    make_user("ingrid", Role.INSTRUCTOR)
    make_user("rita", Role.INSTRUCTOR)
    log_in(page, "ingrid")

    page.get_by_role("link", name="New question").first.click()
    page.get_by_label("Or a new topic").fill("Hematology > Plasma cell disorders > Myeloma")
    page.get_by_label("Stem (the clinical vignette)").fill(
        "A 66-year-old woman on **lenalidomide maintenance** has a rising paraprotein."
    )
    page.get_by_label("Lead-in").fill(LEAD_IN)
    page.get_by_label("Tags").fill("myeloma, salvage therapy")
    for letter, (text, why_not) in zip("ABCDE", OPTIONS, strict=True):
        row = page.get_by_role("group", name=f"Option {letter}")
        row.get_by_label("Text").fill(text)
        if why_not:
            row.get_by_label("Why not (for a distractor)").fill(why_not)
        else:
            row.get_by_label("Correct answer").check()
    page.get_by_label("Key point").fill(KEY_POINT)
    page.get_by_label("Why the answer is right").fill("An anti-CD38 with a new IMiD class.")
    page.get_by_label("Clinical pearl").fill("Refractory: progression on or within 60 days.")
    page.get_by_role("group", name="Reference 1").get_by_label("Citation").fill(
        "IMWG uniform response criteria."
    )
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_role("status")).to_contain_text("The draft is saved.")
    expect(page.get_by_role("heading", name=LEAD_IN)).to_be_visible()

    page.get_by_role("link", name="Preview as a student").click()
    expect(page.get_by_text("lenalidomide maintenance")).to_be_visible()
    expect(page.get_by_text(KEY_POINT)).to_have_count(0)
    expect(page.get_by_text(OPTIONS[1][1])).to_have_count(0)
    expect(page.get_by_text("Correct answer")).to_have_count(0)
    page.get_by_label(OPTIONS[1][0]).check()
    page.get_by_role("button", name="Submit answer").click()

    expect(page.get_by_role("heading", name="Incorrect", exact=True)).to_be_visible()
    expect(page.get_by_text(KEY_POINT)).to_be_visible()
    expect(page.get_by_role("heading", name="Why not other options?")).to_be_visible()
    for _, why_not in OPTIONS[1:]:
        expect(page.get_by_text(why_not)).to_be_visible()

    page.get_by_role("link", name="Back to the question").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("status")).to_contain_text("Submitted for review.")
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)
    page.get_by_role("button", name="Log out").click()

    log_in(page, "rita")
    page.get_by_role("navigation", name="Authoring").get_by_role(
        "link", name="Review queue"
    ).click()
    expect(page.get_by_text(re.compile(r"^waiting\s\d+\sminutes?$"))).to_be_visible()
    page.get_by_role("link", name=LEAD_IN).click()
    page.get_by_label("Comment").fill("Clear and well explained.")
    page.get_by_role("button", name="Publish").click()

    expect(page.get_by_role("status")).to_contain_text("Published.")
    expect(page.locator(".question-header .status")).to_have_text("Published")
    expect(page.get_by_text("Clear and well explained.", exact=True)).to_be_visible()
    question = Question.objects.get()
    assert question.status == Status.PUBLISHED
    assert question.options.count() == 5
    assert all(o.why_not for o in question.options.all() if not o.is_correct)


def test_a_colleague_asks_to_retire_a_question_and_its_author_retires_it(page: Page) -> None:
    author = make_user("ingrid", Role.INSTRUCTOR)
    make_user("rita", Role.INSTRUCTOR)
    question = services.create_question(
        content=sample_content(lead_in=LEAD_IN), by=author, status=Status.PUBLISHED
    )
    reason = "The 2025 update changed the preferred regimen."
    log_in(page, "rita")
    page.goto(f"/authoring/questions/{question.pk}/")

    expect(page.get_by_role("button", name="Retire", exact=True)).to_have_count(0)
    page.get_by_label("Comment").fill(reason)
    page.get_by_role("button", name="Ask to retire").click()

    expect(page.get_by_role("status").first).to_contain_text("Asked the author to retire")
    expect(page.get_by_text(reason).first).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    log_in(page, "ingrid")
    page.get_by_role("navigation", name="Authoring").get_by_role(
        "link", name="Review queue"
    ).click()
    requests = page.get_by_role("heading", name="Requests to retire your questions")
    expect(requests).to_be_visible()
    expect(page.get_by_text(reason)).to_be_visible()
    page.get_by_role("link", name=str(question)).click()
    page.get_by_label("Comment").fill("Agreed: superseded.")
    page.get_by_role("button", name="Retire", exact=True).click()

    expect(page.get_by_role("status").first).to_contain_text("Retired from practice.")
    expect(page.locator(".question-header .status")).to_have_text("Retired")
    question.refresh_from_db()
    assert question.status == Status.RETIRED
    assert question.retirement_requests.get().outcome == "retired"


@pytest.mark.parametrize("page_name", ["list", "new", "detail", "preview", "review", "import"])
def test_authoring_pages_fit_a_phone_screen(page: Page, page_name: str) -> None:
    instructor = make_user("phone-instructor", Role.INSTRUCTOR)
    question = services.create_question(content=sample_content(), by=instructor)
    paths = {
        "list": "/authoring/",
        "new": "/authoring/questions/new/",
        "detail": f"/authoring/questions/{question.pk}/",
        "preview": f"/authoring/questions/{question.pk}/preview/",
        "review": "/authoring/review/",
        "import": "/authoring/import/",
    }
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, "phone-instructor")

    page.goto(paths[page_name])

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    expect(page.get_by_role("navigation", name="Authoring")).to_be_visible()
