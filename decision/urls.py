"""URLs of the decision module's pages, under /authoring/decision/."""

from django.urls import URLPattern, URLResolver, path

from decision import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("generate/", views.generate, name="decision-generate"),
    path("questions/<id:pk>/case/", views.question_case, name="decision-question-case"),
]
