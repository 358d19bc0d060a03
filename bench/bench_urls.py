"""The platform's URLs plus the benchmark's baseline: a bare Django view returning a little JSON."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

BARE_PATH = "bench/bare/"


# Exempt from CSRF so that the baseline takes the very POST the answer endpoint takes.
@csrf_exempt
def bare(request: HttpRequest) -> JsonResponse:
    """Return a small JSON object without touching the database."""
    return JsonResponse({"recorded": True})


urlpatterns = [
    path(BARE_PATH, bare, name="bench-bare"),
    path("", include("config.urls")),
]
