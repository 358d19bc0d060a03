"""python manage.py export_questions --format gift|aiken|moodlexml|json|qti [-o FILE].

Text formats go to standard output unless -o names a file; QTI is a zip and needs -o. What a
format cannot hold (Aiken: anything but single-best-answer) is listed on standard error.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from quizbank.exporting import ExportFilterError, export_bank
from quizbank.formats import EXPORT_FORMATS, FORMATS
from quizbank.importing import split_topic_path
from quizbank.models import Status

USAGE = 2


class Command(BaseCommand):
    help = "Export questions as GIFT, Aiken, Moodle XML, JSON or an IMS QTI 3.0 package."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--format", dest="fmt", required=True, help=f"One of: {', '.join(EXPORT_FORMATS)}."
        )
        parser.add_argument(
            "--topic", default="", help='Only this topic and below: "A > B" or "A/B".'
        )
        parser.add_argument(
            "--status", default="", help=f"Only questions in this status: {', '.join(Status)}."
        )
        parser.add_argument(
            "-o", "--output", default="-", help='The file to write ("-": standard output).'
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fmt, output = options["fmt"], options["output"]
        if fmt not in FORMATS:
            raise CommandError(
                f'Unknown format "{fmt}": use one of {", ".join(EXPORT_FORMATS)}.',
                returncode=USAGE,
            )
        if FORMATS[fmt].is_binary and output == "-":
            raise CommandError(
                f"{FORMATS[fmt].label} is a zip file: name the file to write with -o FILE.",
                returncode=USAGE,
            )
        try:
            export = export_bank(
                fmt=fmt,
                topic_path=split_topic_path(options["topic"]) or None,
                status=options["status"] or None,
            )
        except ExportFilterError as error:
            raise CommandError(str(error), returncode=USAGE) from error
        for skipped in export.skipped:
            self.stderr.write(f"Skipped {skipped['name']}: {skipped['reason']}")
        if output == "-":
            self.stdout.write(str(export.data), ending="")
            return
        try:
            path = Path(output)
            if isinstance(export.data, bytes):
                path.write_bytes(export.data)
            else:
                path.write_text(export.data, encoding="utf-8")
        except OSError as error:
            raise CommandError(
                f'Cannot write "{output}": {error.strerror or error}.', returncode=USAGE
            ) from error
        self.stdout.write(f"Wrote {export.count} question(s) to {output}.")
