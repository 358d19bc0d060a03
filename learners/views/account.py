"""A person's own data: download it as JSON, or erase the account after confirming the password."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from learners.models import User
from learners.personal_data import erase_personal_data, release_personal_data
from learners.services import AccountError


class SignedInRequest(HttpRequest):
    user: User


class EraseAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Type your password to confirm that you want your account erased.",
    )

    def __init__(self, *args: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        # authenticate(), not check_password(): failures count towards the log-in lockout, so
        # this form cannot be used to guess the password of a session left open.
        confirmed = authenticate(self.request, username=self.user.username, password=password)
        if confirmed is None or confirmed.pk != self.user.pk:
            raise forms.ValidationError(
                "The password is not correct; your account was not erased.",
                code="password_incorrect",
            )
        return password


def personal_data_attachment(data: dict[str, Any], *, user: User, now: datetime) -> HttpResponse:
    """Return an export as a JSON file to download."""
    filename = f"personal-data-{user.pk}-{now:%Y-%m-%d}.json"
    return HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False),
        content_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# POST only: a prefetched or crawled link must not produce (and audit) an export.
@login_required
@require_POST
def personal_data_download(request: SignedInRequest) -> HttpResponse:
    """Send the signed-in person everything the platform holds about them, as JSON."""
    now = timezone.now()
    data = release_personal_data(user=request.user, by=request.user, now=now)
    return personal_data_attachment(data, user=request.user, now=now)


@login_required
@require_http_methods(["GET", "POST"])
def account_erase(request: SignedInRequest) -> HttpResponse:
    """Ask for the password (GET), then erase the signed-in person's personal data (POST)."""
    user = request.user
    form = EraseAccountForm(
        request.POST if request.method == "POST" else None, request=request, user=user
    )
    if request.method == "POST" and form.is_valid():
        try:
            erase_personal_data(user=user, by=user, now=timezone.now())
        except AccountError as error:
            form.add_error(None, error.message)
        else:
            logout(request)
            messages.success(
                request,
                "Your account is erased: your name, e-mail, notes and marks are gone, and you "
                "cannot log in with it again.",
            )
            return redirect("home")
    return render(request, "learners/account_erase.html", {"form": form})
