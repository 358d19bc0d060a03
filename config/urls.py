"""Top-level URLs: pages, the admin, the REST API and its schema, the health check."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from config.health import healthz
from decision.api import DecideView
from learners.api.accounts import MeView, TokenView
from learners.api.personal import MarkViewSet, NoteViewSet, ProblemReportViewSet, ProgressView
from learners.api.plans import PlanApiView, PlanSessionApiView
from learners.api.sessions import PracticeSessionViewSet
from quizbank.api import QuestionViewSet, TopicViewSet
from quizbank.views.images import question_image_file

# The split view serves Swagger UI's start-up script as a file, so no inline script is needed;
# Swagger UI does apply inline styles, allowed on this page alone (still no third-party origin).
api_docs = csp_update({"style-src": [UNSAFE_INLINE]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema")
)

router = SimpleRouter()
router.register("questions", QuestionViewSet, basename="api-question")
router.register("topics", TopicViewSet, basename="api-topic")
router.register("sessions", PracticeSessionViewSet, basename="api-session")
router.register("marks", MarkViewSet, basename="api-mark")
router.register("notes", NoteViewSet, basename="api-note")
router.register("problem-reports", ProblemReportViewSet, basename="api-problem-report")

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("progress/", ProgressView.as_view(), name="api-progress"),
    path("plan/", PlanApiView.as_view(), name="api-plan"),
    path("plan/session/", PlanSessionApiView.as_view(), name="api-plan-session"),
    path("decision/<slug:model_id>/", DecideView.as_view(), name="api-decide"),
    *router.urls,
]

# A request refused before any view (a body over the limit): JSON for the API, a page elsewhere.
handler400 = "config.bad_requests.bad_request"

urlpatterns = [
    path("", include("learners.urls")),
    path("authoring/decision/", include("decision.urls")),
    path("authoring/", include("quizbank.urls")),
    path("topics/", include("quizbank.topic_urls")),
    path("images/questions/<id:pk>/", question_image_file, name="question-image"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
]
