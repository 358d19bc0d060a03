"""python manage.py guideline_review [--refresh]

Lists, for review, the published questions whose key or "Current guidelines" note the
guideline versions now in decision/knowledge/ would change, and how many linked keys each
version disagrees with. Students keep seeing what was stored until `--refresh`, run after the
review, stores what the guidelines now say. Exit status 0.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from decision.review import disagreements_by_version, linked_questions, pending_changes, refresh


class Command(BaseCommand):
    help = "List the published items a changed or new guideline version would change."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="After review: store what the guidelines now say on the listed items.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("Keys each guideline version disagrees with:")
        for row in disagreements_by_version(linked_questions()):
            self.stdout.write(
                f"  {row.model}@{row.version} ({row.title}): "
                f"{row.disagreeing} of {row.checked} linked keys"
            )
        pending = pending_changes()
        if not pending:
            self.stdout.write("No published item would change.")
            return
        self.stdout.write(f"{len(pending)} published item(s) would change:")
        for item in pending:
            self.stdout.write(f"  #{item.question_id} {item.title} [{item.model}]")
            for change in item.changes:
                self.stdout.write(f"    - {change}")
        if options["refresh"]:
            changed = refresh(item.question_id for item in pending)
            self.stdout.write(f"Stored the guidelines' current wording on {changed} item(s).")
