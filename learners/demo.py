"""Demo accounts for a local install: one per role, passwords kept in a private file."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from learners.models import User
from learners.roles import Role
from learners.services import assign_role

DEMO_USERNAMES = {
    Role.STUDENT: "demo-student",
    Role.INSTRUCTOR: "demo-instructor",
    Role.ADMIN: "demo-admin",
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role


@transaction.atomic
def ensure_demo_accounts(*, credentials_path: Path) -> list[DemoAccount]:
    """Create or repair the demo accounts so that each logs in with the password on file."""
    passwords: dict[str, str] = {}
    if credentials_path.exists():
        passwords = json.loads(credentials_path.read_text())
    accounts = []
    for role, username in DEMO_USERNAMES.items():
        password = passwords.get(username) or secrets.token_urlsafe(12)
        passwords[username] = password
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.org"}
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        assign_role(user=user, role=role)
        accounts.append(DemoAccount(username=username, role=role))
    credentials_path.parent.mkdir(parents=True, exist_ok=True)
    credentials_path.write_text(json.dumps(passwords, indent=2) + "\n")
    credentials_path.chmod(0o600)
    return accounts
