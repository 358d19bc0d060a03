"""The admin site: Django's admin with the platform dashboard as its index page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from config.dashboard import MIN_TOPIC_ATTEMPTS
from config.health import check_celery, check_redis
from config.models import DashboardSnapshot
from config.snapshots import page
from learners.charts import trend_context
from quizbank.access import is_admin, require


class PlatformAdminSite(admin.AdminSite):
    site_header = "MCQ Practice administration"
    site_title = "MCQ Practice admin"
    index_title = "Admin dashboard"
    index_template = "admin/dashboard.html"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # This module is where the site is defined, so `admin.register` would reach for the
        # site while it is being made: the operations models are registered here instead.
        self.register(DashboardSnapshot, DashboardSnapshotAdmin)

    def get_urls(self) -> list[URLResolver | URLPattern]:
        """Add the dashboard's worker probe and its refresh button to the admin's URLs."""
        extra: list[URLResolver | URLPattern] = [
            path(
                "dashboard/workers/",
                self.admin_view(dashboard_workers),
                name="dashboard-workers",
            ),
            path(
                "dashboard/refresh/",
                self.admin_view(refresh_dashboard),
                name="dashboard-refresh",
            ),
        ]
        return extra + super().get_urls()

    def index(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        """Show the dashboard's figures above the list of models, to administrators only."""
        context = dict(extra_context or {})
        # Staff who are not administrators (none today: only Admins are staff) get the plain index.
        if is_admin(request.user):  # type: ignore[arg-type]
            figures = page(now=timezone.now())
            context.update(
                # 90 days: a label every fortnight, where the student's 30 days have one a week.
                trend_context(figures.activity.days, label_every=14),
                dashboard=figures,
                time_zone_name=settings.TIME_ZONE,
                min_topic_attempts=MIN_TOPIC_ATTEMPTS,
            )
        return super().index(request, context)


@never_cache
@require_GET
def dashboard_workers(request: HttpRequest) -> HttpResponse:
    """Ask the Celery workers to answer a ping and show who did (loaded by the dashboard)."""
    require(is_admin(request.user), "The dashboard is for administrators.")  # type: ignore[arg-type]
    celery = check_celery(broker_ok=check_redis().ok)
    template = (
        "admin/includes/dashboard_workers.html"
        if request.htmx  # type: ignore[attr-defined]
        else "admin/dashboard_workers.html"
    )
    return TemplateResponse(
        request,
        template,
        {
            "celery": celery,
            "workers": celery.extra.get("workers", []),
            "title": "Celery workers",
            **admin.site.each_context(request),
        },
    )


@require_POST
def refresh_dashboard(request: HttpRequest) -> HttpResponse:
    """Queue a recomputation of the dashboard's costly figures."""
    require(is_admin(request.user), "The dashboard is for administrators.")  # type: ignore[arg-type]
    from config.tasks import refresh_dashboard_task

    transaction.on_commit(refresh_dashboard_task.delay)
    latest = DashboardSnapshot.objects.order_by("-computed_at").first()
    messages.info(
        request,
        "The figures are being recomputed"
        + (f" (the last run took {latest.seconds:.1f} s)" if latest else "")
        + ": reload the page in a moment.",
    )
    return HttpResponseRedirect(reverse("admin:index"))


class DashboardSnapshotAdmin(admin.ModelAdmin[DashboardSnapshot]):
    """The stored dashboard figures, to look back at; only the periodic job writes them."""

    list_display = ("computed_at", "seconds")
    date_hierarchy = "computed_at"
    readonly_fields = ("computed_at", "seconds", "figures")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
