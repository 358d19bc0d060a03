"""Administrators can browse practice records and problem reports, but not rewrite them."""

from __future__ import annotations

from datetime import datetime
from random import Random
from typing import Any

import pytest
from django.urls import reverse

from learners.models import DailyPlan, Mode, User
from learners.practice import record_answer, report_problem, start_session

NOW = datetime.fromisoformat("2026-11-21T09:00:00+00:00")


@pytest.mark.usefixtures("starter_bank")
def test_admin_lists_sessions_responses_and_reports_read_only(
    student: User, admin_user: User, client_for: Any
) -> None:
    session = start_session(learner=student, mode=Mode.TUTOR, count=1, now=NOW, rng=Random(2))
    item = session.items.select_related("session", "question").get()
    option = item.question.options.first()
    assert option is not None
    response = record_answer(item=item, option_id=option.pk, now=NOW).response
    report_problem(learner=student, question=item.question, text="Unclear lead-in.")
    client = client_for(admin_user)
    expected = {
        "learners_practicesession": "sam-student",
        "learners_response": "sam-student",
        "quizbank_problemreport": str(item.question)[:40],
    }
    for name, shown in expected.items():
        page = client.get(reverse(f"admin:{name}_changelist"))
        assert page.status_code == 200, name
        assert shown in page.content.decode(), name
    detail = client.get(reverse("admin:learners_response_change", args=[response.pk]))
    assert detail.status_code == 200
    assert 'name="is_correct"' not in detail.content.decode()
    assert client.get(reverse("admin:learners_response_add")).status_code == 403


def test_admin_shows_a_plans_questions_in_plan_order_with_links(
    student: User, admin_user: User, client_for: Any, bulk_bank: Any
) -> None:
    first, second, third = bulk_bank(3)
    plan = DailyPlan.objects.create(
        learner=student,
        day=NOW.date(),
        built_at=NOW,
        goal=3,
        review_ids=[third.pk, first.pk],
        new_ids=[second.pk],
    )
    client = client_for(admin_user)

    listing = client.get(reverse("admin:learners_dailyplan_changelist")).content.decode()
    page = client.get(reverse("admin:learners_dailyplan_change", args=[plan.pk]))

    assert '<td class="field-item_count">3</td>' in listing
    assert page.status_code == 200
    html = page.content.decode()
    links = [reverse("admin:quizbank_question_change", args=[q.pk]) for q in (third, first, second)]
    positions = [html.index(f'href="{link}"') for link in links]
    assert positions == sorted(positions)
    reviews = html.index("Due reviews, most forgotten first:")
    new = html.index("New items:")
    assert reviews < positions[1] < new < positions[2]
