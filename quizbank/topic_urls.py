"""URLs under /topics/: the topic list and evidence summaries."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
