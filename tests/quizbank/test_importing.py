"""import_questions: all or nothing, re-import in place, dry runs, publishing, permissions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from reversion.models import Version

from learners.models import User
from learners.roles import Role
from quizbank import services
from quizbank.formats import UnknownFormatError
from quizbank.importing import ImportReport, import_questions, split_topic_path
from quizbank.models import Option, Question, Status, Topic
from tests.conftest import make_user
from tests.quizbank.samples import sample_content

pytestmark = pytest.mark.django_db

GOOD = """$CATEGORY: $course$/top/Cardiology

::af-anticoagulation::A 74-year-old woman with atrial fibrillation and hypertension.
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


def gift(
    *, rate_stem: str = "A 60-year-old man has AF at 130/min with normal blood pressure."
) -> str:
    return GOOD.replace(
        "A 60-year-old man has AF at 130/min with normal blood pressure.", rate_stem
    )


def test_a_file_with_one_bad_item_writes_nothing_at_all(instructor: User) -> None:
    text = gift() + "\n::no-key::Which lead is this?{~%0%II ~%0%aVF}\n"

    report = import_questions(text=text, fmt="gift", by=instructor, topic_path=["Imported"])

    assert report.as_dict() == {
        "created": 0,
        "updated": 0,
        "skipped": [],
        "errors": [{"line": 16, "message": "options: No option is marked correct."}],
    }
    assert not Question.objects.exists()
    assert not Option.objects.exists()
    assert not Topic.objects.exists()


def test_the_report_has_exactly_the_documented_shape(instructor: User) -> None:
    report = import_questions(text=gift(), fmt="gift", by=instructor, topic_path=["Imported"])

    assert isinstance(report, ImportReport)
    assert report.as_dict() == {"created": 2, "updated": 0, "skipped": [], "errors": []}
    assert Question.objects.get(name="af-rate").topic.label == "Imported > Cardiology"


def test_reimporting_updates_in_place_and_keeps_the_ids_of_unchanged_options(
    instructor: User,
) -> None:
    import_questions(text=gift(), fmt="gift", by=instructor)
    question = Question.objects.get(name="af-rate")
    kept = Option.objects.get(question=question, text="Bisoprolol")

    report = import_questions(
        text=gift(rate_stem="A 61-year-old man has AF at 140/min."), fmt="gift", by=instructor
    )

    assert (report.created, report.updated) == (0, 2)
    assert Question.objects.count() == 2
    question.refresh_from_db()
    assert question.stem == "A 61-year-old man has AF at 140/min."
    assert Option.objects.get(question=question, text="Bisoprolol").pk == kept.pk
    assert Option.objects.filter(question=question).count() == 2


def test_an_option_dropped_from_the_file_is_removed_on_reimport(instructor: User) -> None:
    import_questions(text=gift(), fmt="gift", by=instructor)

    import_questions(
        text=gift().replace("  ~No treatment#Her CHA2DS2-VASc score is 3.\n", ""),
        fmt="gift",
        by=instructor,
    )

    question = Question.objects.with_full_content().get(name="af-anticoagulation")
    assert [o.text for o in question.options.all()] == ["Apixaban", "Aspirin"]


def test_a_dry_run_counts_but_writes_nothing(instructor: User) -> None:
    dry = import_questions(text=gift(), fmt="gift", by=instructor, dry_run=True)

    assert (dry.created, dry.updated, dry.errors) == (2, 0, [])
    assert not Question.objects.exists()
    assert not Topic.objects.exists()

    import_questions(text=gift(), fmt="gift", by=instructor)
    edited = gift(rate_stem="Edited.")
    again = import_questions(text=edited, fmt="gift", by=instructor, dry_run=True)

    assert (again.created, again.updated) == (0, 2)
    assert not Question.objects.filter(stem="Edited.").exists()


def test_a_dry_run_reports_the_same_errors(instructor: User) -> None:
    report = import_questions(
        text="::x::Which?{=a ~a}", fmt="gift", by=instructor, topic_path=["T"], dry_run=True
    )

    assert report.as_dict()["errors"] == [
        {"line": 1, "message": "options: Options A and B have the same text."}
    ]
    assert (report.created, report.updated) == (0, 0)


def test_items_are_drafts_without_revisions_unless_published(instructor: User) -> None:
    import_questions(text=gift(), fmt="gift", by=instructor)

    question = Question.objects.get(name="af-rate")
    assert question.status == Status.DRAFT
    assert question.author == instructor
    assert not Version.objects.get_for_object(question).exists()


def test_publishing_requires_what_publication_requires(admin_user: User) -> None:
    report = import_questions(text=gift(), fmt="gift", by=admin_user, publish=True)

    assert {
        "line": 10,
        "message": "key point: A published question needs its key point explained.",
    } in report.errors
    assert {
        "line": 10,
        "message": "why the answer is right: A published question needs its "
        "why the answer is right explained.",
    } in report.errors
    assert not Question.objects.exists()


def test_published_imports_are_published_with_a_revision(admin_user: User) -> None:
    text = (
        "::af-rate::A 60-year-old man has AF at 130/min.\\n\\nWhich drug first?{\n"
        "  =Bisoprolol\n  ~Amiodarone#Rhythm control.\n"
        "  ####Beta-blockers control rate.\\n\\n**Key point\\:** Rate first.\n}\n"
    )

    report = import_questions(
        text=text, fmt="gift", by=admin_user, topic_path=["Cardiology"], publish=True
    )

    assert (report.created, report.errors) == (1, [])
    question = Question.objects.get()
    assert question.status == Status.PUBLISHED
    assert question.published_at is not None
    assert (question.why_correct, question.key_point) == (
        "Beta-blockers control rate.",
        "Rate first.",
    )
    history = services.question_history(question)
    assert [(v.revision.user, v.revision.comment) for v in history] == [
        (admin_user, "Imported (gift)")
    ]


def test_an_unexplained_distractor_blocks_publishing(admin_user: User) -> None:
    text = "::q::Stem here.\\n\\nWhich?{=a ~b\n####Because.\\n\\n**Key point\\:** A.}"

    report = import_questions(text=text, fmt="gift", by=admin_user, topic_path=["T"], publish=True)

    assert report.errors == [
        {
            "line": 1,
            "message": "options: Distractor B needs a 'why not' explanation before publishing.",
        }
    ]


def test_updating_a_published_question_keeps_it_published_and_checks_it(
    instructor: User, admin_user: User
) -> None:
    services.create_question(content=sample_content(), by=instructor, status=Status.PUBLISHED)
    text = (
        "$CATEGORY: $course$/top/Hematology/Plasma cell disorders/Relapsed and refractory myeloma"
        "\n\n::first-relapse-after-vtd::A man relapses.\\n\\nWhich regimen?{=Len-dex ~Pom-dex}\n"
    )

    report = import_questions(text=text, fmt="gift", by=admin_user)

    assert report.updated == 0
    assert "options: Distractor B needs a 'why not' explanation before publishing." in [
        e["message"] for e in report.errors
    ]
    assert Question.objects.get().lead_in == "Which regimen is most appropriate?"


def test_an_instructor_cannot_overwrite_another_instructors_draft(instructor: User) -> None:
    import_questions(text=gift(), fmt="gift", by=instructor)
    other = make_user("olga-instructor", Role.INSTRUCTOR)

    report = import_questions(text=gift(rate_stem="Changed."), fmt="gift", by=other)

    assert report.errors[0] == {
        "line": 3,
        "message": 'You may not edit the existing draft question "af-anticoagulation" '
        "in this topic.",
    }
    assert not Question.objects.filter(stem="Changed.").exists()


def test_students_cannot_import(student: User) -> None:
    with pytest.raises(PermissionDenied):
        import_questions(text=gift(), fmt="gift", by=student)


def test_an_unknown_format_is_refused(instructor: User) -> None:
    with pytest.raises(UnknownFormatError, match='"qti" can be exported but not imported'):
        import_questions(text="", fmt="qti", by=instructor)


def test_items_without_a_category_or_topic_are_errors(instructor: User) -> None:
    report = import_questions(text="::a::Stem.\\n\\nWhich?{=x ~y}", fmt="gift", by=instructor)

    assert report.errors == [{"line": 1, "message": "topic: Choose a topic."}]


def test_two_different_questions_with_one_name_in_one_topic_are_an_error(
    instructor: User,
) -> None:
    text = "::same::First?{=a ~b}\n\n::same::Second?{=c ~d}\n"

    report = import_questions(text=text, fmt="gift", by=instructor, topic_path=["T"])

    assert report.errors == [
        {
            "line": 3,
            "message": 'Another question in this file is also named "same" in this topic; '
            "the name is the stable key, so rename one.",
        }
    ]


def test_the_number_of_queries_does_not_grow_with_the_number_of_items(
    instructor: User,
) -> None:
    def file_of(count: int, prefix: str) -> str:
        return "\n\n".join(
            f"::{prefix}-{n}::Stem {n}.\\n\\nWhich?{{=a ~b#no}}\n" for n in range(count)
        )

    import_questions(text=file_of(1, "warm"), fmt="gift", by=instructor, topic_path=["T"])
    counts = []
    for count, prefix in ((3, "small"), (30, "large")):
        with CaptureQueriesContext(connection) as queries:
            report = import_questions(
                text=file_of(count, prefix), fmt="gift", by=instructor, topic_path=["T"]
            )
        assert report.created == count
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_topic_paths_are_typed_with_angle_brackets_or_slashes() -> None:
    assert split_topic_path("Hematology > Plasma cell disorders ") == [
        "Hematology",
        "Plasma cell disorders",
    ]
    assert split_topic_path("Renal/Acid-base/") == ["Renal", "Acid-base"]
    assert split_topic_path("  ") == []


def test_reimporting_an_unchanged_published_file_records_no_new_revision(
    admin_user: User,
) -> None:
    text = (
        "::af-rate::A 60-year-old man has AF at 130/min.\\n\\nWhich drug first?{\n"
        "  =Bisoprolol\n  ~Amiodarone#Rhythm control.\n"
        "  ####Beta-blockers control rate.\\n\\n**Key point\\:** Rate first.\n}\n"
    )
    import_questions(text=text, fmt="gift", by=admin_user, topic_path=["AF"], publish=True)
    revisions = Version.objects.count()

    again = import_questions(text=text, fmt="gift", by=admin_user, topic_path=["AF"], publish=True)

    assert (again.created, again.updated) == (0, 1)
    assert Version.objects.count() == revisions


def test_only_admins_publish_on_import(instructor: User) -> None:
    with pytest.raises(PermissionDenied, match="Only admins publish on import"):
        import_questions(text=gift(), fmt="gift", by=instructor, publish=True)

    assert not Question.objects.exists()
