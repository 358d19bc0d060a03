"""Print the decision of a model for a case file (or standard input) as one JSON object."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from decision.engine import CaseError, decide

# Bad input exits with 2, as argparse does for a bad command line.
BAD_INPUT = 2


class Command(BaseCommand):
    help = "Decide a case with a decision model: manage.py decide rrmm-salvage CASE.json (or -)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("model", help="decision model id, for example rrmm-salvage")
        parser.add_argument("case", help="path of the case JSON file, or - for standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        source: str = options["case"]
        try:
            text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(
                f"case: cannot read {source!r}: {error}", returncode=BAD_INPUT
            ) from None
        try:
            case = json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(
                f"case: malformed JSON in {source!r} at line {error.lineno} column "
                f"{error.colno}: {error.msg}",
                returncode=BAD_INPUT,
            ) from None
        try:
            result = decide(options["model"], case)
        except CaseError as error:
            raise CommandError(str(error), returncode=BAD_INPUT) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
