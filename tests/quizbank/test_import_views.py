"""The import page: a file of questions, imported or checked in a dry run."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learners.models import User
from quizbank.models import Question, Status

pytestmark = pytest.mark.django_db


GIFT = """
::myeloma-relapse:: A 66-year-old relapses on lenalidomide maintenance. Which regimen is best? {
=Daratumumab, pomalidomide and dexamethasone
~Lenalidomide and dexamethasone#Refractory to lenalidomide.
~Melphalan and prednisone#Outdated and myelotoxic.
}
"""


@pytest.mark.parametrize("dry_run", [True, False])
def test_the_import_page_imports_a_file_or_only_reports_on_a_dry_run(
    client_for: Any, instructor: User, dry_run: bool
) -> None:
    upload = SimpleUploadedFile("bank.gift", GIFT.encode(), content_type="text/plain")
    data = {"file": upload, "format": "gift", "topic_path": "Hematology > Myeloma"}
    if dry_run:
        data["dry_run"] = "on"

    response = client_for(instructor).post(reverse("authoring-import"), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert ("Dry run: nothing was saved" in html) is dry_run
    assert ("<dt>Would create</dt><dd>1</dd>" in html) is dry_run
    assert ("<dt>Created</dt><dd>1</dd>" in html) is not dry_run
    assert Question.objects.count() == (0 if dry_run else 1)
    if not dry_run:
        question = Question.objects.get()
        assert question.topic.label == "Hematology > Myeloma"
        assert question.status == Status.DRAFT


def test_an_import_with_errors_lists_them_and_saves_nothing(
    client_for: Any, instructor: User
) -> None:
    broken = GIFT + "\n::no-key:: Which one? {~First~Second}\n"
    upload = SimpleUploadedFile("bank.gift", broken.encode(), content_type="text/plain")

    response = client_for(instructor).post(
        reverse("authoring-import"), {"file": upload, "format": "gift", "topic_path": "Misc"}
    )

    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "No option is marked correct." in html
    assert Question.objects.count() == 0


def test_the_import_page_refuses_a_file_that_is_not_utf8(client_for: Any, instructor: User) -> None:
    upload = SimpleUploadedFile("bank.gift", "Café".encode("latin-1"))

    response = client_for(instructor).post(
        reverse("authoring-import"), {"file": upload, "format": "gift"}
    )

    assert "The file is not UTF-8 text" in response.content.decode()


def test_only_admins_are_offered_publishing_on_import(
    client_for: Any, instructor: User, admin_user: User
) -> None:
    instructor_page = client_for(instructor).get(reverse("authoring-import")).content.decode()
    admin_page = client_for(admin_user).get(reverse("authoring-import")).content.decode()

    assert 'name="publish"' not in instructor_page
    assert 'name="publish"' in admin_page


def test_an_instructor_posting_publish_anyway_gets_drafts(
    client_for: Any, instructor: User
) -> None:
    upload = SimpleUploadedFile("bank.gift", GIFT.encode(), content_type="text/plain")

    client_for(instructor).post(
        reverse("authoring-import"),
        {"file": upload, "format": "gift", "topic_path": "Hematology", "publish": "on"},
    )

    assert Question.objects.get().status == Status.DRAFT


def test_an_import_from_the_page_is_audited_under_the_uploaded_files_name(
    client_for: Any, instructor: User
) -> None:
    from audit.models import AuditEvent

    upload = SimpleUploadedFile("myeloma-bank.gift", GIFT.encode(), content_type="text/plain")
    data = {"file": upload, "format": "gift", "topic_path": "Hematology > Myeloma"}

    client_for(instructor).post(reverse("authoring-import"), data)

    event = AuditEvent.objects.get()
    assert (event.actor_username, event.target_repr) == (instructor.username, "myeloma-bank.gift")
    assert event.details["created"] == 1
