from django.urls import path

from quizbank import views

urlpatterns = [
    path("", views.authoring_home, name="authoring-home"),
]
