"""One row per audited change: written by `audit.log.record` inside the change's own transaction."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def about(self, target: models.Model) -> AuditEventQuerySet:
        """Events whose target is `target`."""
        return self.filter(target_type=target._meta.label_lower, target_id=str(target.pk))


class AuditEvent(models.Model):
    """Who did what to which row, and when; rows are never changed except to erase a name."""

    class Action(models.TextChoices):
        # The codes are stored: add new ones, never rename these.
        QUESTION_PUBLISHED = "question_published", "Question published"
        QUESTION_RETIRED = "question_retired", "Question retired"
        ROLE_CHANGED = "role_changed", "Role changed"
        USER_DEACTIVATED = "user_deactivated", "User deactivated"
        USER_REACTIVATED = "user_reactivated", "User reactivated"
        QUESTIONS_IMPORTED = "questions_imported", "Questions imported"
        PERSONAL_DATA_EXPORTED = "personal_data_exported", "Personal data exported"
        PERSONAL_DATA_ERASED = "personal_data_erased", "Personal data erased"
        RETIREMENT_REQUESTED = "retirement_requested", "Question retirement requested"
        RETIREMENT_DECLINED = "retirement_declined", "Question retirement declined"

    # SET_NULL: the actor's account may be deleted later; `actor_username` keeps the name they had
    # when they acted (until their personal data is erased, which replaces it).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_username = models.CharField("who", max_length=150, blank=True)
    action = models.CharField(max_length=40, choices=Action.choices)
    # "app_label.model" and primary key of the changed row; empty for changes of many rows.
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField("target", max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField("when", db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        who = self.actor_username or "system"
        return f"{self.get_action_display()}: {self.target_repr} by {who}"
