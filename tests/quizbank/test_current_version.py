"""A question names its newest revision, so an answer can be tied to it without a lookup."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from reversion.models import Version

from learners.models import User
from quizbank.models import Question, Status
from quizbank.services import create_question, update_question
from tests.quizbank.samples import sample_content


def newest_version(question: Question) -> Version | None:
    return Version.objects.get_for_object(question).first()


def test_saving_points_the_question_at_its_newest_revision(admin_user: User) -> None:
    question = create_question(content=sample_content(), by=admin_user, status=Status.PUBLISHED)
    first = question.current_version
    assert first is not None and first == newest_version(question)
    update_question(
        question=question, content=sample_content(lead_in="Which regimen now?"), by=admin_user
    )
    question.refresh_from_db()
    assert question.current_version == newest_version(question)
    assert question.current_version != first


def test_the_migration_fills_questions_saved_before_the_field(admin_user: User) -> None:
    question = create_question(content=sample_content(), by=admin_user)
    Question.objects.filter(pk=question.pk).update(current_version=None)
    migration = import_module("quizbank.migrations.0005_add_question_current_version")
    migration.point_at_newest_revisions(apps, None)
    question.refresh_from_db()
    assert question.current_version == newest_version(question)
