"""The practice API through its URLs: sessions, answers, results, progress, marks, notes and
problem reports, each student seeing only their own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from learners.models import Mark, Note, PracticeSession, Response, User
from quizbank.models import ProblemReport, Question
from quizbank.services import ensure_topic
from tests.learners.conftest import BulkBank, BulkHistory
from tests.learners.pages import token_of

pytestmark = pytest.mark.django_db

SESSIONS = "/api/v1/sessions/"


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def start(client: APIClient, **choices: Any) -> dict[str, Any]:
    response = client.post(SESSIONS, {"mode": "tutor", "count": 3, **choices}, format="json")
    assert response.status_code == 201, response.json()
    body: dict[str, Any] = response.json()
    return body


def option_of(item: dict[str, Any], *, correct: bool) -> str:
    """Return the item's id of its key (or of a distractor), read from the bank."""
    return token_of(item["id"], correct=correct)


def answer(client: APIClient, session: dict[str, Any], item: dict[str, Any], option: str) -> Any:
    return client.post(
        f"{SESSIONS}{session['id']}/responses/",
        {"item": item["id"], "option": option},
        format="json",
    )


@pytest.fixture
def bank(bulk_bank: BulkBank) -> list[Question]:
    return bulk_bank(5)


# Building a session -----------------------------------------------------------------------------


def test_building_a_tutor_session_returns_its_items_without_the_key(
    student: User, bank: list[Question]
) -> None:
    session = start(api(student))

    assert session["mode"] == "tutor"
    assert session["status"] == "active"
    assert session["deadline"] is None
    assert [item["position"] for item in session["items"]] == [0, 1, 2]
    item = session["items"][0]
    assert set(item) == {"id", "position", "question", "answer", "feedback"}
    assert set(item["question"]) == {"id", "stem", "lead_in", "options"}
    assert [set(option) for option in item["question"]["options"]] == [{"id", "letter", "text"}] * 4
    assert item["answer"] is None
    assert item["feedback"] is None


def test_a_timed_session_has_a_deadline_of_its_seconds_per_item(
    student: User, bank: list[Question]
) -> None:
    before = timezone.now()
    session = start(api(student), mode="timed", seconds_per_item=60)

    deadline = PracticeSession.objects.get(pk=session["id"]).deadline
    assert deadline is not None
    assert timedelta(seconds=180) <= deadline - before < timedelta(seconds=185)
    assert 175 <= session["seconds_left"] <= 180


@pytest.mark.parametrize(
    ("choices", "field"),
    [
        ({"filter": "marked"}, "filter"),
        ({"topics": [999_999]}, "topics"),
        ({"count": 0}, "count"),
        ({"count": 101}, "count"),
        ({"mode": "exam"}, "mode"),
        ({"filter": "everything"}, "filter"),
        ({"mode": "timed", "seconds_per_item": 1}, "seconds_per_item"),
        ({"questions": [999_999]}, "questions"),
    ],
)
def test_a_session_that_cannot_be_built_is_a_400_naming_the_field(
    student: User, bank: list[Question], choices: dict[str, Any], field: str
) -> None:
    response = api(student).post(SESSIONS, {"mode": "tutor", "count": 3, **choices}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert PracticeSession.objects.count() == 0


def test_the_pool_counts_the_matching_questions_before_starting(
    student: User, bank: list[Question]
) -> None:
    client = api(student)
    topic = bank[0].topic_id
    session = start(client, count=1)
    answer(client, session, session["items"][0], option_of(session["items"][0], correct=True))

    elsewhere = ensure_topic(["Nephrology"]).pk
    pool = f"{SESSIONS}pool/"

    assert client.get(f"{pool}?topics={topic}").json() == {"count": 5}
    assert client.get(f"{pool}?topics={topic}&filter=unused").json() == {"count": 4}
    assert client.get(f"{pool}?topics={elsewhere}").json() == {"count": 0}
    assert client.get(f"{pool}?topics={elsewhere}&topics={topic}").json() == {"count": 5}


def test_the_pool_names_an_unknown_topic(student: User, bank: list[Question]) -> None:
    response = api(student).get(f"{SESSIONS}pool/?topics=999999")

    assert response.status_code == 400
    assert list(response.json()) == ["topics"]


def test_practising_questions_again_builds_a_session_of_exactly_those(
    student: User, bank: list[Question]
) -> None:
    again = [bank[1].pk, bank[3].pk]

    session = start(api(student), count=10, questions=again)

    assert sorted(item["question"]["id"] for item in session["items"]) == sorted(again)


# Seeing sessions, and only one's own ------------------------------------------------------------


def test_the_list_shows_only_own_sessions_newest_first(
    student: User, second_student: User, bank: list[Question]
) -> None:
    client = api(student)
    first = start(client, count=2)
    second = start(client, count=1, mode="timed")
    start(api(second_student))
    answer(client, first, first["items"][0], option_of(first["items"][0], correct=True))

    response = client.get(SESSIONS)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [second["id"], first["id"]]
    assert [(row["mode"], row["item_count"], row["answered"]) for row in rows] == [
        ("timed", 1, 0),
        ("tutor", 2, 1),
    ]
    assert "items" not in rows[0]


def test_another_students_session_is_not_found(
    student: User, second_student: User, bank: list[Question]
) -> None:
    session = start(api(student))
    item = session["items"][0]
    intruder = api(second_student)
    url = f"{SESSIONS}{session['id']}/"

    assert intruder.get(url).status_code == 404
    assert intruder.patch(url, {"status": "finished"}, format="json").status_code == 404
    assert answer(intruder, session, item, option_of(item, correct=True)).status_code == 404
    assert PracticeSession.objects.get(pk=session["id"]).finished_at is None
    assert Response.objects.count() == 0


def test_an_item_of_another_session_is_not_found(
    student: User, second_student: User, bank: list[Question]
) -> None:
    mine = start(api(student))
    theirs = start(api(second_student))
    item = theirs["items"][0]

    response = answer(api(student), mine, item, option_of(item, correct=True))

    assert response.status_code == 404
    assert Response.objects.count() == 0


def test_users_who_do_not_practise_are_refused(db: None) -> None:
    no_role = User.objects.create_user(username="no-role", password="x")
    client = api(no_role)

    for url in [SESSIONS, f"{SESSIONS}pool/", "/api/v1/progress/", "/api/v1/marks/"]:
        assert client.get(url).status_code == 403
    assert client.post(SESSIONS, {"mode": "tutor", "count": 1}, format="json").status_code == 403
    assert APIClient().get(SESSIONS).status_code in {401, 403}


# Answering --------------------------------------------------------------------------------------


def test_a_tutor_answer_returns_the_feedback(student: User, bank: list[Question]) -> None:
    client = api(student)
    session = start(client)
    item = session["items"][0]
    key = option_of(item, correct=True)
    wrong = option_of(item, correct=False)

    response = answer(client, session, item, wrong)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"correct", "correct_option", "explanation", "option_shares"}
    assert body["correct"] is False
    assert body["correct_option"] == key
    assert body["explanation"]["key_point"] == "The key point."
    assert len(body["explanation"]["why_not"]) == 3
    assert body["option_shares"] == {
        str(option["id"]): (1.0 if option["id"] == wrong else 0.0)
        for option in item["question"]["options"]
    }


def test_a_timed_answer_is_only_recorded(student: User, bank: list[Question]) -> None:
    client = api(student)
    session = start(client, mode="timed")
    item = session["items"][0]

    response = answer(client, session, item, option_of(item, correct=True))

    assert response.status_code == 201
    assert response.json() == {"recorded": True}


@pytest.mark.parametrize("mode", ["tutor", "timed"])
def test_the_same_answer_again_returns_the_stored_result(
    student: User, bank: list[Question], mode: str
) -> None:
    client = api(student)
    session = start(client, mode=mode)
    item = session["items"][0]
    option = option_of(item, correct=False)

    first = answer(client, session, item, option)
    again = answer(client, session, item, option)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Response.objects.count() == 1


def test_a_different_option_for_an_answered_item_is_refused(
    student: User, bank: list[Question]
) -> None:
    client = api(student)
    session = start(client)
    item = session["items"][0]
    answer(client, session, item, option_of(item, correct=False))

    response = answer(client, session, item, option_of(item, correct=True))

    assert response.status_code == 409
    assert response.json()["code"] == "already_answered"
    assert response.json()["detail"]
    assert Response.objects.get().is_correct is False


def test_rejects_answer_after_deadline(student: User, bank: list[Question]) -> None:
    client = api(student)
    session = start(client, mode="timed")
    item = session["items"][0]
    PracticeSession.objects.filter(pk=session["id"]).update(
        deadline=timezone.now() - timedelta(seconds=31)
    )

    response = answer(client, session, item, option_of(item, correct=True))

    assert response.status_code == 409
    assert response.json()["code"] == "deadline_passed"
    assert Response.objects.count() == 0
    assert client.get(f"{SESSIONS}{session['id']}/").json()["status"] == "finished"


def test_an_answer_within_the_grace_after_the_deadline_counts(
    student: User, bank: list[Question]
) -> None:
    client = api(student)
    session = start(client, mode="timed")
    item = session["items"][0]
    PracticeSession.objects.filter(pk=session["id"]).update(
        deadline=timezone.now() - timedelta(seconds=20)
    )

    response = answer(client, session, item, option_of(item, correct=True))

    assert response.status_code == 201
    assert response.json() == {"recorded": True}


def test_an_option_of_another_item_is_a_400_naming_the_option(
    student: User, bank: list[Question]
) -> None:
    client = api(student)
    session = start(client)
    first, second = session["items"][:2]

    response = answer(client, session, first, option_of(second, correct=True))

    assert response.status_code == 400
    assert list(response.json()) == ["option"]
    assert Response.objects.count() == 0


def test_a_missing_item_or_option_is_named(student: User, bank: list[Question]) -> None:
    session = start(api(student))

    response = api(student).post(f"{SESSIONS}{session['id']}/responses/", {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"item", "option"}


def test_the_session_shows_answers_and_feedback_of_answered_items_only(
    student: User, bank: list[Question]
) -> None:
    client = api(student)
    session = start(client)
    item = session["items"][0]
    key = option_of(item, correct=True)
    answer(client, session, item, key)

    detail = client.get(f"{SESSIONS}{session['id']}/").json()

    answered, unanswered = detail["items"][0], detail["items"][1]
    assert answered["answer"] == {"option": key, "recorded": True}
    assert answered["feedback"]["correct"] is True
    assert answered["feedback"]["correct_option"] == key
    assert answered["feedback"]["option_shares"][str(key)] == 1.0
    assert unanswered["answer"] is None
    assert unanswered["feedback"] is None
    assert detail["seconds_left"] is None
    assert detail["score"] is None


def test_a_timed_session_shows_what_was_recorded_but_no_feedback(
    student: User, bank: list[Question]
) -> None:
    client = api(student)
    session = start(client, mode="timed")
    item = session["items"][0]
    option = option_of(item, correct=True)
    answer(client, session, item, option)

    detail = client.get(f"{SESSIONS}{session['id']}/").json()

    assert detail["items"][0]["answer"] == {"option": option, "recorded": True}
    assert [item["feedback"] for item in detail["items"]] == [None, None, None]
    assert detail["seconds_left"] > 0


# Finishing --------------------------------------------------------------------------------------


def test_finishing_returns_the_results(student: User, bank: list[Question]) -> None:
    client = api(student)
    session = start(client, mode="timed")
    first, second, _ = session["items"]
    answer(client, session, first, option_of(first, correct=True))
    wrong = option_of(second, correct=False)
    answer(client, session, second, wrong)

    response = client.patch(f"{SESSIONS}{session['id']}/", {"status": "finished"}, format="json")

    assert response.status_code == 200
    results = response.json()
    assert results["status"] == "finished"
    assert results["score"] == {"correct": 1, "total": 3, "percent": 33.3}
    assert results["duration_seconds"] >= 0
    items = results["items"]
    assert [item["answer"] for item in items] == [
        {"option": option_of(first, correct=True), "correct": True},
        {"option": wrong, "correct": False},
        None,
    ]
    assert [item["correct_option"] for item in items] == [
        option_of(item, correct=True) for item in session["items"]
    ]
    assert all(item["explanation"]["why_correct"] for item in items)
    detail = client.get(f"{SESSIONS}{session['id']}/").json()
    assert detail["score"] == results["score"]
    assert all(item["feedback"] is not None for item in detail["items"])


def test_a_finished_session_takes_no_more_answers(student: User, bank: list[Question]) -> None:
    client = api(student)
    session = start(client)
    url = f"{SESSIONS}{session['id']}/"
    client.patch(url, {"status": "finished"}, format="json")
    item = session["items"][0]

    again = client.patch(url, {"status": "finished"}, format="json")
    response = answer(client, session, item, option_of(item, correct=True))

    assert again.status_code == 200
    assert response.status_code == 409
    assert response.json()["code"] == "session_finished"


@pytest.mark.parametrize(
    ("change", "field"),
    [({"status": "active"}, "status"), ({"mode": "timed"}, "mode"), ({}, "status")],
)
def test_any_other_change_is_a_400_naming_the_field(
    student: User, bank: list[Question], change: dict[str, Any], field: str
) -> None:
    client = api(student)
    session = start(client)

    response = client.patch(f"{SESSIONS}{session['id']}/", change, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert PracticeSession.objects.get(pk=session["id"]).finished_at is None


# Progress, marks, notes, problem reports --------------------------------------------------------


def test_progress_returns_the_dashboard_figures(student: User, bank: list[Question]) -> None:
    client = api(student)
    session = start(client)
    first, second, _ = session["items"]
    answer(client, session, first, option_of(first, correct=True))
    answer(client, session, second, option_of(second, correct=False))

    response = client.get("/api/v1/progress/")

    assert response.status_code == 200
    progress = response.json()
    assert (progress["answered"], progress["correct"], progress["percent_correct"]) == (2, 1, 50)
    assert [topic["label"] for topic in progress["topics"]] == ["Bulk > Bank of 5"]
    assert len(progress["trend"]) == 30
    assert progress["trend"][-1]["answered"] == 2
    assert [row["id"] for row in progress["unfinished"]] == [session["id"]]
    assert progress["unfinished"][0]["answered"] == 2
    assert progress["percentile"] is None


def test_marking_a_met_question_is_idempotent(student: User, bank: list[Question]) -> None:
    client = api(student)
    question = start(client)["items"][0]["question"]["id"]
    url = f"/api/v1/marks/{question}/"

    created = client.put(url)
    again = client.put(url)
    listed = client.get("/api/v1/marks/").json()["results"]
    removed = client.delete(url)
    removed_again = client.delete(url)

    assert (created.status_code, again.status_code) == (201, 200)
    assert again.json() == created.json()
    assert [mark["question"] for mark in listed] == [question]
    assert (removed.status_code, removed_again.status_code) == (204, 204)
    assert Mark.objects.count() == 0


def test_marks_and_notes_are_limited_to_questions_met_and_to_their_owner(
    student: User, second_student: User, bank: list[Question]
) -> None:
    client = api(student)
    met = {item["question"]["id"] for item in start(client)["items"]}
    unmet = next(question.pk for question in bank if question.pk not in met)
    client.put(f"/api/v1/marks/{min(met)}/")
    client.put(f"/api/v1/notes/{min(met)}/", {"text": "Mine."}, format="json")
    intruder = api(second_student)

    assert client.put(f"/api/v1/marks/{unmet}/").status_code == 404
    assert client.put(f"/api/v1/notes/{unmet}/", {"text": "x"}, format="json").status_code == 404
    assert intruder.put(f"/api/v1/marks/{min(met)}/").status_code == 404
    assert intruder.delete(f"/api/v1/notes/{min(met)}/").status_code == 404
    assert intruder.get("/api/v1/marks/").json()["results"] == []
    assert intruder.get("/api/v1/notes/").json()["results"] == []
    assert Mark.objects.filter(learner=student).count() == 1
    assert Note.objects.get().text == "Mine."


def test_a_note_is_saved_changed_and_deleted(student: User, bank: list[Question]) -> None:
    client = api(student)
    question = start(client)["items"][0]["question"]["id"]
    url = f"/api/v1/notes/{question}/"

    created = client.put(url, {"text": "Check the renal dose."}, format="json")
    changed = client.put(url, {"text": "Dose by creatinine clearance."}, format="json")
    listed = client.get("/api/v1/notes/").json()["results"]
    emptied = client.put(url, {"text": "  "}, format="json")
    client.put(url, {"text": "Again."}, format="json")
    deleted = client.delete(url)

    assert (created.status_code, changed.status_code) == (201, 200)
    assert [(note["question"], note["text"]) for note in listed] == [
        (question, "Dose by creatinine clearance.")
    ]
    assert (emptied.status_code, deleted.status_code) == (204, 204)
    assert Note.objects.count() == 0


@pytest.mark.parametrize(("body", "field"), [({}, "text"), ({"text": "x" * 5001}, "text")])
def test_a_bad_note_is_a_400_naming_the_field(
    student: User, bank: list[Question], body: dict[str, Any], field: str
) -> None:
    client = api(student)
    question = start(client)["items"][0]["question"]["id"]

    response = client.put(f"/api/v1/notes/{question}/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_problem_report_reaches_the_review_queue(student: User, bank: list[Question]) -> None:
    client = api(student)
    question = start(client)["items"][0]["question"]["id"]

    response = client.post(
        "/api/v1/problem-reports/",
        {"question": question, "text": "Two options are correct."},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["question"] == question
    report = ProblemReport.objects.get()
    assert (report.reporter, report.text) == (student, "Two options are correct.")


def test_a_problem_report_names_the_field_it_cannot_accept(
    student: User, second_student: User, bank: list[Question]
) -> None:
    met = start(api(student))["items"][0]["question"]["id"]
    reports = "/api/v1/problem-reports/"

    unmet = api(second_student).post(reports, {"question": met, "text": "x"}, format="json")
    blank = api(student).post(reports, {"question": met, "text": " "}, format="json")

    assert (unmet.status_code, list(unmet.json())) == (400, ["question"])
    assert (blank.status_code, list(blank.json())) == (400, ["text"])
    assert ProblemReport.objects.count() == 0


# Query counts -----------------------------------------------------------------------------------

# Token; the item with its session, question, stored answer and whether the question was
# answered before (one query); the question's options; savepoint + insert + release; the
# session's last answer time. Tutor feedback adds the references and the first-attempt shares.
# A first attempt also reviews the learner's card (looked up, created, reviewed; its log) and
# updates the topic ability (looked up, upserted) and the item's difficulty: 7 more.
# Answering checks no permission: the learner owns the session. The detail: token, permissions
# (2), session, items with questions and answers, options, references, shares.
TUTOR_ANSWER_QUERIES = 9 + 7
TIMED_ANSWER_QUERIES = 7 + 7
DETAIL_QUERIES = 8


@pytest.mark.parametrize(("bank_size", "history"), [(100, 10), (10_000, 10_000)])
def test_answering_costs_the_same_queries_whatever_the_bank_and_history(
    student: User,
    bulk_bank: BulkBank,
    bulk_history: BulkHistory,
    django_assert_num_queries: Any,
    bank_size: int,
    history: int,
) -> None:
    questions = bulk_bank(bank_size)
    # History on half of the bank; the sessions draw from the other half, so that each answer
    # is a first attempt at both sizes.
    bulk_history(student, questions[: bank_size // 2], history)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=student).key}")
    tutor = start(client, count=3, filter="unused")
    timed = start(client, mode="timed", count=3, filter="unused")
    # The first answer warms per-process caches (content types); the pinned one is the second.
    answer(client, tutor, tutor["items"][0], option_of(tutor["items"][0], correct=True))
    tutor_key = option_of(tutor["items"][1], correct=True)
    # Both sessions draw from the same unused questions: the timed item must not be one the
    # tutor session answers, or it would not be a first attempt (4% of runs at 100 questions).
    answered = {item["question"]["id"] for item in tutor["items"][:2]}
    timed_item = next(item for item in timed["items"] if item["question"]["id"] not in answered)
    timed_key = option_of(timed_item, correct=True)

    with django_assert_num_queries(TUTOR_ANSWER_QUERIES):
        tutor_answer = answer(client, tutor, tutor["items"][1], tutor_key)
    with django_assert_num_queries(TIMED_ANSWER_QUERIES):
        timed_answer = answer(client, timed, timed_item, timed_key)
    with django_assert_num_queries(DETAIL_QUERIES):
        detail = client.get(f"{SESSIONS}{tutor['id']}/")

    assert (tutor_answer.status_code, timed_answer.status_code) == (201, 201)
    assert detail.status_code == 200
