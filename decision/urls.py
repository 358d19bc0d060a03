"""URLs of the decision module's pages, under /authoring/decision/."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
