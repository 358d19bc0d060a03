"""python manage.py import_questions FILE --format gift|aiken|moodlexml|json [options].

Exit status: 0 imported (or would import, with --dry-run), 1 the file has errors and nothing was
written, 2 bad usage (unknown format, unreadable file, no suitable author).
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from quizbank.formats import IMPORT_FORMATS
from quizbank.importing import ImportReport, import_questions, split_topic_path
from quizbank.management.authorship import USAGE, command_author


class Command(BaseCommand):
    help = "Import questions from a GIFT, Aiken, Moodle XML or JSON file: all of them, or none."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help='The file to import ("-" reads standard input).')
        parser.add_argument(
            "--format", dest="fmt", required=True, help=f"One of: {', '.join(IMPORT_FORMATS)}."
        )
        parser.add_argument(
            "--topic",
            default="",
            help="Topic for items without a category, and the parent of the file's categories: "
            '"Hematology > Myeloma" or "Hematology/Myeloma".',
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, but write nothing."
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the report as JSON."
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the items (they must pass the publication rules); otherwise drafts.",
        )
        parser.add_argument(
            "--author", default="", help="Username of the author (default: the first admin)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["fmt"]
        if fmt not in IMPORT_FORMATS:
            raise CommandError(
                f'Unknown format "{fmt}": use one of {", ".join(IMPORT_FORMATS)}.',
                returncode=USAGE,
            )
        text = _read(options["file"])
        author = command_author(options["author"])
        try:
            report = import_questions(
                text=text,
                fmt=fmt,
                by=author,
                topic_path=split_topic_path(options["topic"]) or None,
                publish=options["publish"],
                dry_run=options["dry_run"],
                source="standard input" if options["file"] == "-" else options["file"],
            )
        except PermissionDenied as error:
            raise CommandError(str(error), returncode=USAGE) from error
        if options["as_json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            self._summarise(report, dry_run=options["dry_run"])
        if report.errors:
            raise CommandError(
                f"The file has {len(report.errors)} error(s); nothing was written.", returncode=1
            )

    def _summarise(self, report: ImportReport, *, dry_run: bool) -> None:
        if report.errors:
            self.stdout.write("Errors (nothing was written):")
            for error in report.errors:
                where = (
                    f"line {error['line']}" if "line" in error else f"question {error['question']}"
                )
                self.stdout.write(f"  {where}: {error['message']}")
        else:
            verb = "Would create" if dry_run else "Created"
            self.stdout.write(
                f"{verb} {report.created} and {'would update' if dry_run else 'updated'} "
                f"{report.updated} question(s)."
            )
        if report.skipped:
            self.stdout.write(f"Skipped {len(report.skipped)}:")
            for skipped in report.skipped:
                self.stdout.write(f"  {skipped['name']}: {skipped['reason']}")
        if dry_run and not report.errors:
            self.stdout.write("Dry run: nothing was written.")


def _read(name: str) -> str:
    try:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as error:
        raise CommandError(
            f'Cannot read "{name}": {error.strerror or error}.', returncode=USAGE
        ) from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CommandError(
            f'"{name}" is not UTF-8 text; save it as UTF-8 and try again.', returncode=USAGE
        ) from error
