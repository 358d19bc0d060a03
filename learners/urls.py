from django.contrib.auth import views as auth_views
from django.urls import include, path

from learners.views import account, accounts, dashboard, practice, settings

item = "practice/sessions/<id:pk>/items/<id:number>/"

urlpatterns = [
    path("", accounts.home, name="home"),
    path("practice/", dashboard.practice_dashboard, name="practice-dashboard"),
    path("practice/plan/start/", dashboard.plan_start, name="practice-plan-start"),
    path("practice/settings/", settings.study_settings, name="study-settings"),
    path("practice/reminders/stop/<str:token>/", settings.reminders_stop, name="reminders-stop"),
    path("practice/sessions/new/", practice.session_new, name="practice-new"),
    path("practice/sessions/<id:pk>/", practice.session_resume, name="practice-session"),
    path(item, practice.item_page, name="practice-item"),
    path(f"{item}strike/", practice.item_strike, name="practice-item-strike"),
    path(f"{item}mark/", practice.item_mark, name="practice-item-mark"),
    path(f"{item}note/", practice.item_note, name="practice-item-note"),
    path(f"{item}report/", practice.item_report, name="practice-item-report"),
    path("practice/sessions/<id:pk>/finish/", practice.session_finish, name="practice-finish"),
    path("practice/sessions/<id:pk>/results/", practice.session_results, name="practice-results"),
    path("accounts/signup/", accounts.SignUpView.as_view(), name="signup"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/data/", account.personal_data_download, name="account-data"),
    path("accounts/erase/", account.account_erase, name="account-erase"),
    path("accounts/", include("django.contrib.auth.urls")),
]
