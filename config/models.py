"""The platform's operations data: the admin dashboard's snapshots of its costly figures."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class DashboardSnapshot(models.Model):
    """The dashboard figures that read every response, as a periodic job last computed them.

    Written only by `config.snapshots.refresh_snapshot`; the admin index reads the newest.
    """

    computed_at = models.DateTimeField(db_index=True)
    seconds = models.FloatField(help_text="How long computing the figures took.")
    figures = models.JSONField(encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-computed_at", "-id"]
        get_latest_by = ["computed_at", "id"]

    def __str__(self) -> str:
        return f"Dashboard figures of {self.computed_at:%Y-%m-%d %H:%M}"
