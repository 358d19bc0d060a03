"""Account pages: the landing page, sign-up, and each role's home."""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import FormView

from learners.forms import SignUpForm
from learners.models import User
from learners.roles import Role
from learners.services import register_student

ROLE_HOMES = {
    Role.STUDENT: "practice-dashboard",
    Role.INSTRUCTOR: "authoring-home",
    Role.ADMIN: "admin:index",
}


def home(request: HttpRequest) -> HttpResponse:
    """Show the landing page, or send a signed-in user to their role's home."""
    if isinstance(request.user, User):
        return redirect(ROLE_HOMES[request.user.role])
    return render(request, "learners/landing.html")


class SignUpView(FormView[SignUpForm]):
    template_name = "registration/signup.html"
    form_class = SignUpForm

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if request.user.is_authenticated:
            return redirect("home")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: SignUpForm) -> HttpResponse:
        user = register_student(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
        )
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(reverse("home"))
