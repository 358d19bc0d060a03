"""Generated drafts: saved through the question bank, keyed by the engine, never duplicated."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from decision.engine import decide, option_label
from decision.engine.vignettes import generator_topic
from decision.generation import generate_questions
from decision.tasks import generate_questions_task
from learners.models import User
from quizbank.models import Question, Status

MODEL = "rrmm-salvage"
pytestmark = pytest.mark.django_db


def test_drafts_carry_the_engines_key_and_reasons(instructor: User) -> None:
    questions = generate_questions(model_id=MODEL, count=3, seed=5, by=instructor)

    assert len(questions) == 3
    for index, question in enumerate(questions, start=1):
        assert question.name == f"{MODEL}-s5-{index}"
        assert question.status == Status.DRAFT
        assert question.author == instructor
        assert question.topic.names() == generator_topic("rrmm-salvage")
        assert question.decision_model == f"{MODEL}@seed-004"
        assert sorted(tag.name for tag in question.tags.all()) == ["generated", MODEL]
        case = question.decision_case
        assert case is not None
        decision = decide(MODEL, case)
        reasons = {option["id"]: option["explanation"] for option in decision["options"]}
        options = list(question.options.order_by("position"))
        assert [o.text for o in options] == [option_label(MODEL, i) for i in case["options"]]
        for option, regimen in zip(options, case["options"], strict=True):
            assert option.is_correct == (regimen == decision["answer"])
            assert option.why_not == ("" if option.is_correct else reasons[regimen])
        assert question.why_correct == reasons[decision["answer"]]
        assert question.key_point == decision["key_point"]
        assert [r.citation for r in question.references.all()] == decision["citations"]


def test_a_model_folders_templates_make_drafts_under_their_own_topic(instructor: User) -> None:
    questions = generate_questions(model_id="af-stroke-prevention", count=2, seed=3, by=instructor)

    for question in questions:
        assert question.topic.names() == generator_topic("af-stroke-prevention")
        assert question.decision_model == "af-stroke-prevention@esc-2024"
        assert question.options.filter(is_correct=True).count() == 1
        assert question.options.count() == 5


def test_running_again_with_the_same_seed_adds_only_new_items(instructor: User) -> None:
    generate_questions(model_id=MODEL, count=3, seed=11, by=instructor)

    assert generate_questions(model_id=MODEL, count=3, seed=11, by=instructor) == []
    more = generate_questions(model_id=MODEL, count=5, seed=11, by=instructor)

    assert [q.name for q in more] == [f"{MODEL}-s11-4", f"{MODEL}-s11-5"]
    assert Question.objects.count() == 5


def test_drafts_go_to_the_topic_asked_for(instructor: User) -> None:
    (question,) = generate_questions(
        model_id=MODEL, count=1, seed=2, by=instructor, topic_path=["Haematology", "Myeloma"]
    )

    assert question.topic.names() == ["Haematology", "Myeloma"]


def test_the_command_creates_drafts_and_names_them(admin_user: User) -> None:
    out = StringIO()

    call_command("generate_questions", MODEL, "--count", "2", "--seed", "8", stdout=out)

    assert "Created 2 draft question(s)." in out.getvalue()
    assert f"{MODEL}-s8-1" in out.getvalue() and f"{MODEL}-s8-2" in out.getvalue()
    assert Question.objects.filter(author=admin_user, status=Status.DRAFT).count() == 2


def test_the_command_reports_a_repeated_run(admin_user: User) -> None:
    call_command("generate_questions", MODEL, "--count", "2", "--seed", "8", stdout=StringIO())
    out = StringIO()

    call_command("generate_questions", MODEL, "--count", "2", "--seed", "8", stdout=out)

    assert "Created 0 draft question(s); skipped 2 already saved" in out.getvalue()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["no-such-model", "--count", "2"], 'Unknown model "no-such-model"'),
        ([MODEL, "--count", "0"], "--count must be between 1 and 500, not 0"),
        ([MODEL, "--count", "501"], "--count must be between 1 and 500, not 501"),
        ([MODEL, "--author", "nobody"], 'There is no user "nobody"'),
    ],
)
def test_the_command_refuses_bad_usage_with_status_2(
    admin_user: User, arguments: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message) as error:
        call_command("generate_questions", *arguments, stdout=StringIO())

    assert error.value.returncode == 2
    assert not Question.objects.exists()


def test_the_command_needs_an_admin_when_no_author_is_named(student: User) -> None:
    with pytest.raises(CommandError, match="no active admin") as error:
        call_command("generate_questions", MODEL, stdout=StringIO())

    assert error.value.returncode == 2


def test_students_may_not_open_the_page(student: User, client_for: Any) -> None:
    response = client_for(student).get(reverse("decision-generate"))

    assert response.status_code == 403


def test_instructors_see_the_form(instructor: User, client_for: Any) -> None:
    response = client_for(instructor).get(reverse("decision-generate"))

    assert response.status_code == 200
    assert f'<option value="{MODEL}"' in response.content.decode()


def test_posting_the_form_queues_the_task_after_commit(
    instructor: User, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(instructor)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("decision-generate"), {"model": MODEL, "count": "2", "seed": "4"}, follow=True
        )

    assert len(callbacks) == 1
    assert "Generating 2 draft questions; they will appear in the authoring list." in (
        response.content.decode()
    )
    assert not Question.objects.exists()

    generate_questions_task.run(MODEL, 2, 4, instructor.pk)

    assert list(Question.objects.order_by("name").values_list("name", "status")) == [
        (f"{MODEL}-s4-1", Status.DRAFT),
        (f"{MODEL}-s4-2", Status.DRAFT),
    ]


def test_a_count_out_of_range_queues_nothing(
    instructor: User, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(instructor).post(
            reverse("decision-generate"), {"model": MODEL, "count": "51", "seed": "4"}
        )

    assert response.status_code == 200
    assert callbacks == []
    assert "less than or equal to 50" in response.content.decode()


def test_the_task_returns_quietly_when_the_user_is_gone(db: None) -> None:
    generate_questions_task.run(MODEL, 2, 4, 987654)

    assert not Question.objects.exists()
