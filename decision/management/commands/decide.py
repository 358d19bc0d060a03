"""Print the decision of a model for a case file (or standard input) as one JSON object."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from decision.engine import CaseError, decide, default_version, model, model_ids, model_versions

# Bad input exits with 2, as argparse does for a bad command line.
BAD_INPUT = 2


class Command(BaseCommand):
    help = (
        "Decide a case with a decision model: manage.py decide rrmm-salvage CASE.json (or -); "
        "MODEL@VERSION picks a version, MODEL@latest the newest; --list shows them all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "model", nargs="?", help="rrmm-salvage, or MODEL@VERSION, or MODEL@latest"
        )
        parser.add_argument(
            "case", nargs="?", help="path of the case JSON file, or - for standard input"
        )
        parser.add_argument(
            "--list", action="store_true", help="list every model and version with its sources"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            self._list()
            return
        if not options["model"] or not options["case"]:
            raise CommandError("give a model and a case file (or --list)", returncode=BAD_INPUT)
        try:
            model(options["model"])
        except CaseError as error:
            raise CommandError(str(error), returncode=BAD_INPUT) from None
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

    def _list(self) -> None:
        """Print each model's versions: metadata first, then the sources its rules cite."""
        for model_id in model_ids():
            latest = model(f"{model_id}@latest").version
            for version in model_versions(model_id):
                guideline = version.guideline
                marks = [
                    name
                    for name, holds in (
                        ("default", version.version == default_version(model_id)),
                        ("latest", version.version == latest),
                    )
                    if holds
                ]
                suffix = f" ({', '.join(marks)})" if marks else ""
                self.stdout.write(f"{model_id}@{guideline.version}{suffix}")
                self.stdout.write(f"  title:       {guideline.title}")
                self.stdout.write(f"  status:      {guideline.status}")
                self.stdout.write(f"  published:   {guideline.published or 'not dated'}")
                self.stdout.write(f"  reviewed by: {guideline.reviewed_by or 'not yet reviewed'}")
                self.stdout.write(f"  review due:  {guideline.review_due or 'not set'}")
                self.stdout.write("  sources:")
                for source in guideline.sources.values():
                    self.stdout.write(f"    - {source}")
