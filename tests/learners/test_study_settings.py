"""The study settings page at /practice/settings/: daily goal, exam date, time zone, choices."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone as django_timezone

from learners.forms import StudySettingsForm
from learners.models import User

pytestmark = pytest.mark.django_db

URL = "/practice/settings/"
REMINDERS_LABEL = "E-mail me a reminder when my plan is waiting"
UNSURE_LABEL = "Let me mark an answer as unsure (it is then scheduled sooner)"


def settings_data(**changes: str) -> dict[str, str]:
    """The form as a student submits it, both boxes ticked, changed by `changes`."""
    data = {
        "daily_goal": "30",
        "exam_date": "",
        "time_zone": "Europe/London",
        "wants_reminders": "on",
        "rates_confidence": "on",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value != "off"}


def field_errors(html: str, name: str) -> str:
    """Return the error text shown in the block of field `name` ('' when there is none)."""
    block = re.search(
        rf'<div class="field field-invalid[^"]*">\s*(?:<input[^>]*>)?\s*<label for="id_{name}">'
        r'.*?<div class="field-errors" role="alert">(.*?)</div>',
        html,
        re.DOTALL,
    )
    return re.sub(r"<[^>]+>", " ", block.group(1)).strip() if block else ""


def test_shows_the_students_current_settings_with_labelled_fields(
    client_for: Any, student: User
) -> None:
    student.daily_goal = 35
    student.time_zone = ZoneInfo("Asia/Tokyo")
    student.exam_date = date(2031, 6, 1)
    student.save(update_fields=["daily_goal", "time_zone", "exam_date"])

    page = client_for(student).get(URL)

    assert page.status_code == 200
    html = page.content.decode()
    assert '<label for="id_daily_goal">Daily goal</label>' in html
    assert re.search(r'<input type="number" name="daily_goal" value="35"', html)
    assert re.search(r'<input type="date" name="exam_date" value="2031-06-01"', html)
    assert '<option value="Asia/Tokyo" selected>' in html
    assert f'<label for="id_wants_reminders">{REMINDERS_LABEL}</label>' in html
    assert f'<label for="id_rates_confidence">{UNSURE_LABEL}</label>' in html
    assert re.search(r'<input type="checkbox" name="wants_reminders"[^>]*checked', html)
    assert not re.search(r'<input type="checkbox" name="rates_confidence"[^>]*checked', html)


def test_saving_stores_every_setting_and_confirms(client_for: Any, student: User) -> None:
    client = client_for(student)
    exam = django_timezone.now().date() + timedelta(days=90)

    response = client.post(
        URL,
        settings_data(
            daily_goal="45",
            exam_date=exam.isoformat(),
            time_zone="America/New_York",
            wants_reminders="off",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == URL
    student.refresh_from_db()
    assert student.daily_goal == 45
    assert student.exam_date == exam
    assert student.time_zone == ZoneInfo("America/New_York")
    assert student.wants_reminders is False
    assert student.rates_confidence is True
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Your study settings are saved."
    ]


def test_the_exam_date_can_be_cleared(client_for: Any, student: User) -> None:
    student.exam_date = date(2031, 6, 1)
    student.save(update_fields=["exam_date"])

    client_for(student).post(URL, settings_data(exam_date=""))

    student.refresh_from_db()
    assert student.exam_date is None


@pytest.mark.parametrize("goal", ["0", "201", "", "many"])
def test_refuses_a_daily_goal_outside_1_to_200_next_to_the_field(
    client_for: Any, student: User, goal: str
) -> None:
    page = client_for(student).post(URL, settings_data(daily_goal=goal, time_zone="Asia/Tokyo"))

    assert page.status_code == 200
    assert field_errors(page.content.decode(), "daily_goal")
    assert field_errors(page.content.decode(), "time_zone") == ""
    student.refresh_from_db()
    assert student.daily_goal == 20
    assert student.time_zone == ZoneInfo("UTC")


def test_refuses_an_exam_date_in_the_past_next_to_the_field(client_for: Any, student: User) -> None:
    past = django_timezone.now().date() - timedelta(days=3)

    page = client_for(student).post(URL, settings_data(exam_date=past.isoformat()))

    assert page.status_code == 200
    assert "The exam date is in the past" in field_errors(page.content.decode(), "exam_date")
    student.refresh_from_db()
    assert student.exam_date is None
    assert student.daily_goal == 20


def test_an_exam_date_of_today_is_accepted(client_for: Any, student: User) -> None:
    today = django_timezone.now().date()

    response = client_for(student).post(URL, settings_data(exam_date=today.isoformat()))

    assert response.status_code == 302
    student.refresh_from_db()
    assert student.exam_date == today


@pytest.mark.parametrize(
    ("zone", "is_accepted"),
    # At 20:00 UTC on 2 March it is already 3 March in Tokyo, still 2 March in New York.
    [("Asia/Tokyo", False), ("America/New_York", True)],
)
def test_the_exam_date_is_checked_against_the_students_own_today(
    student: User, zone: str, is_accepted: bool
) -> None:
    now = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
    form = StudySettingsForm(
        settings_data(exam_date="2026-03-02", time_zone=zone), instance=student, now=now
    )

    assert form.is_valid() is is_accepted
    assert ("exam_date" in form.errors) is not is_accepted


def test_refuses_an_unknown_time_zone_next_to_the_field(client_for: Any, student: User) -> None:
    page = client_for(student).post(URL, settings_data(time_zone="Mars/Olympus_Mons"))

    assert page.status_code == 200
    assert "Mars/Olympus_Mons" in field_errors(page.content.decode(), "time_zone")
    student.refresh_from_db()
    assert student.time_zone == ZoneInfo("UTC")


def test_a_student_changes_only_their_own_study_settings(
    client_for: Any, student: User, second_student: User
) -> None:
    # Fields the form does not offer are ignored, whoever they name.
    client_for(student).post(
        URL, {**settings_data(daily_goal="80"), "username": "taken-over", "is_staff": "on"}
    )

    student.refresh_from_db()
    second_student.refresh_from_db()
    assert student.daily_goal == 80
    assert (student.username, student.is_staff) == ("sam-student", False)
    assert second_student.daily_goal == 20
    assert second_student.rates_confidence is False


def test_saving_keeps_what_another_request_wrote_to_the_account_meanwhile(
    student: User,
) -> None:
    form = StudySettingsForm(
        settings_data(daily_goal="12"), instance=student, now=datetime.now(tz=UTC)
    )
    User.objects.filter(pk=student.pk).update(email="new-address@example.org")

    assert form.is_valid()
    form.save()

    student.refresh_from_db()
    assert (student.daily_goal, student.email) == (12, "new-address@example.org")


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"


def test_an_account_that_may_not_practise_is_refused(client_for: Any, db: None) -> None:
    roleless = User.objects.create_user(username="no-role", email="no-role@example.org")

    assert client_for(roleless).get(URL).status_code == 403


def test_the_navigation_links_to_the_settings(client_for: Any, student: User) -> None:
    html = client_for(student).get(URL).content.decode()

    assert f'<a href="{URL}">Settings</a>' in html
