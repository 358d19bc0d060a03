"""The import_questions and export_questions commands: output, files and exit statuses."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from learners.models import User
from quizbank import services
from quizbank.content import OptionContent
from quizbank.models import Question, Status, Topic
from tests.interop import MOODLE, needs_moodle
from tests.quizbank.samples import sample_content

ROOT = Path(__file__).resolve().parents[2]
UNSUPPORTED = (
    "questions are not supported (only single-best-answer, multiple-response and true/false)"
)


def run(name: str, *args: str) -> tuple[str, str]:
    """Run a command in this process; return (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failure(name: str, *args: str) -> CommandError:
    with pytest.raises(CommandError) as raised:
        run(name, *args)
    return raised.value


# Importing ------------------------------------------------------------------------------------


@needs_moodle
@pytest.mark.django_db
def test_json_output_is_one_object_with_the_import_report(admin_user: User) -> None:
    out, _ = run(
        "import_questions",
        str(MOODLE / "nested_categories_with_questions.xml"),
        "--format",
        "moodlexml",
        "--topic",
        "Moodle/XML",
        "--json",
    )

    assert json.loads(out) == {
        "created": 4,
        "updated": 0,
        "skipped": [{"name": "Kappa Essay Question", "reason": f"essay {UNSUPPORTED}"}],
        "errors": [],
    }
    assert Question.objects.filter(author=admin_user).count() == 4
    assert Topic.objects.filter(name="Lambda").get().label == "Moodle > XML > Iota > Kappa > Lambda"


@needs_moodle
@pytest.mark.django_db
def test_a_file_with_errors_exits_with_status_1_and_writes_nothing(admin_user: User) -> None:
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_questions",
            str(MOODLE / "aiken_errors.txt"),
            "--format=aiken",
            "--topic=Aiken",
            "--json",
            stdout=out,
        )

    assert raised.value.returncode == 1
    report = json.loads(out.getvalue())
    assert (report["created"], report["updated"]) == (0, 0)
    assert [error["line"] for error in report["errors"]] == [3, 5, 7, 18]
    assert not Question.objects.exists()


@needs_moodle
@pytest.mark.django_db
def test_the_human_summary_names_counts_and_skipped_items(instructor: User) -> None:
    out, _ = run(
        "import_questions",
        str(MOODLE / "questions.gift.txt"),
        "--format",
        "gift",
        "--topic",
        "Moodle > GIFT",
        "--author",
        instructor.username,
    )

    assert "Created 4 and updated 0 question(s)." in out
    assert f"  Q8: essay {UNSUPPORTED}" in out
    assert "  2-08 TSL: repeats an earlier question in the file" in out
    assert Question.objects.filter(author=instructor).count() == 4


@needs_moodle
@pytest.mark.django_db
def test_dry_run_reports_what_would_happen_and_writes_nothing(admin_user: User) -> None:
    out, _ = run(
        "import_questions",
        str(MOODLE / "questions.aiken.txt"),
        "--format",
        "aiken",
        "--topic",
        "Moodle",
        "--dry-run",
    )

    assert "Would create 2 and would update 0 question(s)." in out
    assert "Dry run: nothing was written." in out
    assert not Question.objects.exists()


@needs_moodle
@pytest.mark.django_db
def test_publish_makes_the_items_published_when_they_qualify(admin_user: User) -> None:
    failed = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_questions",
            str(MOODLE / "questions.aiken.txt"),
            "--format=aiken",
            "--topic=Moodle",
            "--publish",
            "--json",
            stdout=failed,
        )

    assert "A published question needs its key point explained." in failed.getvalue()
    assert not Question.objects.exists()


@needs_moodle
@pytest.mark.django_db
def test_publishing_as_an_instructor_is_bad_usage(instructor: User) -> None:
    error = failure(
        "import_questions",
        str(MOODLE / "questions.aiken.txt"),
        "--format=aiken",
        f"--author={instructor.username}",
        "--publish",
    )

    assert error.returncode == 2
    assert "Only admins publish on import" in str(error)
    assert not Question.objects.exists()


@needs_moodle
@pytest.mark.django_db
def test_an_unknown_format_is_bad_usage(admin_user: User) -> None:
    error = failure("import_questions", str(MOODLE / "questions.gift.txt"), "--format", "docx")

    assert error.returncode == 2
    assert str(error) == 'Unknown format "docx": use one of gift, aiken, moodlexml, json.'


@pytest.mark.django_db
def test_an_unreadable_file_is_bad_usage(admin_user: User, tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    error = failure("import_questions", str(missing), "--format", "gift")
    assert (error.returncode, str(error)) == (
        2,
        f'Cannot read "{missing}": No such file or directory.',
    )

    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Caf\xe9?\nA) a\nB) b\nANSWER: A\n".encode("latin-1"))
    error = failure("import_questions", str(latin1), "--format", "aiken")
    assert (error.returncode, str(error)) == (
        2,
        f'"{latin1}" is not UTF-8 text; save it as UTF-8 and try again.',
    )


@needs_moodle
@pytest.mark.django_db
def test_without_an_admin_an_author_must_be_named() -> None:
    error = failure("import_questions", str(MOODLE / "questions.gift.txt"), "--format", "gift")

    assert error.returncode == 2
    assert "There is no active admin to be the author" in str(error)


@needs_moodle
@pytest.mark.django_db
def test_a_student_cannot_be_the_author(student: User) -> None:
    error = failure(
        "import_questions",
        str(MOODLE / "questions.gift.txt"),
        "--format=gift",
        f"--author={student.username}",
    )

    assert error.returncode == 2
    assert "must be an active instructor or admin" in str(error)


# Exporting ------------------------------------------------------------------------------------


@pytest.fixture
def bank(instructor: User) -> list[Question]:
    return [
        services.create_question(content=sample_content(), by=instructor, status=Status.PUBLISHED),
        services.create_question(
            content=sample_content(
                name="crab",
                topic_path=["Hematology", "Plasma cell disorders"],
                question_type="multiple",
                options=[OptionContent("A", is_correct=True), OptionContent("B", is_correct=True)],
            ),
            by=instructor,
        ),
    ]


@pytest.mark.django_db
def test_export_writes_text_formats_to_standard_output(bank: list[Question]) -> None:
    out, _ = run("export_questions", "--format", "gift")

    assert out.startswith("$CATEGORY: $course$/top/Hematology/Plasma cell disorders\n")
    assert "::crab::[markdown]" in out and "::first-relapse-after-vtd::[markdown]" in out


@pytest.mark.django_db
def test_export_filters_by_topic_subtree_and_status(bank: list[Question], tmp_path: Path) -> None:
    target = tmp_path / "bank.json"

    out, _ = run(
        "export_questions",
        "--format=json",
        "--topic=Hematology > Plasma cell disorders > Relapsed and refractory myeloma",
        "--status=published",
        "-o",
        str(target),
    )

    assert out == f"Wrote 1 question(s) to {target}.\n"
    data = json.loads(target.read_text())
    assert [q["name"] for q in data["questions"]] == ["first-relapse-after-vtd"]
    everything = json.loads(run("export_questions", "--format=json", "--topic=hematology")[0])
    assert len(everything["questions"]) == 2


@pytest.mark.django_db
def test_aiken_export_lists_what_it_cannot_hold_on_standard_error(bank: list[Question]) -> None:
    out, err = run("export_questions", "--format", "aiken")

    assert out.endswith("ANSWER: A\n")
    assert err == (
        "Skipped crab: Aiken holds only single-best-answer questions; "
        "this one is multiple-response\n"
    )


@pytest.mark.django_db
def test_qti_is_written_to_a_file_and_needs_one(bank: list[Question], tmp_path: Path) -> None:
    error = failure("export_questions", "--format", "qti")
    assert (error.returncode, str(error)) == (
        2,
        "IMS QTI 3.0 package is a zip file: name the file to write with -o FILE.",
    )

    target = tmp_path / "bank.zip"
    run("export_questions", "--format", "qti", "-o", str(target))

    with zipfile.ZipFile(target) as package:
        assert len(package.namelist()) == 3
        assert "imsmanifest.xml" in package.namelist()


@pytest.mark.django_db
def test_an_unknown_topic_or_status_is_bad_usage(bank: list[Question]) -> None:
    error = failure("export_questions", "--format=gift", "--topic=Dermatology")
    assert (error.returncode, str(error)) == (2, 'There is no topic "Dermatology".')

    error = failure("export_questions", "--format=gift", "--status=lost")
    assert error.returncode == 2
    assert str(error).startswith('Unknown status "lost"')


# Exit statuses of the real process ------------------------------------------------------------


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with an admin, made once and copied for each test."""
    folder = tmp_path_factory.mktemp("commands")
    env = manage_env(folder / "db.sqlite3", folder)
    for args in (
        ["migrate", "--verbosity", "0"],
        [
            "shell",
            "-c",
            "from learners.roles import Role; from learners.services import assign_role; "
            "from learners.models import User; "
            "assign_role(user=User.objects.create_user(username='ada', password='x-1234-y'), "
            "role=Role.ADMIN)",
        ],
    ):
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    return folder / "db.sqlite3"


def manage_env(database: Path, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_ENV"}}
    env.update(DATABASE_URL=f"sqlite:///{database}", VAR_DIR=str(var_dir))
    return env


@needs_moodle
def test_the_process_exits_0_on_success_1_on_file_errors_and_2_on_bad_usage(
    migrated_database: Path, tmp_path: Path
) -> None:
    database = tmp_path / "db.sqlite3"
    shutil.copy(migrated_database, database)

    def manage(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=manage_env(database, tmp_path),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    good = manage(
        "import_questions",
        str(MOODLE / "questions.aiken.txt"),
        "--format=aiken",
        "--topic=A",
        "--json",
    )
    bad = manage("import_questions", str(MOODLE / "aiken_errors.txt"), "--format=aiken", "--json")
    usage = manage("import_questions", str(MOODLE / "questions.aiken.txt"), "--format=pdf")

    assert (good.returncode, json.loads(good.stdout)["created"]) == (0, 2)
    assert bad.returncode == 1
    assert json.loads(bad.stdout)["created"] == 0
    assert "nothing was written" in bad.stderr
    assert usage.returncode == 2
    assert 'Unknown format "pdf"' in usage.stderr
