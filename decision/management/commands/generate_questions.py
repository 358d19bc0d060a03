"""python manage.py generate_questions MODEL[@VERSION] --count N --seed S [--author USERNAME]
[--topic T] [--report]

Saves generated vignettes as draft questions, keyed by the named version (the model's default
without one). With --report nothing is saved: it prints what a reviewer would count in the
batch (items with a second defensible answer, items whose stem contradicts their case, distinct
option sets and first sentences, mean stem length). Exit status: 0 done (items that a previous
run with the same seed already saved are skipped), 2 bad usage (unknown model or version, count
out of range, no suitable author).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from decision.engine import CaseError, model, split_reference
from decision.engine.vignettes import generate, generator_ids, report
from decision.generation import generate_questions
from quizbank.importing import split_topic_path
from quizbank.management.authorship import USAGE, command_author

MAX_COUNT = 500
# A report saves nothing, so it may look at a larger batch.
MAX_REPORT_COUNT = 10_000


class Command(BaseCommand):
    help = "Generate draft questions from a decision model's sampled cases."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "model",
            help=f"The decision model, optionally @VERSION: {', '.join(generator_ids())}.",
        )
        parser.add_argument("--count", type=int, default=10, help=f"1 to {MAX_COUNT}.")
        parser.add_argument("--seed", type=int, default=0, help="The same seed, the same items.")
        parser.add_argument(
            "--author", default="", help="Username of the author (default: the first admin)."
        )
        parser.add_argument(
            "--topic", default="", help='Topic for the drafts, e.g. "Hematology > Myeloma".'
        )
        parser.add_argument(
            "--report",
            action="store_true",
            help=f"Save nothing; print the batch's quality figures (up to {MAX_REPORT_COUNT}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reference, count = options["model"], options["count"]
        model_id, _ = split_reference(reference)
        if model_id not in generator_ids():
            raise CommandError(
                f'Unknown model "{model_id}": use one of {", ".join(generator_ids())}.',
                returncode=USAGE,
            )
        try:
            model(reference)
        except CaseError as error:
            raise CommandError(f"{error.problem.capitalize()}.", returncode=USAGE) from None
        limit = MAX_REPORT_COUNT if options["report"] else MAX_COUNT
        if not 1 <= count <= limit:
            raise CommandError(
                f"--count must be between 1 and {limit}, not {count}.", returncode=USAGE
            )
        if options["report"]:
            batch = report(reference, generate(reference, count=count, seed=options["seed"]))
            self.stdout.write("\n".join(batch.lines()))
            return
        questions = generate_questions(
            model_id=reference,
            count=count,
            seed=options["seed"],
            by=command_author(options["author"]),
            topic_path=split_topic_path(options["topic"]) or None,
        )
        skipped = count - len(questions)
        self.stdout.write(
            f"Created {len(questions)} draft question(s)"
            + (f"; skipped {skipped} already saved by an earlier run." if skipped else ".")
        )
        for question in questions:
            self.stdout.write(f"  {question.name}")
