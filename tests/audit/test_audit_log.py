"""The audit log records publishing, retiring, role changes, deactivation and imports: who, what,
to which row, with what details, exactly when the change itself was committed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from audit.models import AuditEvent
from learners.models import User
from learners.roles import Role
from learners.services import AccountError, assign_role, deactivate_user, reactivate_user
from quizbank import services
from quizbank.importing import import_questions
from quizbank.models import Question, Status
from tests.quizbank.samples import sample_content

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action

GIFT = """::af-anticoagulation::A 74-year-old woman with atrial fibrillation and hypertension.
Which drug lowers her stroke risk most?{
  =Apixaban
  ~Aspirin#Antiplatelets do not prevent cardioembolic stroke enough.
  ~No treatment#Her CHA2DS2-VASc score is 3.
}

::af-rate::A 60-year-old man has AF at 130/min with normal blood pressure.
Which drug controls his rate first?{
  =Bisoprolol
  ~Amiodarone#Rhythm control, with more toxicity.
}
"""


def events() -> list[tuple[str, str, str, str]]:
    """Return (action, who, target type, target id) of every event, oldest first."""
    return [
        (event.action, event.actor_username, event.target_type, event.target_id)
        for event in AuditEvent.objects.order_by("created_at", "id")
    ]


@pytest.fixture
def in_review(instructor: User) -> Question:
    question = services.create_question(content=sample_content(name="audited"), by=instructor)
    services.submit_for_review(question=question, by=instructor)
    return question


def test_publishing_records_who_published_which_question(
    in_review: Question, reviewer: User
) -> None:
    services.publish_question(question=in_review, by=reviewer, comment="Reads well.")

    event = AuditEvent.objects.get()
    assert event.action == Action.QUESTION_PUBLISHED
    assert event.actor == reviewer
    assert event.actor_username == "rita-reviewer"
    assert (event.target_type, event.target_id) == ("quizbank.question", str(in_review.pk))
    assert event.target_repr == "audited"
    assert event.details == {
        "from_status": "in_review",
        "comment": "Reads well.",
        "without_second_reviewer": False,
        "decision_model_overridden": False,
    }


def test_an_admin_publishing_a_draft_is_recorded_as_an_override(
    instructor: User, admin_user: User
) -> None:
    draft = services.create_question(content=sample_content(), by=instructor)

    services.publish_question(question=draft, by=admin_user)

    event = AuditEvent.objects.get()
    assert event.actor_username == "ada-admin"
    assert event.details["from_status"] == "draft"
    assert event.details["without_second_reviewer"] is True


def test_retiring_records_who_retired_and_the_reason(
    in_review: Question, reviewer: User, instructor: User
) -> None:
    services.publish_question(question=in_review, by=reviewer)

    services.retire_question(question=in_review, by=instructor, comment="Superseded")

    assert events()[-1] == (
        "question_retired",
        "ingrid-instructor",
        "quizbank.question",
        str(in_review.pk),
    )
    assert AuditEvent.objects.filter(action=Action.QUESTION_RETIRED).get().details == {
        "comment": "Superseded"
    }


def test_repeating_a_publish_or_a_retire_records_it_once(
    in_review: Question, reviewer: User, instructor: User
) -> None:
    services.publish_question(question=in_review, by=reviewer)
    services.publish_question(question=in_review, by=reviewer)
    services.retire_question(question=in_review, by=instructor)
    services.retire_question(question=in_review, by=instructor)

    assert [action for action, *_ in events()] == ["question_published", "question_retired"]


def test_a_publish_refused_by_the_workflow_records_nothing(
    in_review: Question, reviewer: User, instructor: User
) -> None:
    with pytest.raises(PermissionDenied):
        services.publish_question(question=in_review, by=instructor)
    services.publish_question(question=in_review, by=reviewer)
    services.retire_question(question=in_review, by=instructor)

    with pytest.raises(services.WorkflowError):
        services.publish_question(question=in_review, by=reviewer)

    assert [action for action, *_ in events()] == ["question_published", "question_retired"]


def test_an_event_is_rolled_back_with_the_change_it_records(
    in_review: Question, reviewer: User
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        services.publish_question(question=in_review, by=reviewer)
        raise RuntimeError("the request failed after publishing")

    in_review.refresh_from_db()
    assert in_review.status == Status.IN_REVIEW
    assert not AuditEvent.objects.exists()


def test_changing_a_role_records_the_old_and_the_new_role(student: User, admin_user: User) -> None:
    assign_role(user=student, role=Role.INSTRUCTOR, by=admin_user)

    event = AuditEvent.objects.get()
    assert event.action == Action.ROLE_CHANGED
    assert event.actor == admin_user
    assert (event.target_type, event.target_id) == ("learners.user", str(student.pk))
    assert event.target_repr == "sam-student"
    assert event.details == {"old_role": "Student", "new_role": "Instructor"}


def test_giving_the_role_a_user_already_has_records_nothing(
    student: User, admin_user: User
) -> None:
    assign_role(user=student, role=Role.STUDENT, by=admin_user)

    assert not AuditEvent.objects.exists()


def test_set_up_code_assigning_roles_without_an_actor_records_nothing(student: User) -> None:
    assign_role(user=student, role=Role.INSTRUCTOR)

    assert student.role == Role.INSTRUCTOR
    assert not AuditEvent.objects.exists()


def test_only_admins_change_roles(student: User, instructor: User) -> None:
    with pytest.raises(PermissionDenied):
        assign_role(user=student, role=Role.INSTRUCTOR, by=instructor)

    assert student.role == Role.STUDENT
    assert not AuditEvent.objects.exists()


def test_an_admin_cannot_remove_their_own_admin_role(admin_user: User) -> None:
    with pytest.raises(AccountError, match="your own admin role") as raised:
        assign_role(user=admin_user, role=Role.STUDENT, by=admin_user)

    assert raised.value.field == "role"
    assert admin_user.role == Role.ADMIN
    assert not AuditEvent.objects.exists()


def test_deactivating_and_reactivating_are_recorded_once_each(
    student: User, admin_user: User
) -> None:
    assert deactivate_user(user=student, by=admin_user) is True
    assert deactivate_user(user=student, by=admin_user) is False
    assert reactivate_user(user=student, by=admin_user) is True

    assert events() == [
        ("user_deactivated", "ada-admin", "learners.user", str(student.pk)),
        ("user_reactivated", "ada-admin", "learners.user", str(student.pk)),
    ]


def test_an_admin_cannot_deactivate_themselves(admin_user: User) -> None:
    with pytest.raises(AccountError, match="your own account"):
        deactivate_user(user=admin_user, by=admin_user)

    admin_user.refresh_from_db()
    assert admin_user.is_active
    assert not AuditEvent.objects.exists()


def test_an_import_records_one_event_with_its_counts_and_source(instructor: User) -> None:
    import_questions(
        text=GIFT,
        fmt="gift",
        by=instructor,
        topic_path=["Cardiology"],
        source="af-questions.gift",
    )
    second_report = import_questions(
        text=GIFT.replace("130/min", "140/min"),
        fmt="gift",
        by=instructor,
        topic_path=["Cardiology"],
        source="af-questions-v2.gift",
    )

    first, second = AuditEvent.objects.order_by("id")
    assert first.action == Action.QUESTIONS_IMPORTED
    assert first.actor_username == "ingrid-instructor"
    assert first.target_repr == "af-questions.gift"
    assert first.details == {
        "source": "af-questions.gift",
        "format": "gift",
        "topic": "Cardiology",
        "published": False,
        "created": 2,
        "updated": 0,
        "skipped": 0,
    }
    assert (second_report.created, second_report.updated) == (0, 2)
    assert (second.target_repr, second.details["created"], second.details["updated"]) == (
        "af-questions-v2.gift",
        0,
        2,
    )


def test_a_failed_import_or_a_dry_run_records_nothing(instructor: User) -> None:
    broken = GIFT + "\n::no-key::Which lead is this?{~%0%II ~%0%aVF}\n"

    failed = import_questions(text=broken, fmt="gift", by=instructor)
    import_questions(text=GIFT, fmt="gift", by=instructor, dry_run=True)

    assert failed.errors
    assert not Question.objects.exists()
    assert not AuditEvent.objects.exists()
