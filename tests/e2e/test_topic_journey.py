"""Journeys through the topic list and evidence summaries in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from learners.roles import Role
from quizbank import services
from quizbank.content import ReferenceContent, SummaryContent, SummarySection
from quizbank.models import Status, Topic
from tests.conftest import PASSWORD, make_user
from tests.quizbank.samples import TOPIC, sample_content

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

GUIDELINE = "NCCN Clinical Practice Guidelines in Oncology: Multiple Myeloma."
TRIAL = "Dimopoulos MA, et al. Daratumumab, lenalidomide and dexamethasone. N Engl J Med. 2016."


def log_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def published_summary() -> Topic:
    """Return the myeloma topic with a published question and a published evidence summary."""
    author = make_user("ingrid-instructor", Role.INSTRUCTOR)
    services.create_question(content=sample_content(), by=author, status=Status.PUBLISHED)
    topic = services.ensure_topic(TOPIC)
    research = [f"Finding {n} from a trial [2]." for n in range(1, 25)]
    content = SummaryContent(
        sections=[
            SummarySection(
                "From the guidelines", ["Refractory means progression within 60 days [1]."]
            ),
            SummarySection("From the research", research),
        ],
        references=[
            ReferenceContent(GUIDELINE),
            ReferenceContent(TRIAL, url="https://www.nejm.org/doi/full/10.1056/NEJMoa1607751"),
        ],
    )
    services.save_topic_summary(topic=topic, content=content, by=author, status=Status.PUBLISHED)
    return topic


def test_a_student_follows_a_citation_from_the_topic_list_to_its_reference(page: Page) -> None:
    topic = published_summary()
    make_user("sam-student", Role.STUDENT)
    log_in(page, "sam-student")

    page.goto("/topics/")
    expect(page.get_by_role("heading", name="Hematology")).to_be_visible()
    expect(page.get_by_text("1 published question").first).to_be_visible()
    page.get_by_role("link", name="Evidence summary for Relapsed and refractory myeloma").click()

    expect(page.get_by_role("heading", name="Relapsed and refractory myeloma")).to_be_visible()
    expect(page.get_by_role("heading", name="From the guidelines")).to_be_visible()
    assert page.url.endswith(f"/topics/{topic.pk}/")
    page.get_by_role("link", name="[1]", exact=True).click()

    assert page.url.endswith(f"/topics/{topic.pk}/#ref-1")
    reference = page.locator("#ref-1")
    expect(reference).to_have_text(GUIDELINE)
    expect(reference).to_be_in_viewport()


def test_an_instructor_writes_a_summary_and_submits_it_for_review(page: Page) -> None:
    topic = services.ensure_topic(TOPIC)
    make_user("ingrid-instructor", Role.INSTRUCTOR)
    log_in(page, "ingrid-instructor")

    page.goto(f"/topics/{topic.pk}/")
    page.get_by_role("link", name="Write the evidence summary").click()
    first = page.get_by_role("group", name="Section 1")
    first.get_by_label("Points").fill("Progression within 60 days of therapy [1].")
    page.get_by_role("group", name="Reference [1]").get_by_label("Citation").fill(GUIDELINE)
    page.get_by_role("button", name="Save the summary").click()

    expect(page.get_by_role("status")).to_contain_text("The evidence summary is saved.")
    expect(page.get_by_text("Status: Draft")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()

    expect(page.get_by_text("Status: In review")).to_be_visible()
    expect(page.get_by_role("heading", name="From the guidelines")).to_be_visible()
    expect(page.get_by_role("heading", name="From the research")).to_have_count(0)


@pytest.mark.parametrize("page_name", ["list", "summary", "editor"])
def test_topic_pages_fit_a_phone_screen(page: Page, page_name: str) -> None:
    topic = published_summary()
    make_user("ada-admin", Role.ADMIN)
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, "ada-admin")
    paths = {
        "list": "/topics/",
        "summary": f"/topics/{topic.pk}/",
        "editor": f"/topics/{topic.pk}/summary/edit/",
    }

    page.goto(paths[page_name])

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"\w"))
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
