"""A student's own data: the JSON export (theirs only, in a fixed number of queries) and erasure,
which removes what identifies them and keeps the anonymous statistics exactly as they were."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from random import Random
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from audit.models import AuditEvent
from learners.models import (
    DailyPlan,
    Mark,
    Mode,
    Note,
    PracticeSession,
    Response,
    ReviewCard,
    ReviewLog,
    SessionItem,
    TopicAbility,
    User,
)
from learners.personal_data import erase_personal_data, export_personal_data
from learners.plans import plan_for_today
from learners.practice import record_answer, report_problem, save_note, set_mark, start_session
from learners.services import AccountError, reactivate_user
from quizbank.models import ItemStatistics, ProblemReport, Question
from quizbank.statistics import recompute_item_statistics
from tests.conftest import PASSWORD
from tests.learners.conftest import BulkBank, BulkHistory
from tests.learners.pages import Learner

pytestmark = pytest.mark.django_db

DATA_URL = reverse("account-data")
ERASE_URL = reverse("account-erase")
SAM_NOTE = "Sam: check the creatinine clearance first."
SASHA_NOTE = "Sasha: private note nobody else may read."


@dataclass
class History:
    """Two students who answered the same questions, with marks, notes, reports and a plan."""

    sam: User
    sasha: User
    bank: list[Question]
    sam_session: PracticeSession


def answer(
    user: User, questions: Sequence[Question], correct: Sequence[bool], *, mode: str = Mode.TUTOR
) -> PracticeSession:
    """Start a session of `questions` and answer its first len(correct) items as given."""
    now = timezone.now()
    session = start_session(
        learner=user,
        mode=mode,
        count=len(questions),
        question_ids=[q.pk for q in questions],
        keep_order=True,
        now=now,
        rng=Random(3),
    )
    for position, is_correct in enumerate(correct):
        item = SessionItem.objects.for_answering().get(session=session, position=position)
        option = next(o for o in item.shown_options() if o.is_correct == is_correct)
        record_answer(item=item, option_id=option.pk, now=now + timedelta(seconds=30 * position))
    return session


@pytest.fixture
def history(learner: Learner, second_student: User) -> History:
    sam, bank = learner.user, learner.bank
    now = timezone.now()
    sam_session = answer(sam, bank, [True, False])
    set_mark(learner=sam, question=bank[0], is_marked=True)
    save_note(learner=sam, question=bank[1], text=SAM_NOTE, now=now)
    report_problem(learner=sam, question=bank[1], text="Option C repeats option B.")
    plan_for_today(learner=sam, now=now)
    Token.objects.create(user=sam)
    answer(second_student, bank, [False, True, True])
    set_mark(learner=second_student, question=bank[2], is_marked=True)
    save_note(learner=second_student, question=bank[0], text=SASHA_NOTE, now=now)
    report_problem(learner=second_student, question=bank[0], text="Sasha's report.")
    return History(sam=sam, sasha=second_student, bank=bank, sam_session=sam_session)


# Export ---------------------------------------------------------------------------------------


def test_the_export_holds_the_students_account_settings_and_history(history: History) -> None:
    sam, bank = history.sam, history.bank
    now = timezone.now()

    data = export_personal_data(user=sam, now=now)

    assert json.loads(json.dumps(data)) == data
    assert data["format_version"] == 1
    assert data["exported_at"] == now.isoformat()
    account = data["account"]
    assert (account["username"], account["email"], account["role"]) == (
        "sam-student",
        "sam-student@example.org",
        "Student",
    )
    assert "password" not in json.dumps(account)
    assert account["study_settings"]["daily_goal"] == sam.daily_goal
    [session] = data["sessions"]
    assert session["id"] == history.sam_session.pk
    first, second, third = session["items"]
    assert (first["question_id"], first["lead_in"]) == (bank[0].pk, bank[0].lead_in)
    correct_text = next(o.text for o in bank[0].options.all() if o.is_correct)
    assert first["response"]["chosen_option"] == correct_text
    assert first["response"]["is_correct"] is True
    assert first["response"]["is_first_attempt"] is True
    assert second["response"]["is_correct"] is False
    assert second["response"]["seconds_spent"] >= 0
    assert third["response"] is None
    assert [m["question_id"] for m in data["marks"]] == [bank[0].pk]
    assert [n["text"] for n in data["notes"]] == [SAM_NOTE]
    assert [r["text"] for r in data["problem_reports"]] == ["Option C repeats option B."]
    assert sorted(c["question_id"] for c in data["review_cards"]) == [bank[0].pk, bank[1].pk]
    assert all(len(card["log"]) == 1 for card in data["review_cards"])
    assert len(data["daily_plans"]) == 1
    assert [a["topic"] for a in data["topic_abilities"]] == ["Nephrology > Practice pages"]
    assert data["topic_abilities"][0]["responses"] == 2


def test_the_export_holds_nothing_of_another_student(history: History) -> None:
    text = json.dumps(export_personal_data(user=history.sam, now=timezone.now()))

    assert "sasha" not in text.lower()
    assert SASHA_NOTE not in text
    sasha_sessions = PracticeSession.objects.filter(learner=history.sasha)
    exported = json.loads(text)
    assert {s["id"] for s in exported["sessions"]}.isdisjoint(s.pk for s in sasha_sessions)
    assert len(exported["marks"]) == len(exported["notes"]) == 1


def test_correctness_stays_hidden_in_a_timed_session_still_running(learner: Learner) -> None:
    answer(learner.user, learner.bank, [True], mode=Mode.TIMED)

    data = export_personal_data(user=learner.user, now=timezone.now())

    response = data["sessions"][0]["items"][0]["response"]
    assert response["chosen_option"] is not None
    assert response["is_correct"] is None


def test_the_export_takes_the_same_queries_however_long_the_history(
    history: History,
    bulk_bank: BulkBank,
    bulk_history: BulkHistory,
    django_assert_num_queries: Any,
) -> None:
    questions = bulk_bank(40)
    bulk_history(history.sam, questions, 30)
    with django_assert_num_queries(13):
        small = export_personal_data(user=history.sam, now=timezone.now())

    bulk_history(history.sam, questions, 400)
    with django_assert_num_queries(13):
        large = export_personal_data(user=history.sam, now=timezone.now())

    assert sum(len(s["items"]) for s in large["sessions"]) == 3 + 30 + 400
    assert len(large["sessions"]) > len(small["sessions"])


def test_a_student_downloads_their_data_as_a_json_attachment(
    client_for: Any, history: History
) -> None:
    response = client_for(history.sam).post(DATA_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="personal-data-{history.sam.pk}-'
    )
    assert json.loads(response.content)["account"]["username"] == "sam-student"
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.target_id, event.details) == (
        "personal_data_exported",
        history.sam,
        str(history.sam.pk),
        {"by_self": True},
    )


def test_the_download_is_post_only_with_csrf_and_login(client_for: Any, student: User) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(student)

    assert client_for(student).get(DATA_URL).status_code == 405
    assert strict.post(DATA_URL).status_code == 403
    anonymous = Client().post(DATA_URL)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    assert not AuditEvent.objects.exists()


def test_the_settings_page_offers_the_download_and_the_erasure(
    client_for: Any, student: User
) -> None:
    html = client_for(student).get("/practice/settings/").content.decode()

    assert '<h2 id="your-data-heading">Your data</h2>' in html
    assert f'<form method="post" action="{DATA_URL}">' in html
    assert f'href="{ERASE_URL}"' in html


# Erasure --------------------------------------------------------------------------------------


def item_figures() -> list[tuple[Any, ...]]:
    """Recompute every revision's item statistics from scratch and return them."""
    ItemStatistics.objects.all().delete()
    recompute_item_statistics(now=timezone.now() + timedelta(minutes=10))
    return list(
        ItemStatistics.objects.order_by("version_id").values_list(
            "version_id",
            "attempts",
            "facility",
            "discrimination",
            "option_shares",
            "mean_seconds",
            "flags",
        )
    )


def first_attempts_per_question() -> dict[int, int]:
    rows = Response.objects.first_attempts().values("question_id").annotate(n=Count("id"))
    return {row["question_id"]: row["n"] for row in rows}


def erase_through_the_page(client: Client, password: str = PASSWORD) -> Any:
    return client.post(ERASE_URL, {"password": password})


def test_erasing_removes_what_identifies_the_student(client_for: Any, history: History) -> None:
    sam = history.sam
    sam.first_name, sam.last_name = "Sam", "Okafor"
    sam.save(update_fields=["first_name", "last_name"])

    client = client_for(sam)

    response = erase_through_the_page(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "Your account is erased" in client.get(reverse("home")).content.decode()
    sam.refresh_from_db()
    assert sam.username.startswith("erased-")
    assert (sam.email, sam.first_name, sam.last_name, sam.exam_date) == ("", "", "", None)
    assert not sam.has_usable_password()
    assert not sam.is_active
    assert not sam.wants_reminders
    for model in (Mark, Note, DailyPlan, ReviewCard, TopicAbility):
        assert not model.objects.filter(learner=sam).exists(), model
    assert not ReviewLog.objects.filter(card__learner=sam).exists()
    assert not Token.objects.filter(user=sam).exists()
    report = ProblemReport.objects.get(text="Option C repeats option B.")
    assert report.reporter is None


def test_erasing_keeps_the_anonymous_statistics_unchanged(
    client_for: Any, history: History
) -> None:
    figures = item_figures()
    counts = first_attempts_per_question()
    answered = Response.objects.filter(learner=history.sam).count()

    erase_through_the_page(client_for(history.sam))

    assert Response.objects.filter(learner=history.sam).count() == answered == 2
    assert first_attempts_per_question() == counts
    assert sorted(counts.values()) == [1, 2, 2]
    assert item_figures() == figures
    assert [attempts for _, attempts, *_ in figures] == [2, 2, 1]


def test_erasing_leaves_the_other_student_untouched(client_for: Any, history: History) -> None:
    erase_through_the_page(client_for(history.sam))

    sasha = User.objects.get(pk=history.sasha.pk)
    assert (sasha.username, sasha.is_active) == ("sasha-student", True)
    assert Note.objects.get(learner=sasha).text == SASHA_NOTE
    assert Mark.objects.filter(learner=sasha).count() == 1
    assert ProblemReport.objects.get(text="Sasha's report.").reporter == sasha


def sessions_of(user: User) -> int:
    """Count the web sessions signed in as `user` in the session table."""
    return sum(
        session.get_decoded().get("_auth_user_id") == str(user.pk)
        for session in Session.objects.all()
    )


def test_erasing_logs_the_student_out_everywhere(
    client_for: Any, history: History, learner: Learner
) -> None:
    phone = Client()
    login = {"username": "sam-student", "password": PASSWORD}
    assert phone.post("/accounts/login/", login).status_code == 302
    # The learner's own browser, the phone and the browser erasing the account.
    erasing = client_for(history.sam)
    assert sessions_of(history.sam) == 3

    erase_through_the_page(erasing)

    assert sessions_of(history.sam) == 0
    assert phone.get("/practice/")["Location"].startswith("/accounts/login/")
    assert learner.client.get("/practice/")["Location"].startswith("/accounts/login/")
    assert Client().post("/accounts/login/", login).status_code == 200


def test_a_wrong_password_erases_nothing_and_says_so(client_for: Any, history: History) -> None:
    response = erase_through_the_page(client_for(history.sam), password="not-my-password")

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "password": ["The password is not correct; your account was not erased."]
    }
    assert 'id="id_password"' in response.content.decode()
    sam = User.objects.get(pk=history.sam.pk)
    assert (sam.username, sam.is_active) == ("sam-student", True)
    assert Note.objects.filter(learner=sam).exists()
    assert not AuditEvent.objects.exists()


def test_the_erase_page_asks_for_the_password_and_needs_a_login(
    client_for: Any, student: User
) -> None:
    page = client_for(student).get(ERASE_URL)

    assert page.status_code == 200
    assert '<label for="id_password">Your password</label>' in page.content.decode()
    assert Client().get(ERASE_URL)["Location"].startswith("/accounts/login/")


def test_erasure_is_audited_without_the_old_name_or_e_mail(
    client_for: Any, history: History
) -> None:
    client = client_for(history.sam)
    client.post(DATA_URL)

    erase_through_the_page(client)

    sam = User.objects.get(pk=history.sam.pk)
    erased = AuditEvent.objects.get(action=AuditEvent.Action.PERSONAL_DATA_ERASED)
    assert (erased.actor, erased.target_id, erased.target_repr) == (
        sam,
        str(sam.pk),
        f"user {sam.pk}",
    )
    assert erased.details == {"by_self": True}
    stored = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert "sam-student" not in stored
    assert "example.org" not in stored


def test_an_erased_account_cannot_be_reactivated(history: History, admin_user: User) -> None:
    erase_personal_data(user=history.sam, by=admin_user, now=timezone.now())

    with pytest.raises(AccountError, match="cannot be reactivated"):
        reactivate_user(user=history.sam, by=admin_user)

    history.sam.refresh_from_db()
    assert not history.sam.is_active


def test_only_the_student_or_an_admin_erases_an_account(history: History, instructor: User) -> None:
    with pytest.raises(PermissionDenied):
        erase_personal_data(user=history.sam, by=instructor, now=timezone.now())

    history.sam.refresh_from_db()
    assert history.sam.username == "sam-student"
