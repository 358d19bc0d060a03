"""Forms of the account pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import UserCreationForm, UsernameField

from learners.models import User


class SignUpForm(UserCreationForm[User]):
    email = forms.EmailField(
        required=True, help_text="Used only to reset your password and send study reminders."
    )

    class Meta:
        model = User
        fields = ("username", "email")
        field_classes = {"username": UsernameField}

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this e-mail address already exists.", code="duplicate_email"
            )
        return email
