"""Load the demo accounts and the starter question bank; safe to re-run."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from learners.demo import DEMO_USERNAMES, ensure_demo_accounts
from learners.models import User
from learners.roles import Role
from quizbank.starter import load_starter_bank


class Command(BaseCommand):
    help = (
        "Create the demo student, instructor and admin, print where their passwords are, "
        "and load the starter question bank."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        credentials_path = settings.VAR_DIR / "demo-accounts.json"
        accounts = ensure_demo_accounts(credentials_path=credentials_path)
        self.stdout.write(f"Demo accounts (passwords in {credentials_path}):")
        for account in accounts:
            self.stdout.write(f"  {account.role.label:<11} {account.username}")
        report = load_starter_bank(by=User.objects.get(username=DEMO_USERNAMES[Role.ADMIN]))
        if report.errors:
            raise CommandError(f"The starter bank did not load: {report.errors}")
        self.stdout.write(
            f"Starter bank: {report.created} questions created, {report.updated} updated."
        )
