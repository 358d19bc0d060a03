"""The question bank in Django's admin: history (django-reversion) and the topic tree."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from reversion.admin import VersionAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from quizbank.models import (
    ItemStatistics,
    Option,
    ProblemReport,
    Question,
    QuestionImage,
    Reference,
    RetirementRequest,
    ReviewEvent,
    SummaryReference,
    Tag,
    Topic,
    TopicSummary,
)


class OptionInline(admin.TabularInline[Option, Question]):
    model = Option
    extra = 0


# References are entered without a scheme now and then; assume https, as Django 6 will.
HTTPS_URLS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


class ReferenceInline(admin.TabularInline[Reference, Question]):
    model = Reference
    extra = 0
    formfield_overrides = HTTPS_URLS


class ImageInline(admin.TabularInline[QuestionImage, Question]):
    model = QuestionImage
    extra = 0


class ReviewEventInline(admin.TabularInline[ReviewEvent, Question]):
    model = ReviewEvent
    extra = 0
    can_delete = False
    readonly_fields = ("created_at", "actor", "action", "comment")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Question)
class QuestionAdmin(VersionAdmin):  # type: ignore[misc]
    list_display = ("__str__", "topic", "status", "author", "decision_model", "updated_at")
    list_filter = ("status", "question_type", "decision_model", "tags")
    search_fields = ("name", "stem", "lead_in")
    readonly_fields = ("created_at", "updated_at", "published_at", "author")
    autocomplete_fields = ("tags",)
    inlines = [OptionInline, ReferenceInline, ImageInline, ReviewEventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Question]:
        queryset: QuerySet[Question] = super().get_queryset(request)
        return queryset.select_related("topic", "author")


@admin.register(Topic)
class TopicAdmin(TreeAdmin):  # type: ignore[misc]
    form = movenodeform_factory(Topic)
    search_fields = ("name",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    search_fields = ("name",)


class SummaryReferenceInline(admin.TabularInline[SummaryReference, TopicSummary]):
    model = SummaryReference
    extra = 0
    formfield_overrides = HTTPS_URLS


@admin.register(TopicSummary)
class TopicSummaryAdmin(VersionAdmin):  # type: ignore[misc]
    list_display = ("topic", "status", "author", "updated_at")
    list_filter = ("status",)
    search_fields = ("topic__name", "author__username")
    readonly_fields = ("created_at", "updated_at", "published_at")
    inlines = [SummaryReferenceInline]


@admin.register(ReviewEvent)
class ReviewEventAdmin(admin.ModelAdmin[ReviewEvent]):
    list_display = ("created_at", "question", "actor", "action")
    list_filter = ("action",)
    search_fields = ("question__lead_in", "actor__username", "comment")
    date_hierarchy = "created_at"
    readonly_fields = ("question", "actor", "action", "comment", "created_at")
    list_select_related = ("question", "actor")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ProblemReport)
class ProblemReportAdmin(admin.ModelAdmin[ProblemReport]):
    list_display = ("created_at", "question", "reporter", "resolved_at", "resolved_by")
    list_filter = (("resolved_at", admin.EmptyFieldListFilter),)
    search_fields = ("text", "question__lead_in")
    list_select_related = ("question", "reporter", "resolved_by")
    readonly_fields = ("question", "reporter", "text", "created_at", "resolved_at", "resolved_by")


@admin.register(RetirementRequest)
class RetirementRequestAdmin(admin.ModelAdmin[RetirementRequest]):
    """Read only: requests are made and decided through the review workflow."""

    list_display = ("created_at", "question", "requested_by", "outcome", "resolved_by")
    list_filter = ("outcome",)
    search_fields = ("reason", "question__lead_in")
    list_select_related = ("question", "requested_by", "resolved_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ItemStatistics)
class ItemStatisticsAdmin(admin.ModelAdmin[ItemStatistics]):
    """Read only: the periodic job is the one writer of these rows."""

    list_display = (
        "question",
        "version",
        "attempts",
        "facility",
        "discrimination",
        "mean_seconds",
        "flags",
        "computed_at",
    )
    list_select_related = ("question", "version")
    search_fields = ("question__lead_in", "question__name")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
