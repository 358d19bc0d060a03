"""Admin for accounts: administrators change a person's role here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.http import HttpRequest

from learners.models import User
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
