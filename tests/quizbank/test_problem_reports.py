"""Problems students report reach the instructors' review queue, where they are closed."""

from __future__ import annotations

from datetime import datetime
from random import Random
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from learners.models import Mode, User
from learners.practice import report_problem, start_session
from quizbank.models import ProblemReport

NOW = datetime.fromisoformat("2026-11-21T09:00:00+00:00")
pytestmark = pytest.mark.usefixtures("starter_bank")


def reported(student: User, text: str) -> ProblemReport:
    session = start_session(learner=student, mode=Mode.TUTOR, count=1, now=NOW, rng=Random(1))
    item = session.items.select_related("question").get()
    return report_problem(learner=student, question=item.question, text=text)


def test_a_report_appears_in_the_review_queue_with_its_text(
    student: User, instructor: User, client_for: Any
) -> None:
    report = reported(student, "Option C is also correct per the 2024 guideline.")
    page = client_for(instructor).get(reverse("authoring-review-queue"))
    assert "Option C is also correct per the 2024 guideline." in page.content.decode()
    assert reverse("authoring-question", args=[report.question_id]) in page.content.decode()


def test_closing_a_report_takes_it_off_the_queue(
    student: User, instructor: User, client_for: Any
) -> None:
    report = reported(student, "The stem says 62 but the table says 26.")
    client = client_for(instructor)
    response = client.post(reverse("authoring-report-resolve", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.resolved_by == instructor and report.resolved_at is not None
    page = client.get(reverse("authoring-review-queue"))
    assert "The stem says 62" not in page.content.decode()


def test_students_cannot_see_or_close_reports(student: User, client_for: Any) -> None:
    report = reported(student, "Typo in option B.")
    client = client_for(student)
    assert client.get(reverse("authoring-review-queue")).status_code == 403
    assert client.post(reverse("authoring-report-resolve", args=[report.pk])).status_code == 403
    report.refresh_from_db()
    assert report.resolved_at is None


def test_an_empty_report_is_refused_naming_the_text(student: User) -> None:
    with pytest.raises(ValidationError) as error:
        reported(student, "   ")
    assert "text" in error.value.message_dict
