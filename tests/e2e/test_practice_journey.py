"""Journeys through student practice in Chromium: tutor and timed sessions, from the builder to
the results and the dashboard, with JavaScript, without it, and on a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from learners.models import Mark, Mode, Note, Pool, PracticeSession, Response, SessionItem, User
from learners.practice import start_session
from learners.roles import Role
from quizbank.models import ProblemReport, Question
from quizbank.starter import load_starter_bank
from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import watched_page
from tests.servers import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TOPIC = "Relapsed and refractory myeloma"
NOTE = "Refractory means progression within 60 days of the last dose."
REPORT = "Option C reads as a second correct answer."
SESSION_URL = re.compile(r"/practice/sessions/(\d+)/items/1/$")


@pytest.fixture
def learner() -> User:
    """A student, with the starter bank of published questions loaded by an admin."""
    report = load_starter_bank(by=make_user("ada-admin", Role.ADMIN))
    assert report.errors == []
    return make_user("sam-student", Role.STUDENT)


def log_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Practice dashboard")).to_be_visible()


def build_session(page: Page, *, mode: str, count: int, topic: str = TOPIC) -> PracticeSession:
    """Fill in the builder, see the matching count follow the choices, start, return the session."""
    status = page.get_by_role("status").filter(has_text="match")
    everything = Question.objects.published().count()
    expect(status).to_contain_text(f"{everything} questions match these choices")
    page.get_by_role("radio", name=re.compile(f"^{mode}")).check()
    page.get_by_role("checkbox", name=re.compile(f"^{re.escape(topic)}")).check()
    page.get_by_label("Number of items").fill(str(count))
    matching = Question.objects.published().filter(topic__name=topic).count()
    items = "1 item" if count == 1 else f"{count} items"
    expect(status).to_contain_text(
        f"{matching} questions match these choices: the session will have {items}."
    )
    page.get_by_role("button", name="Start session").click()
    expect(page.get_by_role("heading", name=f"Item 1 of {count}")).to_be_visible()
    found = SESSION_URL.search(page.url)
    assert found is not None, page.url
    return PracticeSession.objects.get(pk=int(found.group(1)))


def item(session: PracticeSession, number: int) -> SessionItem:
    return SessionItem.objects.select_related("question").get(session=session, position=number - 1)


def plain_phrase(markdown: str) -> str:
    """Return a stretch of a Markdown text that renders unchanged, to look for on a page."""
    phrases: list[str] = re.findall(r"[A-Za-z][A-Za-z ]+", markdown)
    return max(phrases, key=len).strip()


def key_point(question: Question) -> str:
    return plain_phrase(question.key_point)


def seconds_left(page: Page) -> int:
    minutes, seconds = (
        page.get_by_role("timer", name="Time left").inner_text().split()[0].split(":")
    )
    return int(minutes) * 60 + int(seconds)


def test_a_student_practises_a_tutor_session_from_the_dashboard_to_the_results(
    page: Page, learner: User
) -> None:
    log_in(page, learner.username)
    page.get_by_role("link", name="Start a session").click()
    expect(page.get_by_role("heading", name="Start a practice session")).to_be_visible()
    session = build_session(page, mode="Tutor", count=3)
    assert session.mode == Mode.TUTOR
    assert session.topics.get().name == TOPIC
    first = item(session, 1)
    shown = first.shown_options()

    # Nothing of the key is on the page before the answer.
    assert key_point(first.question) not in page.content()
    expect(page.get_by_text("Correct answer")).to_have_count(0)
    expect(page.get_by_role("heading", name="Why not other options?")).to_have_count(0)

    strike = page.get_by_role("button", name="Strike out option B")
    strike.click()
    expect(strike).to_have_attribute("aria-pressed", "true")
    struck = page.locator("li.choice-struck")
    expect(struck).to_have_count(1)
    expect(struck.get_by_role("radio")).to_have_attribute("value", shown[1].token)
    page.reload()
    expect(page.get_by_role("button", name="Strike out option B")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("li.choice-struck")).to_contain_text("(struck out)")
    assert item(session, 1).struck_options == [shown[1].pk]

    mark = page.get_by_role("button", name="Mark for review")
    mark.click()
    expect(page.get_by_role("button", name="Mark for review")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert Mark.objects.filter(learner=learner, question=first.question).exists()

    note = page.get_by_role("region", name="Your private note")
    note.get_by_label("Note on this question").fill(NOTE)
    note.get_by_role("button", name="Save note").click()
    expect(note.get_by_text("Note saved.", exact=True)).to_be_visible()
    assert Note.objects.get(learner=learner, question=first.question).text == NOTE

    problem = page.locator("details").filter(has_text="Report a problem with this question")
    problem.get_by_text("Report a problem with this question").click()
    problem.get_by_label("What is wrong with this question?").fill(REPORT)
    problem.get_by_role("button", name="Send report").click()
    expect(problem.get_by_text("Thanks — sent to the instructors.")).to_be_visible()
    report = ProblemReport.objects.get(question=first.question)
    assert (report.reporter, report.text) == (learner, REPORT)

    # The keyboard: 1 chooses the first option, Enter submits it.
    page.get_by_role("heading", name="Item 1 of 3").click()
    page.keyboard.press("1")
    expect(page.get_by_role("radio").first).to_be_checked()
    page.keyboard.press("Enter")
    verdict = "Correct" if shown[0].is_correct else "Incorrect"
    expect(page.get_by_role("heading", name=verdict, exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Why not other options?")).to_be_visible()
    expect(page.get_by_text("Correct answer", exact=True)).to_have_count(1)
    expect(page.get_by_text("100% of students chose this")).to_have_count(1)
    expect(page.get_by_text("0% of students chose this", exact=True)).to_have_count(len(shown) - 1)
    expect(page.get_by_text(key_point(first.question))).to_be_visible()
    response = Response.objects.get(item=first)
    assert (response.option_id, response.is_correct) == (shown[0].pk, shown[0].is_correct)

    page.keyboard.press("n")
    expect(page.get_by_role("heading", name="Item 2 of 3")).to_be_visible()
    for number in (2, 3):
        expect(page.get_by_role("heading", name=f"Item {number} of 3")).to_be_visible()
        page.get_by_role("radio").nth(1).check()
        page.get_by_role("button", name="Submit answer").click()
        expect(page.get_by_role("heading", name="Why not other options?")).to_be_visible()
        if number == 2:
            page.get_by_role("link", name="Next item").first.click()
    page.get_by_role("button", name="Finish session").click()

    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    correct = Response.objects.filter(item__session=session, is_correct=True).count()
    expect(page.get_by_text(f"{correct} of 3 correct")).to_be_visible()
    expect(page.get_by_text(f"Your note: {NOTE}")).to_be_visible()
    assert PracticeSession.objects.get(pk=session.pk).finished_at is not None

    page.get_by_role("link", name="Back to the dashboard").click()
    expect(page.get_by_role("heading", name="Practice dashboard")).to_be_visible()
    answered = page.locator(".figure").filter(has_text="Items answered")
    expect(answered.locator("dd")).to_have_text("3")
    expect(page.get_by_role("img", name=re.compile("Items answered per day"))).to_be_visible()
    assert page.locator("svg.trend-chart").count() == 1
    marked = page.locator("section").filter(
        has=page.get_by_role("heading", name="Marked questions")
    )
    expect(marked).to_contain_text(first.question.lead_in)
    notes = page.locator("section").filter(has=page.get_by_role("heading", name="Your notes"))
    expect(notes).to_contain_text(NOTE)


def test_a_timed_session_counts_down_and_keeps_the_key_until_the_exam_ends(
    page: Page, learner: User
) -> None:
    log_in(page, learner.username)
    page.goto("/practice/sessions/new/")
    session = build_session(page, mode="Timed", count=2)
    assert session.mode == Mode.TIMED

    before = seconds_left(page)
    # The clock ticks once a second, later when the machine is busy (CI runs this next to a
    # database server): wait for a tick rather than a fixed time.
    assert wait_until(lambda: seconds_left(page) < before, timeout=10)
    assert 0 < seconds_left(page) < before <= 180

    first = item(session, 1)
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Record answer").click()
    letter = first.shown_options()[0].letter
    expect(page.get_by_text(f"Answer recorded: you chose {letter}.")).to_be_visible()
    expect(page.get_by_role("heading", name="Item 2 of 2")).to_be_visible()
    page.keyboard.press("p")
    expect(page.get_by_role("heading", name="Item 1 of 2")).to_be_visible()
    page.keyboard.press("m")
    expect(page.get_by_role("button", name="Mark for review")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.get_by_text("The answers and explanations open when the exam ends")).to_be_visible()
    for hidden in ("Why not other options?", "Correct answer", "% of students chose this"):
        expect(page.get_by_text(hidden)).to_have_count(0)
    expect(page.get_by_role("heading", name=re.compile("^(Correct|Incorrect)$"))).to_have_count(0)
    assert key_point(first.question) not in page.content()
    assert Response.objects.filter(item__session=session).count() == 1

    page.get_by_role("button", name="End exam and see results").click()

    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    correct = int(Response.objects.get(item=first).is_correct)
    expect(page.get_by_text(f"{correct} of 2 correct")).to_be_visible()
    expect(page.get_by_text("Correct answer", exact=True)).to_have_count(2)
    for number in (1, 2):
        result = page.locator(f"#item-{number}")
        result.get_by_text("Explanation", exact=True).click()
        expect(result.get_by_role("heading", name="Why not other options?")).to_be_visible()
        expect(result.get_by_text(key_point(item(session, number).question))).to_be_visible()
    expect(page.locator("#item-1")).to_contain_text("Marked")
    expect(page.locator("#item-2")).to_contain_text("Not answered")
    assert Mark.objects.filter(learner=learner, question=first.question).exists()


def test_an_answer_after_the_deadline_is_refused_and_the_session_ends(
    page: Page, learner: User
) -> None:
    log_in(page, learner.username)
    page.goto("/practice/sessions/new/")
    session = build_session(page, mode="Timed", count=1)
    PracticeSession.objects.filter(pk=session.pk).update(
        deadline=timezone.now() - timedelta(minutes=5)
    )

    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Record answer").click()

    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    expect(page.get_by_text("Time is up")).to_be_visible()
    expect(page.get_by_text("0 of 1 correct")).to_be_visible()
    assert not Response.objects.filter(item__session=session).exists()
    assert PracticeSession.objects.get(pk=session.pk).finished_at is not None

    page.get_by_role("link", name="Back to the dashboard").click()
    expect(page.get_by_role("heading", name="Unfinished sessions")).to_have_count(0)
    recent = page.locator("section").filter(has=page.get_by_role("heading", name="Recent sessions"))
    expect(recent).to_contain_text("Timed session")
    expect(recent).to_contain_text("0 of 1 correct")


@pytest.fixture
def page_without_js(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A browser context with JavaScript turned off; fails the test on any CSP violation."""
    with watched_page(browser, live_server, java_script_enabled=False) as opened:
        yield opened


def test_a_tutor_session_works_without_javascript(page_without_js: Page, learner: User) -> None:
    page = page_without_js
    log_in(page, learner.username)
    page.goto("/practice/sessions/new/")
    page.get_by_role("checkbox", name=re.compile(f"^{re.escape(TOPIC)}")).check()
    page.get_by_label("Number of items").fill("1")
    page.get_by_role("button", name="Count matching questions").click()
    expect(page.get_by_role("status").filter(has_text="match")).to_contain_text(
        "the session will have 1 item"
    )
    page.get_by_role("button", name="Start session").click()
    expect(page.get_by_role("heading", name="Item 1 of 1")).to_be_visible()
    found = SESSION_URL.search(page.url)
    assert found is not None
    first = item(PracticeSession.objects.get(pk=int(found.group(1))), 1)
    assert key_point(first.question) not in page.content()

    page.get_by_role("button", name="Strike out option A").click()
    expect(page.get_by_role("button", name="Strike out option A")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.get_by_role("radio").nth(1).check()
    page.get_by_role("button", name="Submit answer").click()

    expect(page.get_by_role("heading", name=re.compile("^(Correct|Incorrect)$"))).to_be_visible()
    expect(page.get_by_role("heading", name="Why not other options?")).to_be_visible()
    expect(page.get_by_text(key_point(first.question))).to_be_visible()
    assert Response.objects.get(item=first).option_id == first.shown_options()[1].pk


def test_the_item_page_fits_a_phone_and_its_options_can_be_tapped(
    page: Page, learner: User
) -> None:
    session = start_session(
        learner=learner,
        mode=Mode.TUTOR,
        count=1,
        topics=[],
        pool=Pool.ALL,
        seconds_per_item=90,
        now=timezone.now(),
    )
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, learner.username)

    page.goto(f"/practice/sessions/{session.pk}/items/1/")
    expect(page.get_by_role("heading", name="Item 1 of 1")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # A tap on the option's text (its label) chooses it.
    page.locator("label[for^='option-']").last.click()
    expect(page.get_by_role("radio").last).to_be_checked()
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_role("heading", name="Why not other options?")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
