from django.urls import path

from quizbank.views import authoring as views

urlpatterns = [
    path("", views.authoring_home, name="authoring-home"),
]
