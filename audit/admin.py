"""The audit log in the admin: searchable and filterable, and read-only for everyone."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ("created_at", "actor_username", "action", "target_repr")
    list_filter = ("action", "created_at")
    search_fields = ("actor_username", "target_repr")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "actor",
        "actor_username",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "details",
    )
    readonly_fields = fields

    # A log that its readers could edit would prove nothing, so no one (superusers included)
    # adds, changes or deletes events here; `has_view_permission` still lets admins read them.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
