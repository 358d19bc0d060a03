"""python manage.py generate_questions MODEL --count N --seed S [--author USERNAME] [--topic T].

Saves generated vignettes as draft questions. Exit status: 0 done (items that a previous run with
the same seed already saved are skipped), 2 bad usage (unknown model, count out of range, no
suitable author).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from decision.engine.vignettes import generator_ids
from decision.generation import generate_questions
from quizbank.importing import split_topic_path
from quizbank.management.authorship import USAGE, command_author

MAX_COUNT = 500


class Command(BaseCommand):
    help = "Generate draft questions from a decision model's sampled cases."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("model", help=f"The decision model: {', '.join(generator_ids())}.")
        parser.add_argument("--count", type=int, default=10, help=f"1 to {MAX_COUNT}.")
        parser.add_argument("--seed", type=int, default=0, help="The same seed, the same items.")
        parser.add_argument(
            "--author", default="", help="Username of the author (default: the first admin)."
        )
        parser.add_argument(
            "--topic", default="", help='Topic for the drafts, e.g. "Hematology > Myeloma".'
        )

    def handle(self, *args: Any, **options: Any) -> None:
        model_id, count = options["model"], options["count"]
        if model_id not in generator_ids():
            raise CommandError(
                f'Unknown model "{model_id}": use one of {", ".join(generator_ids())}.',
                returncode=USAGE,
            )
        if not 1 <= count <= MAX_COUNT:
            raise CommandError(
                f"--count must be between 1 and {MAX_COUNT}, not {count}.", returncode=USAGE
            )
        questions = generate_questions(
            model_id=model_id,
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
