"""Evening reminders: sent once per waiting plan, in each student's own evening, with an opt-out."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from smtplib import SMTPException
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import signing
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.test import Client

from learners.models import DailyPlan, Mode, User
from learners.practice import record_answer, start_session
from learners.reminders import OPT_OUT_SALT, send_reminders, waiting_plans
from learners.roles import Role
from quizbank.models import Question
from tests.conftest import make_user
from tests.learners.conftest import BulkBank

pytestmark = pytest.mark.django_db

# 09:30 UTC on Monday 2 March 2026: 18:30 in Tokyo, 04:30 in New York (EST, UTC-5).
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
MONDAY = date(2026, 3, 2)
TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")
SITE = "https://mcq.example.org"
STOP_LINK = re.compile(re.escape(SITE) + r"(/practice/reminders/stop/[^/\s]+/)")


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise SMTPException("451 try again later")


class OverlappingRunBackend(LocmemBackend):
    """Delivers like locmem, but while the first message goes out a second run of the job starts."""

    has_overlapped = False

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if not OverlappingRunBackend.has_overlapped:
            OverlappingRunBackend.has_overlapped = True
            send_reminders(now=NOW)
        return super().send_messages(email_messages)


@pytest.fixture(autouse=True)
def site_url(settings: Any) -> None:
    settings.SITE_URL = SITE


@pytest.fixture
def questions(bulk_bank: BulkBank) -> list[Question]:
    return bulk_bank(6)


def living_in(user: User, zone: ZoneInfo) -> User:
    user.time_zone = zone
    user.save(update_fields=["time_zone"])
    return user


@pytest.fixture
def tokyo(student: User) -> User:
    return living_in(student, TOKYO)


@pytest.fixture
def new_york(second_student: User) -> User:
    return living_in(second_student, NEW_YORK)


def waiting_plan(
    learner: User, questions: Sequence[Question], *, day: date = MONDAY, items: int = 3
) -> DailyPlan:
    return DailyPlan.objects.create(
        learner=learner,
        day=day,
        built_at=NOW,
        goal=20,
        new_ids=[question.pk for question in questions[:items]],
    )


def answer(learner: User, question: Question, *, at: datetime) -> None:
    """Have the learner answer one question in a tutor session at `at`."""
    session = start_session(
        learner=learner, mode=Mode.TUTOR, count=1, question_ids=[question.pk], now=at
    )
    item = session.items.get()
    record_answer(item=item, option_id=question.options.get(is_correct=True).pk, now=at)


def wants_reminders(learner: User) -> bool:
    return User.objects.values_list("wants_reminders", flat=True).get(pk=learner.pk)


def recipients(mailoutbox: list[EmailMessage]) -> list[str]:
    return sorted(address for mail in mailoutbox for address in mail.to)


def test_reminds_a_student_whose_plan_waits_in_the_evening(
    tokyo: User, questions: list[Question], mailoutbox: list[EmailMessage]
) -> None:
    plan = waiting_plan(tokyo, questions, items=3)

    assert send_reminders(now=NOW) == 1

    [mail] = mailoutbox
    assert mail.to == [tokyo.email]
    assert mail.subject == "Your plan for today is waiting: 3 items"
    assert "Today's plan is waiting for you: 3 items" in mail.body
    assert f"{SITE}/practice/\n" in mail.body
    stop = STOP_LINK.search(str(mail.body))
    assert stop is not None
    assert mail.extra_headers["List-Unsubscribe"] == f"<{SITE}{stop.group(1)}>"
    plan.refresh_from_db()
    assert plan.reminded_at == NOW


def test_waits_for_six_in_the_evening_in_each_students_own_time_zone(
    tokyo: User, new_york: User, questions: list[Question], mailoutbox: list[EmailMessage]
) -> None:
    waiting_plan(tokyo, questions)
    waiting_plan(new_york, questions)

    # 18:30 in Tokyo, 04:30 in New York.
    assert send_reminders(now=NOW) == 1
    assert recipients(mailoutbox) == [tokyo.email]

    # 17:59 in New York.
    assert send_reminders(now=datetime(2026, 3, 2, 22, 59, tzinfo=UTC)) == 0

    # 18:00 in New York; Tokyo is in the morning of its next day and has been reminded.
    assert send_reminders(now=datetime(2026, 3, 2, 23, 0, tzinfo=UTC)) == 1
    assert recipients(mailoutbox) == sorted([tokyo.email, new_york.email])


def test_no_reminder_for_a_student_who_practised_today(
    tokyo: User, questions: list[Question], mailoutbox: list[EmailMessage]
) -> None:
    waiting_plan(tokyo, questions)
    # 08:00 on Monday in Tokyo is still Sunday in UTC.
    answer(tokyo, questions[5], at=datetime(2026, 3, 2, 8, 0, tzinfo=TOKYO))

    assert send_reminders(now=NOW) == 0
    assert mailoutbox == []


def test_an_answer_before_the_students_midnight_is_not_practice_today(
    tokyo: User, questions: list[Question], mailoutbox: list[EmailMessage]
) -> None:
    waiting_plan(tokyo, questions)
    # The evening before, in Tokyo: before the student's Monday began.
    answer(tokyo, questions[5], at=datetime(2026, 3, 1, 23, 30, tzinfo=TOKYO))

    assert send_reminders(now=NOW) == 1
    assert recipients(mailoutbox) == [tokyo.email]


def test_no_reminder_for_a_student_who_opted_out(
    tokyo: User, questions: list[Question], mailoutbox: list[EmailMessage]
) -> None:
    waiting_plan(tokyo, questions)
    tokyo.wants_reminders = False
    tokyo.save(update_fields=["wants_reminders"])

    assert send_reminders(now=NOW) == 0
    assert mailoutbox == []


def test_no_reminder_without_a_plan_for_the_students_today(
    tokyo: User, new_york: User, questions: list[Question], mailoutbox: list[EmailMessage]
) -> None:
    # Yesterday's plan waits in vain; New York has no plan at all.
    waiting_plan(tokyo, questions, day=MONDAY - timedelta(days=1))

    assert send_reminders(now=NOW) == 0
    assert send_reminders(now=datetime(2026, 3, 2, 23, 30, tzinfo=UTC)) == 0
    assert mailoutbox == []


def test_no_reminder_for_an_empty_plan(
    tokyo: User, questions: list[Question], mailoutbox: list[EmailMessage]
) -> None:
    waiting_plan(tokyo, questions, items=0)

    assert send_reminders(now=NOW) == 0
    assert mailoutbox == []


def test_no_reminder_to_an_account_without_address_or_no_longer_active(
    tokyo: User, questions: list[Question], mailoutbox: list[EmailMessage]
) -> None:
    closed = living_in(make_user("closed-account", Role.STUDENT), TOKYO)
    User.objects.filter(pk=closed.pk).update(is_active=False)
    User.objects.filter(pk=tokyo.pk).update(email="")
    waiting_plan(tokyo, questions)
    waiting_plan(closed, questions)

    assert send_reminders(now=NOW) == 0
    assert mailoutbox == []


def test_a_plan_is_reminded_once_however_often_the_job_runs(
    tokyo: User, questions: list[Question], mailoutbox: list[EmailMessage]
) -> None:
    waiting_plan(tokyo, questions)

    assert send_reminders(now=NOW) == 1
    assert send_reminders(now=NOW) == 0
    assert send_reminders(now=NOW + timedelta(hours=1)) == 0
    assert len(mailoutbox) == 1


def test_a_plan_another_run_has_claimed_is_not_reminded_again(
    tokyo: User, questions: list[Question], mailoutbox: list[EmailMessage]
) -> None:
    plan = waiting_plan(tokyo, questions)
    earlier = NOW - timedelta(minutes=1)
    DailyPlan.objects.filter(pk=plan.pk).update(reminded_at=earlier)

    assert send_reminders(now=NOW) == 0
    plan.refresh_from_db()
    assert plan.reminded_at == earlier
    assert mailoutbox == []


def test_two_overlapping_runs_send_each_reminder_once(
    tokyo: User,
    questions: list[Question],
    mailoutbox: list[EmailMessage],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(OverlappingRunBackend, "has_overlapped", False)
    osaka = living_in(make_user("osaka-student", Role.STUDENT), TOKYO)
    waiting_plan(tokyo, questions)
    waiting_plan(osaka, questions)
    settings.EMAIL_BACKEND = f"{__name__}.OverlappingRunBackend"

    # The second run starts after the first loaded both plans and claimed the first one only.
    send_reminders(now=NOW)

    assert OverlappingRunBackend.has_overlapped
    assert recipients(mailoutbox) == sorted([tokyo.email, osaka.email])


def test_a_reminder_the_mail_server_refused_is_sent_by_the_next_run(
    tokyo: User, questions: list[Question], mailoutbox: list[EmailMessage], settings: Any
) -> None:
    plan = waiting_plan(tokyo, questions)
    locmem = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"

    with pytest.raises(SMTPException):
        send_reminders(now=NOW)

    plan.refresh_from_db()
    assert plan.reminded_at is None
    settings.EMAIL_BACKEND = locmem
    assert send_reminders(now=NOW + timedelta(hours=1)) == 1
    assert recipients(mailoutbox) == [tokyo.email]


@pytest.mark.parametrize("students", [2, 6])
def test_finds_the_waiting_plans_in_two_queries_and_claims_each_with_one(
    questions: list[Question],
    mailoutbox: list[EmailMessage],
    django_assert_num_queries: Any,
    students: int,
) -> None:
    for n in range(students):
        waiting_plan(living_in(make_user(f"tokyo-{n}", Role.STUDENT), TOKYO), questions)
        # Still morning for these: loaded by neither query.
        waiting_plan(living_in(make_user(f"new-york-{n}", Role.STUDENT), NEW_YORK), questions)

    with django_assert_num_queries(2):
        assert len(waiting_plans(now=NOW)) == students
    with django_assert_num_queries(2 + students):
        assert send_reminders(now=NOW) == students
    assert len(mailoutbox) == students


# The opt-out link ---------------------------------------------------------------------------------


def stop_link(mailoutbox: list[EmailMessage]) -> str:
    found = STOP_LINK.search(str(mailoutbox[-1].body))
    assert found is not None
    return found.group(1)


def test_the_opt_out_link_asks_first_then_stops_the_reminders(
    tokyo: User, questions: list[Question], mailoutbox: list[EmailMessage]
) -> None:
    waiting_plan(tokyo, questions)
    send_reminders(now=NOW)
    link = stop_link(mailoutbox)
    # No login: the link alone identifies the student.
    client = Client()

    page = client.get(link)

    assert page.status_code == 200
    assert "Stop reminder e-mails?" in page.content.decode()
    assert f'<form method="post" action="{link}">' in page.content.decode()
    assert wants_reminders(tokyo)

    response = client.post(link)

    assert response.status_code == 302
    assert response["Location"] == link
    assert not wants_reminders(tokyo)
    assert "Reminder e-mails are off" in client.get(link).content.decode()
    waiting_plan(tokyo, questions, day=MONDAY + timedelta(days=1))
    assert send_reminders(now=NOW + timedelta(days=1)) == 0


def test_mail_clients_can_unsubscribe_in_one_click_without_a_csrf_token(
    tokyo: User, questions: list[Question], mailoutbox: list[EmailMessage]
) -> None:
    waiting_plan(tokyo, questions)
    send_reminders(now=NOW)
    client = Client(enforce_csrf_checks=True)

    response = client.post(stop_link(mailoutbox), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 302
    assert not wants_reminders(tokyo)


class OldSigner(signing.TimestampSigner):
    """Signs as if it were 100 days ago."""

    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time()) - 100 * 24 * 3600)


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (lambda pk: signing.dumps(pk, salt=OPT_OUT_SALT)[:-3] + "abc", "is not valid"),
        (lambda pk: signing.dumps(pk, salt="another.purpose"), "is not valid"),
        (lambda pk: signing.dumps(pk + 1000, salt=OPT_OUT_SALT), "is not valid"),
        (lambda pk: OldSigner(salt=OPT_OUT_SALT).sign_object(pk), "is too old"),
    ],
    ids=["altered", "other-salt", "no-such-student", "expired"],
)
def test_a_bad_or_expired_opt_out_link_is_refused_and_changes_nothing(
    client: Client, student: User, token: Any, message: str
) -> None:
    link = f"/practice/reminders/stop/{token(student.pk)}/"

    for response in (client.get(link), client.post(link)):
        assert response.status_code == 400
        assert message in response.content.decode()
    assert wants_reminders(student)
