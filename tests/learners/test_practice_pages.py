"""The practice pages: building a session, answering one item per page, strike-outs, marks, notes,
problem reports and the results."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from rest_framework.test import APIClient

from learners.models import Mark, Mode, Note, Pool, PracticeSession, Response, SessionItem, User
from learners.practice import set_mark
from quizbank.models import ProblemReport, Question, Reference, Topic
from tests.learners.pages import (
    BUILDER,
    HTMX,
    Learner,
    item_url,
    key_of,
    move_deadline,
    page,
    result_of,
    results_url,
)

pytestmark = pytest.mark.django_db


# Building a session ------------------------------------------------------------------------------


def test_the_builder_counts_the_matching_questions(learner: Learner, starter_bank: None) -> None:
    published = Question.objects.published().count()
    topic = learner.bank[0].topic

    first = learner.get(BUILDER)
    counted = learner.get(BUILDER, {"mode": "tutor", "count": "2", "topics": topic.pk})
    partial = learner.get(BUILDER, {"topics": topic.pk}, headers=HTMX)

    assert f"<strong>{published} questions</strong> match these choices" in first
    assert "the session will have 20 items" in first
    assert (
        "<strong>3 questions</strong> match these choices: the session will have 2 items" in counted
    )
    assert partial.strip().startswith("<strong>3 questions</strong>")
    assert 'Practice pages <span class="muted">(3 questions)' in first
    for other in Topic.objects.all():
        assert f'id="topic-{other.pk}"' in first


def test_without_javascript_the_count_button_counts_without_starting(
    learner: Learner, starter_bank: None
) -> None:
    topic = learner.bank[0].topic
    response = learner.client.post(
        BUILDER, {"mode": "tutor", "count": "2", "topics": topic.pk, "action": "count"}
    )

    assert response.status_code == 200
    assert "<strong>3 questions</strong> match these choices" in page(response)
    assert not PracticeSession.objects.exists()


def test_the_builder_preselects_a_filter_from_the_query_string(learner: Learner) -> None:
    html = learner.get(BUILDER, {"filter": "marked"})

    assert re.search(r'<input type="radio" name="filter" value="marked"[^>]*checked', html)
    # Each choice's explanation is its description for screen readers, not part of its name.
    marked = re.search(r'<input type="radio" name="filter" value="marked"[^>]*>', html)
    assert marked is not None
    described = re.search(r'aria-describedby="([^"]+)"', marked.group(0))
    assert described is not None
    assert f'id="{described.group(1)}">Questions you marked for review.</span>' in html
    assert "No questions match these choices." in html


@pytest.mark.parametrize("count", ["0", "101"])
def test_the_builder_refuses_a_count_out_of_range(learner: Learner, count: str) -> None:
    html = page(learner.client.post(BUILDER, {"mode": "tutor", "count": count}))

    field = re.search(r'<div class="field field-invalid">.*?</div>\s*</div>', html, re.S)
    assert field is not None and 'name="count"' in field.group(0)
    assert "Ensure this value is" in field.group(0)
    assert not PracticeSession.objects.exists()


def test_the_builder_says_why_nothing_matches_next_to_the_filter(learner: Learner) -> None:
    html = page(learner.client.post(BUILDER, {"mode": "tutor", "count": 5, "filter": "marked"}))

    fieldset = re.search(r"<legend>Which items</legend>.*?</fieldset>", html, re.S)
    assert fieldset is not None and "You have not marked any questions." in fieldset.group(0)
    assert not PracticeSession.objects.exists()


def test_starting_a_tutor_session_opens_item_one(learner: Learner) -> None:
    response = learner.client.post(BUILDER, {"mode": "tutor", "count": 2, "filter": "all"})

    session = PracticeSession.objects.get()
    assert response["Location"] == item_url(session, 1)
    assert (session.learner, session.mode, session.item_count) == (learner.user, Mode.TUTOR, 2)
    html = learner.get(response["Location"])
    assert "Item 1 of 2" in html
    assert "Finish session" in html
    assert "data-timer-text" not in html


def test_starting_a_timed_session_shows_the_time_left(learner: Learner) -> None:
    response = learner.client.post(
        BUILDER, {"mode": "timed", "count": 2, "seconds_per_item": 60, "filter": "all"}
    )

    session = PracticeSession.objects.get()
    assert session.deadline is not None
    assert session.deadline - session.created_at == timedelta(seconds=120)
    html = learner.get(response["Location"])
    assert re.search(r"<span data-timer-text>(2:00|1:59)</span> left", html)
    assert f'data-deadline="{session.deadline.isoformat(timespec="seconds")[:19]}' in html
    assert "End exam and see results" in html


def test_the_builder_starts_from_chosen_topics_and_unused_items(
    learner: Learner, starter_bank: None
) -> None:
    bank = learner.bank
    earlier = learner.start(questions=[bank[0]])
    learner.answer(earlier)

    learner.client.post(
        BUILDER, {"mode": "tutor", "count": 10, "filter": "unused", "topics": [bank[0].topic_id]}
    )

    session = PracticeSession.objects.exclude(pk=earlier.pk).get()
    assert session.pool == Pool.UNUSED
    assert {item.question_id for item in session.items.all()} == {bank[1].pk, bank[2].pk}


# Answering ---------------------------------------------------------------------------------------


def test_showing_an_item_records_when_it_was_first_seen(learner: Learner) -> None:
    session = learner.start()

    learner.get(item_url(session, 2))

    shown = dict(session.items.values_list("position", "shown_at"))
    assert shown[1] is not None
    assert shown[0] is None


def test_a_correct_answer_shows_the_result_explanation_and_shares(learner: Learner) -> None:
    session = learner.start()

    response = learner.answer(session)

    assert response["Location"] == item_url(session)
    html = learner.get(item_url(session))
    assert result_of(html) == "Correct"
    for heading in ("The correct answer", "Key point", "Why this is the answer", "Clinical pearl"):
        assert heading in html
    assert html.index("Key point") < html.index("Why not other options?")
    assert html.index("Why not other options?") < html.index("Clinical pearl")
    assert "Already received; switch class." in html
    assert "Harrison's Principles of Internal Medicine" in html
    assert "100% of students chose this" in html
    assert "Next item" in html


def test_a_wrong_answer_shows_the_correct_option(learner: Learner) -> None:
    session = learner.start()
    correct, _, _ = key_of(session)

    learner.answer(session, correct=False)

    html = learner.get(item_url(session))
    assert result_of(html) == "Incorrect"
    key = re.search(r'<li class="choice choice-correct">.*?</li>', html, re.S)
    assert key is not None and f'value="{correct}"' in key.group(0)
    assert "Correct answer" in key.group(0)
    chosen = re.search(r'<li class="choice choice-wrong">.*?</li>', html, re.S)
    assert chosen is not None and "Your answer" in chosen.group(0)
    assert Response.objects.get().is_correct is False


def test_an_htmx_answer_swaps_in_the_feedback_and_announces_it(learner: Learner) -> None:
    session = learner.start()
    _, _, letter = key_of(session)

    html = page(learner.answer(session, correct=False, headers=HTMX))

    assert html.lstrip().startswith('<div id="item-region"')
    assert "Why not other options?" in html
    assert f"Incorrect. The correct answer is {letter}." in html
    assert 'id="item-nav" class="item-nav" aria-label="Items of this session" hx-swap-oob' in html


def test_the_same_answer_again_shows_the_stored_result(learner: Learner) -> None:
    session = learner.start()
    learner.answer(session)

    again = page(learner.answer(session, follow=True))

    assert Response.objects.count() == 1
    assert result_of(again) == "Correct"
    assert "already answered" not in again


def test_a_different_answer_is_refused_and_the_first_stands(learner: Learner) -> None:
    session = learner.start()
    _, wrong, _ = key_of(session)
    learner.answer(session, correct=False)

    refused = page(learner.answer(session, follow=True))
    through_htmx = learner.answer(session, headers=HTMX)

    assert "You have already answered this item; an answer cannot be changed." in refused
    assert result_of(refused) == "Incorrect"
    assert through_htmx["HX-Redirect"] == item_url(session)
    assert "an answer cannot be changed" in learner.get(item_url(session))
    item = SessionItem.objects.get(session=session, position=0)
    assert Response.objects.get().option_id == item.option_id_for(wrong)


def test_submitting_without_an_option_asks_for_one(learner: Learner) -> None:
    session = learner.start()

    plain = page(learner.client.post(item_url(session), {}))
    partial = page(learner.client.post(item_url(session), {}, headers=HTMX))

    for html in (plain, partial):
        assert "Choose an option, then submit your answer." in html
    assert partial.lstrip().startswith('<div id="item-region"')
    assert not Response.objects.exists()


def test_a_timed_answer_is_recorded_without_feedback_and_moves_on(learner: Learner) -> None:
    session = learner.start(Mode.TIMED)
    _, _, letter = key_of(session)

    response = learner.answer(session, follow=True)

    assert response.redirect_chain[-1][0] == item_url(session, 2)
    assert f"Answer recorded: you chose {letter}." in page(response)
    assert result_of(page(response)) is None
    answered = learner.get(item_url(session, 1))
    assert "Answer recorded: you chose" in answered
    assert result_of(answered) is None
    assert "Correct" not in answered
    # The last unanswered item sends the student back round to the first one left.
    assert learner.answer(session, 3)["Location"] == item_url(session, 2)


def test_a_timed_answer_within_the_grace_is_accepted(learner: Learner) -> None:
    session = learner.start(Mode.TIMED)
    move_deadline(session, seconds_ago=20)

    learner.answer(session)

    assert Response.objects.count() == 1


def test_a_timed_answer_after_the_deadline_and_grace_is_refused(learner: Learner) -> None:
    session = learner.start(Mode.TIMED)
    move_deadline(session, seconds_ago=31)

    response = learner.answer(session, follow=True)

    assert response.redirect_chain[-1][0] == results_url(session)
    assert "Time is up: answers to this timed session closed at its deadline." in page(response)
    assert not Response.objects.exists()


# Strike-outs, marks, notes and problem reports ---------------------------------------------------


def test_a_struck_option_stays_struck_across_page_loads(learner: Learner) -> None:
    session = learner.start()
    _, wrong, _ = key_of(session)
    pressed = re.compile(rf'id="strike-{wrong}"[^>]*aria-pressed="(true|false)"')
    other_question, _, _ = key_of(session, 2)

    refused = page(
        learner.client.post(item_url(session, action="strike"), {"strike": other_question})
    )
    assert "Choose one of this item&#x27;s options." in refused

    response = learner.client.post(item_url(session, action="strike"), {"strike": wrong})

    assert response["Location"] == item_url(session)
    html = learner.get(item_url(session))
    assert pressed.findall(html) == ["true"]
    assert re.search(rf'<li class="choice choice-struck">\s*<label for="option-{wrong}"', html)
    assert 'aria-pressed="true"' not in learner.get(item_url(session, 2)).split("mark-button")[1]

    learner.client.post(item_url(session, action="strike"), {"strike": wrong})

    assert pressed.findall(learner.get(item_url(session))) == ["false"]


def test_htmx_strike_swaps_the_options_and_keeps_the_chosen_option(learner: Learner) -> None:
    session = learner.start()
    correct, wrong, _ = key_of(session)

    html = page(
        learner.client.post(
            item_url(session, action="strike"), {"strike": wrong, "option": correct}, headers=HTMX
        )
    )

    assert html.lstrip().startswith('<div id="options-region"')
    assert re.search(rf'id="strike-{wrong}"[^>]*aria-pressed="true"', html)
    assert re.search(rf'id="option-{correct}" name="option" value="{correct}" checked', html)
    assert "struck out." in html
    item = SessionItem.objects.get(session=session, position=0)
    assert item.struck_options == [item.option_id_for(wrong)]


def test_marking_an_item_shows_it_marked_until_unmarked(learner: Learner) -> None:
    session = learner.start()
    mark = re.compile(r'id="mark-button"[^>]*aria-pressed="(true|false)"')

    learner.client.post(item_url(session, action="mark"), {"is_marked": "1"})

    assert Mark.objects.get().question == session.items.get(position=0).question
    assert mark.findall(learner.get(item_url(session))) == ["true"]

    partial = page(
        learner.client.post(item_url(session, action="mark"), {"is_marked": "0"}, headers=HTMX)
    )

    assert mark.findall(partial) == ["false"]
    assert "Mark removed." in partial
    assert not Mark.objects.exists()


def test_a_note_is_saved_and_shown_with_the_item(learner: Learner) -> None:
    session = learner.start()
    url = item_url(session, action="note")

    too_long = page(learner.client.post(url, {"text": "x" * 5001}))
    saved = page(learner.client.post(url, {"text": "Check the FISH first."}, follow=True))

    assert re.search(r'id="note-error"[^>]*>Keep a note under 5,000 characters.<', too_long)

    assert Note.objects.get().question == session.items.get(position=0).question
    assert "Note saved." in saved
    assert re.search(r'<textarea id="note-text"[^>]*>Check the FISH first.</textarea>', saved)

    assert "Note deleted." in page(learner.client.post(url, {"text": ""}, headers=HTMX))
    assert not Note.objects.exists()


def test_a_problem_report_reaches_the_instructors(learner: Learner) -> None:
    session = learner.start()
    url = item_url(session, action="report")

    empty = page(learner.client.post(url, {"text": " "}, headers=HTMX))
    sent = page(learner.client.post(url, {"text": "Option C is also right."}, follow=True))

    assert "Say what is wrong with the question." in empty

    report = ProblemReport.objects.get()
    assert report.question == session.items.get(position=0).question
    assert (report.reporter, report.text) == (learner.user, "Option C is also right.")
    assert "Thanks — sent to the instructors." in sent

    partial = page(learner.client.post(url, {"text": "Typo."}, headers=HTMX))

    assert "Thanks — sent to the instructors." in partial
    assert ProblemReport.objects.count() == 2


# Resuming, finishing and the results -------------------------------------------------------------


def test_resume_goes_to_the_first_unanswered_item_or_to_the_results_when_over(
    learner: Learner,
) -> None:
    # A running timed session's questions are not drawn elsewhere: this one is already over.
    timed = learner.start(Mode.TIMED)
    move_deadline(timed, seconds_ago=300)
    tutor = learner.start()
    learner.answer(tutor)

    assert learner.client.get(f"/practice/sessions/{tutor.pk}/")["Location"] == item_url(tutor, 2)
    early = learner.client.get(results_url(tutor), follow=True)
    assert early.redirect_chain[-1][0] == item_url(tutor, 2)
    assert "Finish the session to see its results." in page(early)
    assert learner.client.get(f"/practice/sessions/{timed.pk}/")["Location"] == results_url(timed)
    assert PracticeSession.objects.get(pk=timed.pk).finished_at is not None


def test_the_results_show_the_score_each_answer_and_the_filters(learner: Learner) -> None:
    session = learner.start()
    learner.answer(session, 1)
    learner.answer(session, 2, correct=False)
    set_mark(learner=learner.user, question=session.items.get(position=1).question, is_marked=True)

    finished = learner.client.post(f"/practice/sessions/{session.pk}/finish/", follow=True)

    html = page(finished)
    assert finished.redirect_chain[-1][0] == results_url(session)
    assert "1 of 3 correct (33%)" in html
    assert "<dd>2 of 3</dd>" in html
    assert html.count('class="card result-item') == 3
    assert "Not answered" in html
    assert "Why not other options?" in html
    assert "All (3)" in html and "Incorrect (2)" in html and "Marked (1)" in html
    incorrect = learner.get(results_url(session), {"show": "incorrect"})
    assert re.findall(r'id="item-(\d+)"', incorrect) == ["2", "3"]
    marked = learner.get(results_url(session), {"show": "marked"})
    assert re.findall(r'id="item-(\d+)"', marked) == ["2"]
    assert "Practise these 1 question again" in marked


def test_practise_these_again_starts_a_session_of_those_questions(learner: Learner) -> None:
    session = learner.start()
    learner.client.post(f"/practice/sessions/{session.pk}/finish/")
    html = learner.get(results_url(session), {"show": "incorrect"})
    ids = re.findall(r'<input type="hidden" name="questions" value="(\d+)">', html)
    assert sorted(map(int, ids)) == sorted(q.pk for q in learner.bank)

    response = learner.client.post(BUILDER, {"questions": ids[:2], "count": 2, "mode": "timed"})

    again = PracticeSession.objects.exclude(pk=session.pk).get()
    assert response["Location"] == item_url(again, 1)
    assert again.mode == Mode.TIMED
    assert {item.question_id for item in again.items.all()} == set(map(int, ids[:2]))


def test_an_item_of_a_finished_session_shows_its_key(learner: Learner) -> None:
    session = learner.start(Mode.TIMED)
    learner.client.post(f"/practice/sessions/{session.pk}/finish/")

    html = learner.get(item_url(session, 1))

    assert result_of(html) == "Not answered"
    assert "See the results" in html
    assert re.search(r'name="option" value="[0-9a-f]{16}" disabled', html)


# Isolation and access ----------------------------------------------------------------------------


ITEM_ACTIONS = ["items/1/", "items/1/strike/", "items/1/mark/", "items/1/note/", "items/1/report/"]
SESSION_URLS = [
    *[("get", path) for path in ("", "items/1/", "results/")],
    *[("post", path) for path in (*ITEM_ACTIONS, "finish/")],
]


@pytest.mark.parametrize(("method", "path"), SESSION_URLS)
def test_another_students_session_is_not_found(
    learner: Learner,
    second_student: User,
    client_for: Callable[[User], Client],
    method: str,
    path: str,
) -> None:
    session = learner.start()
    correct, _, _ = key_of(session)
    data = {"option": correct, "strike": correct, "is_marked": "1", "text": "Mine now."}

    url = f"/practice/sessions/{session.pk}/{path}"
    response = getattr(client_for(second_student), method)(url, data)

    assert response.status_code == 404
    assert not Response.objects.exists()
    assert not Mark.objects.exists() and not Note.objects.exists()
    assert not ProblemReport.objects.exists()
    assert PracticeSession.objects.get().finished_at is None
    assert SessionItem.objects.get(session=session, position=0).struck_options == []


def test_an_item_number_outside_the_session_is_not_found(learner: Learner) -> None:
    session = learner.start()

    assert learner.client.get(item_url(session, 0)).status_code == 404
    assert learner.client.get(item_url(session, 4)).status_code == 404


def test_the_practice_pages_need_a_signed_in_user(client: Client) -> None:
    assert client.get(BUILDER)["Location"].startswith("/accounts/login/")


def test_a_stored_link_that_is_not_http_is_never_a_link_for_students(learner: Learner) -> None:
    # As rows written before the rule would be; the migration clears them, this is defence in
    # depth.
    Reference.objects.filter(question__in=learner.bank).update(url="javascript:alert(5)")
    session = learner.start()

    feedback = page(learner.answer(session, follow=True))
    learner.client.post(f"/practice/sessions/{session.pk}/finish/")
    results = learner.get(results_url(session))
    api = APIClient()
    api.force_authenticate(learner.user)
    detail = api.get(f"/api/v1/sessions/{session.pk}/").json()

    assert "Harrison" in feedback and "Harrison" in results
    assert "javascript:" not in feedback + results
    references = [i["feedback"]["explanation"]["references"] for i in detail["items"]]
    assert {reference["url"] for refs in references for reference in refs} == {""}
