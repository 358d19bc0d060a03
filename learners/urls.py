from django.contrib.auth import views as auth_views
from django.urls import include, path

from learners.views import accounts, dashboard

urlpatterns = [
    path("", accounts.home, name="home"),
    path("practice/", dashboard.practice_dashboard, name="practice-dashboard"),
    path("accounts/signup/", accounts.SignUpView.as_view(), name="signup"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
]
