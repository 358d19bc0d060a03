"""Admin for accounts: roles, deactivation, personal data exports and erasure; practice records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from learners.models import (
    DailyPlan,
    ItemCalibration,
    Mark,
    Note,
    PracticeSession,
    Response,
    ReviewCard,
    ReviewLog,
    SessionItem,
    TopicAbility,
    User,
)
from learners.personal_data import erase_personal_data, release_personal_data
from learners.roles import Role
from learners.services import (
    AccountError,
    assign_role,
    check_account_change,
    deactivate_user,
    reactivate_user,
)
from learners.views.account import personal_data_attachment
from quizbank.models import Question

ACTIVE_HELP = "Untick to stop this person logging in; all their data is kept."


class UserRoleForm(UserChangeForm[User]):
    role = forms.ChoiceField(
        choices=Role.choices, help_text="Admins also get access to this admin site."
    )
    # The admin editing the form, set per request by UserAdmin.get_form.
    editor: User | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["role"].initial = self.instance.role
        if "is_active" in self.fields:
            self.fields["is_active"].help_text = ACTIVE_HELP

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.editor is None or not self.instance.pk:
            return cleaned
        is_active = cleaned.get("is_active")
        try:
            check_account_change(
                user=self.instance,
                by=self.editor,
                role=Role(cleaned["role"]) if cleaned.get("role") else None,
                is_active=is_active if "is_active" in self.changed_data else None,
            )
        except AccountError as error:
            self.add_error(error.field, error.message)
        return cleaned


class RoleFilter(admin.SimpleListFilter):
    """Filter by the role a user has, as `User.role` reads it (the highest one)."""

    title = "role"
    parameter_name = "role"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(role.value, role.label) for role in Role]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        if self.value() not in Role.values:
            return queryset
        admins = Q(is_superuser=True) | Q(_in_group(Role.ADMIN))
        if self.value() == Role.ADMIN:
            return queryset.filter(admins)
        instructors = Q(_in_group(Role.INSTRUCTOR))
        if self.value() == Role.INSTRUCTOR:
            return queryset.filter(instructors).exclude(admins)
        return queryset.exclude(admins).exclude(instructors)


def _in_group(role: Role) -> Exists:
    return Exists(User.groups.through.objects.filter(user=OuterRef("pk"), group__name=role.value))


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    form = UserRoleForm
    list_display = ("username", "email", "role_name", "is_active", "date_joined", "last_login")
    list_filter = (RoleFilter, "is_active")
    readonly_fields = ("last_login", "date_joined")
    actions = [
        "make_students",
        "make_instructors",
        "make_admins",
        "deactivate",
        "reactivate",
        "export_data",
        "erase_data",
    ]
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

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"editor": request.user})

    # Deleting a user would delete their responses with them and change the item statistics;
    # "Erase personal data" removes what identifies the person and keeps the statistics.
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Role")
    def role_name(self, user: User) -> str:
        return user.role.label

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        editor = cast(User, request.user)
        # The active flag and the role change through the services, which audit them.
        activation = change and "is_active" in form.changed_data
        if activation:
            obj.is_active = not obj.is_active
        super().save_model(request, obj, form, change)
        if activation and form.cleaned_data["is_active"]:
            reactivate_user(user=obj, by=editor)
        elif activation:
            deactivate_user(user=obj, by=editor)
        if "role" in form.cleaned_data:
            assign_role(user=obj, role=Role(form.cleaned_data["role"]), by=editor)
        elif not change:
            assign_role(user=obj, role=Role.STUDENT)

    def _change_each(
        self,
        request: HttpRequest,
        queryset: QuerySet[User],
        change: Callable[[User, User], bool],
        done: str,
    ) -> None:
        """Apply `change` to every selected user, or to none if one of them is refused."""
        editor = cast(User, request.user)
        try:
            with transaction.atomic():
                changed = sum(change(user, editor) for user in queryset)
        except AccountError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        self.message_user(request, f"{done}: {changed} of {len(queryset)} selected users.")

    def _make(self, request: HttpRequest, queryset: QuerySet[User], role: Role) -> None:
        def change(user: User, editor: User) -> bool:
            before = user.role
            assign_role(user=user, role=role, by=editor)
            return before != user.role

        self._change_each(request, queryset, change, f"Made {role.label.lower()}s")

    @admin.action(description="Make student")
    def make_students(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._make(request, queryset, Role.STUDENT)

    @admin.action(description="Make instructor")
    def make_instructors(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._make(request, queryset, Role.INSTRUCTOR)

    @admin.action(description="Make admin")
    def make_admins(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._make(request, queryset, Role.ADMIN)

    @admin.action(description="Deactivate (keeps their data)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._change_each(
            request,
            queryset,
            lambda user, editor: deactivate_user(user=user, by=editor),
            "Deactivated",
        )

    @admin.action(description="Reactivate")
    def reactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._change_each(
            request,
            queryset,
            lambda user, editor: reactivate_user(user=user, by=editor),
            "Reactivated",
        )

    @admin.action(description="Export personal data (JSON)")
    def export_data(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        users = list(queryset[:2])
        if len(users) != 1:
            self.message_user(request, "Select exactly one user to export.", messages.ERROR)
            return None
        now = timezone.now()
        data = release_personal_data(user=users[0], by=cast(User, request.user), now=now)
        return personal_data_attachment(data, user=users[0], now=now)

    @admin.action(description="Erase personal data…")
    def erase_data(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        """Show what erasure does (first POST), then erase the selected users (confirmed POST)."""
        editor = cast(User, request.user)
        users = list(queryset)
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/learners/user/erase_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Erase personal data",
                    "opts": self.opts,
                    "users": users,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        now = timezone.now()
        try:
            with transaction.atomic():
                for user in users:
                    erase_personal_data(user=user, by=editor, now=now)
        except AccountError as error:
            self.message_user(request, error.message, messages.ERROR)
            return None
        self.message_user(request, f"Erased the personal data of {len(users)} users.")
        return None


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Practice records are written by students' answers only; the admin shows them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SessionItemInline(admin.TabularInline[SessionItem, PracticeSession]):
    model = SessionItem
    fields = ("position", "question", "shown_at")
    readonly_fields = fields
    can_delete = False
    extra = 0
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PracticeSession)
class PracticeSessionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "learner", "mode", "item_count", "created_at", "deadline", "finished_at")
    inlines = [SessionItemInline]
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


@admin.register(DailyPlan)
class DailyPlanAdmin(ReadOnlyAdmin):
    list_display = ("day", "learner", "goal", "item_count", "built_at", "reminded_at")
    list_filter = ("day",)
    search_fields = ("learner__username",)
    list_select_related = ("learner",)
    fields = (
        "learner",
        "day",
        "goal",
        "built_at",
        "session",
        "reminded_at",
        "planned_reviews",
        "planned_new",
    )
    readonly_fields = fields

    @admin.display(description="items")
    def item_count(self, plan: DailyPlan) -> int:
        return len(plan.question_ids)

    @admin.display(description="due reviews, most forgotten first")
    def planned_reviews(self, plan: DailyPlan) -> str:
        return _questions(plan.review_ids)

    @admin.display(description="new items")
    def planned_new(self, plan: DailyPlan) -> str:
        return _questions(plan.new_ids)


def _questions(ids: list[int]) -> str:
    """Return the questions as an HTML list of links to their admin pages, in the given order."""
    if not ids:
        return "-"
    questions = Question.objects.in_bulk(ids)
    return format_html(
        "<ol>{}</ol>",
        format_html_join(
            "",
            '<li><a href="{}">{}</a></li>',
            (
                (reverse("admin:quizbank_question_change", args=[pk]), questions[pk])
                if pk in questions
                else ("#", f"question {pk} (deleted)")
                for pk in ids
            ),
        ),
    )


@admin.register(Mark)
class MarkAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "learner", "question")
    search_fields = ("learner__username",)
    list_select_related = ("learner", "question")


@admin.register(Note)
class NoteAdmin(ReadOnlyAdmin):
    """Which notes exist, not what they say: a note is the student's private study text, and the
    student alone reads it (their data export includes it)."""

    list_display = ("updated_at", "learner", "question")
    fields = ("learner", "question", "updated_at")
    readonly_fields = fields
    search_fields = ("learner__username",)
    list_select_related = ("learner", "question")
