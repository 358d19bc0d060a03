"""Write audit events: call `record` inside the transaction of the change it records."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone

from audit.models import AuditEvent

if TYPE_CHECKING:
    from learners.models import User

TARGET_REPR_LIMIT = 300


def record(
    *,
    actor: User | None,
    action: AuditEvent.Action,
    target: models.Model | None = None,
    target_repr: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Record that `actor` did `action` to `target`; roll back with the change if it fails."""
    # Writing the event in the change's transaction means an event exists exactly when the
    # change was committed: a refused or failed change leaves no trace here.
    if target_repr is None:
        target_repr = str(target) if target is not None else ""
    return AuditEvent.objects.create(
        actor=actor,
        actor_username=actor.get_username() if actor is not None else "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=target_repr[:TARGET_REPR_LIMIT],
        details=details or {},
        created_at=at or timezone.now(),
    )
