"""Import speed of a GIFT file. Target: at least 1,000 questions/second on SQLite.

Generates a GIFT file of 10,000 questions (five options each, feedback on every distractor,
general feedback, a few categories), imports it with `quizbank.importing.import_questions` into
a fresh SQLite database, and prints the import's questions/second. The baseline, measured in the
same run, is a raw `bulk_create` of the same rows (questions and options) with no parsing and no
validation: the ratio says how much of the database's own speed the importer keeps.

    .venv/bin/python bench/import_gift.py [--count N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1_000.0
CATEGORIES = ["Hematology/Myeloma", "Hematology/Lymphoma", "Cardiology/Arrhythmias", "Renal"]


def gift_file(count: int) -> str:
    """Return a GIFT file of `count` single-best-answer questions across a few categories."""
    blocks = []
    per_category = -(-count // len(CATEGORIES))
    for number in range(count):
        if number % per_category == 0:
            category = CATEGORIES[number // per_category]
            blocks.append(f"$CATEGORY: $course$/top/{category}")
        right = number % 5
        options = []
        for letter in range(5):
            if letter == right:
                options.append(f"\t=Regimen {letter} for case {number}#Right for this patient.")
            else:
                options.append(
                    f"\t~Regimen {letter} for case {number}#Wrong here: reason {letter} applies."
                )
        blocks.append(
            f"::case-{number}::A {40 + number % 40}-year-old patient relapses after induction "
            f"(case {number}). Which regimen is most appropriate?{{\n"
            + "\n".join(options)
            + "\n\t####Switch drug class at first relapse.\n}"
        )
    return "\n\n".join(blocks) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="questions in the file")
    count = parser.parse_args().count

    with tempfile.TemporaryDirectory() as workdir:
        # The settings read these when Django starts, so they are set before django.setup().
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
        os.environ["VAR_DIR"] = workdir
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        from learners.models import User
        from learners.roles import Role
        from learners.services import assign_role
        from quizbank import services
        from quizbank.importing import import_questions
        from quizbank.models import Option, Question

        call_command("migrate", verbosity=0)
        author = User.objects.create_user(username="bench-instructor")
        assign_role(user=author, role=Role.INSTRUCTOR)
        text = gift_file(count)

        started = time.perf_counter()
        report = import_questions(text=text, fmt="gift", by=author)
        import_seconds = time.perf_counter() - started
        assert report.created == count and not report.errors, report.as_dict()
        assert Option.objects.count() == 5 * count

        topic = services.ensure_topic(["Baseline"])
        started = time.perf_counter()
        questions = Question.objects.bulk_create(
            Question(
                topic=topic,
                author=author,
                name=f"baseline-{n}",
                stem=f"A {40 + n % 40}-year-old patient relapses after induction (case {n}).",
                lead_in="Which regimen is most appropriate?",
                why_correct="Switch drug class at first relapse.",
            )
            for n in range(count)
        )
        Option.objects.bulk_create(
            Option(
                question=question,
                position=letter,
                text=f"Regimen {letter} for case {n}",
                is_correct=letter == n % 5,
                why_not="" if letter == n % 5 else f"Wrong here: reason {letter} applies.",
            )
            for n, question in enumerate(questions)
            for letter in range(5)
        )
        baseline_seconds = time.perf_counter() - started

    rate = count / import_seconds
    baseline = count / baseline_seconds
    print(f"questions:          {count} (5 options each, {len(text) / 1e6:.1f} MB of GIFT)")
    print(f"import:             {rate:,.0f} questions/s ({import_seconds:.2f} s)")
    print(f"baseline:           {baseline:,.0f} questions/s ({baseline_seconds:.2f} s)")
    print("                    (raw bulk_create of the same rows, no parsing or validation)")
    print(f"ratio:              {rate / baseline:.2f} of the raw insert speed")
    print(
        f"target:             >= {TARGET:,.0f} questions/s: {'met' if rate >= TARGET else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
