"""Every model of the platform is reachable in the admin, and every list page opens."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from learners.models import User

pytestmark = pytest.mark.django_db

OWN_APPS = ("learners", "quizbank", "config", "audit")


def inlined() -> set[type[Any]]:
    return {
        inline.model
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    }


def test_every_model_is_registered_or_shown_inline() -> None:
    missing = [
        model._meta.label
        for app in OWN_APPS
        for model in apps.get_app_config(app).get_models()
        if model not in admin.site._registry and model not in inlined()
    ]

    assert missing == []


@pytest.mark.parametrize(
    "model",
    [
        model
        for app in OWN_APPS
        for model in apps.get_app_config(app).get_models()
        if model in admin.site._registry
    ],
    ids=lambda model: model._meta.label,
)
def test_each_list_page_opens_for_an_admin_and_searches(
    model: Any, admin_user: User, client_for: Any
) -> None:
    client = client_for(admin_user)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

    assert client.get(url).status_code == 200
    if admin.site._registry[model].search_fields:
        assert client.get(url, {"q": "anything"}).status_code == 200
