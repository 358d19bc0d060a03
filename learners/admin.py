"""Admin for accounts: administrators change a person's role here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.http import HttpRequest

from learners.models import (
    DailyPlan,
    ItemCalibration,
    PlanItem,
    PracticeSession,
    Response,
    ReviewCard,
    ReviewLog,
    TopicAbility,
    User,
)
from learners.roles import Role
from learners.services import assign_role


class UserRoleForm(UserChangeForm[User]):
    role = forms.ChoiceField(
        choices=Role.choices, help_text="Admins also get access to this admin site."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["role"].initial = self.instance.role


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    form = UserRoleForm
    list_display = ("username", "email", "role_name", "is_active", "date_joined", "last_login")
    list_filter = ("groups", "is_active", "is_superuser")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Role", {"fields": ("role", "is_active")}),
        (
            "Study settings",
            {
                "fields": (
                    "time_zone",
                    "daily_goal",
                    "exam_date",
                    "wants_reminders",
                    "rates_confidence",
                )
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Role")
    def role_name(self, user: User) -> str:
        return user.role.label

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if "role" in form.cleaned_data:
            assign_role(user=obj, role=Role(form.cleaned_data["role"]))
        elif not change:
            assign_role(user=obj, role=Role.STUDENT)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Practice records are written by students' answers only; the admin shows them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PracticeSession)
class PracticeSessionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "learner", "mode", "item_count", "created_at", "deadline", "finished_at")
    list_filter = ("mode", ("finished_at", admin.EmptyFieldListFilter))
    search_fields = ("learner__username",)
    list_select_related = ("learner",)
    date_hierarchy = "created_at"


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = (
        "answered_at",
        "learner",
        "question",
        "is_correct",
        "is_first_attempt",
        "time_spent",
    )
    list_filter = ("is_correct", "is_first_attempt")
    search_fields = ("learner__username", "question__lead_in")
    list_select_related = ("learner", "question")
    raw_id_fields = ("item", "question", "option", "version")
    date_hierarchy = "answered_at"


@admin.register(ReviewCard)
class ReviewCardAdmin(ReadOnlyAdmin):
    list_display = ("learner", "question", "state", "stability", "difficulty", "due", "reviews")
    list_filter = ("state",)
    search_fields = ("learner__username",)
    list_select_related = ("learner", "question")
    raw_id_fields = ("learner", "question")
    date_hierarchy = "due"


@admin.register(ReviewLog)
class ReviewLogAdmin(ReadOnlyAdmin):
    list_display = ("reviewed_at", "card", "rating", "duration_ms", "stability", "due")
    list_filter = ("rating",)
    search_fields = ("card__learner__username",)
    raw_id_fields = ("card", "response")
    date_hierarchy = "reviewed_at"


@admin.register(TopicAbility)
class TopicAbilityAdmin(ReadOnlyAdmin):
    list_display = ("learner", "topic", "ability", "responses")
    search_fields = ("learner__username", "topic__name")
    list_select_related = ("learner", "topic")


@admin.register(ItemCalibration)
class ItemCalibrationAdmin(ReadOnlyAdmin):
    list_display = ("question", "difficulty", "responses")
    search_fields = ("question__lead_in",)
    list_select_related = ("question",)


class PlanItemInline(admin.TabularInline[PlanItem, DailyPlan]):
    model = PlanItem
    fields = ("position", "kind", "question")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(DailyPlan)
class DailyPlanAdmin(ReadOnlyAdmin):
    list_display = ("day", "learner", "goal", "built_at", "reminded_at")
    list_filter = ("day",)
    search_fields = ("learner__username",)
    list_select_related = ("learner",)
    inlines = [PlanItemInline]
