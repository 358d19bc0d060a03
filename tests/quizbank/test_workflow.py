"""Draft -> in review -> published -> retired, who may take each step, and the revisions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from learners.models import User
from quizbank import services
from quizbank.content import OptionContent
from quizbank.models import Question, ReviewEvent, Status
from tests.quizbank.samples import sample_content

pytestmark = pytest.mark.django_db


def test_a_new_question_is_a_draft_with_its_content_and_a_first_revision(
    draft: Question, instructor: User
) -> None:
    assert draft.status == Status.DRAFT
    assert (
        draft.topic.label == "Hematology > Plasma cell disorders > Relapsed and refractory myeloma"
    )
    assert draft.options.all()[0].text == "Lenalidomide plus dexamethasone"
    assert [t.name for t in draft.tags.all()] == ["myeloma", "salvage-therapy"]
    history = services.question_history(draft)
    assert len(history) == 1
    assert history[0].revision.user == instructor


def test_students_cannot_author(student: User) -> None:
    with pytest.raises(PermissionDenied):
        services.create_question(content=sample_content(), by=student)


def test_the_full_workflow_with_a_second_reviewer(
    draft: Question, instructor: User, reviewer: User
) -> None:
    services.submit_for_review(question=draft, by=instructor)
    assert draft.status == Status.IN_REVIEW

    services.publish_question(question=draft, by=reviewer)
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    assert draft.published_at is not None

    services.retire_question(question=draft, by=instructor, comment="Superseded")
    draft.refresh_from_db()
    assert draft.status == Status.RETIRED
    actions = list(draft.review_events.values_list("action", "actor__username"))
    assert actions == [
        ("submitted", "ingrid-instructor"),
        ("published", "rita-reviewer"),
        ("retired", "ingrid-instructor"),
    ]


def test_the_author_cannot_publish_their_own_question(draft: Question, instructor: User) -> None:
    services.submit_for_review(question=draft, by=instructor)

    with pytest.raises(PermissionDenied, match="other than the author"):
        services.publish_question(question=draft, by=instructor)

    draft.refresh_from_db()
    assert draft.status == Status.IN_REVIEW


def test_an_admin_may_override_and_publish_a_draft(draft: Question, admin_user: User) -> None:
    services.publish_question(question=draft, by=admin_user)

    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    event = draft.review_events.get(action=ReviewEvent.Action.PUBLISHED)
    assert "without a second reviewer" in event.comment


def test_a_reviewer_cannot_publish_a_draft_that_was_never_submitted(
    draft: Question, reviewer: User
) -> None:
    with pytest.raises(services.WorkflowError) as raised:
        services.publish_question(question=draft, by=reviewer)

    assert raised.value.code == "invalid_transition"


def test_requesting_changes_returns_the_question_to_its_author(
    draft: Question, instructor: User, reviewer: User
) -> None:
    services.submit_for_review(question=draft, by=instructor)

    with pytest.raises(ValidationError):
        services.request_changes(question=draft, by=reviewer, comment=" ")
    services.request_changes(question=draft, by=reviewer, comment="Explain option E better.")

    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert draft.review_events.last().comment == "Explain option E better."  # type: ignore[union-attr]


def test_submitting_an_incompletely_explained_draft_is_refused(instructor: User) -> None:
    content = sample_content()
    content.options[1].why_not = ""
    question = services.create_question(content=content, by=instructor)

    with pytest.raises(ValidationError) as raised:
        services.submit_for_review(question=question, by=instructor)

    assert raised.value.error_dict["options"][0].code == "unexplained_distractor"


def test_an_author_edits_own_drafts_only(
    draft: Question, instructor: User, reviewer: User, student: User
) -> None:
    edited = sample_content(lead_in="What is the best next regimen?")
    services.update_question(question=draft, content=edited, by=instructor)
    with pytest.raises(PermissionDenied):
        services.update_question(question=draft, content=edited, by=reviewer)
    with pytest.raises(PermissionDenied):
        services.update_question(question=draft, content=edited, by=student)

    services.submit_for_review(question=draft, by=instructor)
    with pytest.raises(PermissionDenied):
        services.update_question(question=draft, content=sample_content(), by=instructor)
    services.update_question(question=draft, content=sample_content(), by=reviewer)


def test_every_save_of_a_published_question_makes_a_revision_naming_what_changed(
    draft: Question, instructor: User, reviewer: User
) -> None:
    services.submit_for_review(question=draft, by=instructor)
    services.publish_question(question=draft, by=reviewer)
    before = len(services.question_history(draft))

    content = services.question_content(draft)
    content.stem += " He has no neuropathy."
    content.options[4].why_not = "Melphalan-based therapy is no longer standard here."
    services.update_question(question=draft, content=content, by=reviewer)

    history = services.question_history(draft)
    assert len(history) == before + 1
    assert history[0].revision.user == reviewer
    assert history[0].revision.comment == "Changed stem, options"
    versions_in_revision = {v.content_type.model for v in history[0].revision.version_set.all()}
    assert versions_in_revision == {"question", "option", "reference"}


def test_editing_keeps_the_ids_of_options_that_stay(draft: Question, instructor: User) -> None:
    content = services.question_content(draft)
    ids = [o.id for o in content.options]
    content.options = [content.options[2], content.options[0], content.options[1]]
    content.options.append(OptionContent("Daratumumab plus dexamethasone", why_not="Not here."))

    services.update_question(question=draft, content=content, by=instructor)

    saved = list(draft.options.all())
    assert [o.pk for o in saved[:3]] == [ids[2], ids[0], ids[1]]
    assert [o.position for o in saved] == [0, 1, 2, 3]
    assert saved[3].pk not in ids


def test_an_unchanged_save_makes_no_revision(draft: Question, instructor: User) -> None:
    services.update_question(
        question=draft, content=services.question_content(draft), by=instructor
    )

    assert len(services.question_history(draft)) == 1


def test_invalid_content_writes_nothing(instructor: User) -> None:
    with pytest.raises(ValidationError):
        services.create_question(content=sample_content(lead_in=""), by=instructor)

    assert not Question.objects.exists()


def test_topic_labels_come_in_one_query(draft: Question, django_assert_num_queries: object) -> None:
    from quizbank.models import Topic, topic_labels

    topics = list(Topic.objects.all())
    with django_assert_num_queries(1):  # type: ignore[operator]
        labels = topic_labels(topics)

    assert labels[draft.topic_id] == draft.topic.label
    assert labels[topics[0].pk] == "Hematology"
