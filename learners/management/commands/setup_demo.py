"""Load the demo accounts (and, once the bank exists, the starter content); safe to re-run."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from learners.demo import ensure_demo_accounts


class Command(BaseCommand):
    help = "Create the demo student, instructor and admin; print where their passwords are."

    def handle(self, *args: Any, **options: Any) -> None:
        credentials_path = settings.VAR_DIR / "demo-accounts.json"
        accounts = ensure_demo_accounts(credentials_path=credentials_path)
        self.stdout.write(f"Demo accounts (passwords in {credentials_path}):")
        for account in accounts:
            self.stdout.write(f"  {account.role.label:<11} {account.username}")
