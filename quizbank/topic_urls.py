"""URLs under /topics/: the topic list and evidence summaries."""

from django.urls import URLPattern, URLResolver, path

from quizbank.views import topics as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.topic_list, name="topic-list"),
    path("<id:pk>/", views.topic_detail, name="topic-detail"),
    path("<id:pk>/summary/edit/", views.summary_edit, name="topic-summary-edit"),
    path("<id:pk>/summary/status/", views.summary_status, name="topic-summary-status"),
    path("<id:pk>/summary/history/", views.summary_history, name="topic-summary-history"),
]
