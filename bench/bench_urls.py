"""The platform's URLs plus the benchmark's baselines: a bare Django view returning a little JSON,
and the least a token-authenticated DRF endpoint can do (the floor of any API endpoint)."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

BARE_PATH = "bench/bare/"
FLOOR_PATH = "bench/drf/"


# Exempt from CSRF so that the baseline takes the very POST the answer endpoint takes.
@csrf_exempt
def bare(request: HttpRequest) -> JsonResponse:
    """Return a small JSON object without touching the database."""
    return JsonResponse({"recorded": True})


class DrfFloor(APIView):
    """Authenticate the token (the platform's DRF settings), then answer without more work."""

    def post(self, request: Request) -> Response:
        return Response({"recorded": True})


urlpatterns = [
    path(BARE_PATH, bare, name="bench-bare"),
    path(FLOOR_PATH, DrfFloor.as_view(), name="bench-drf-floor"),
    path("", include("config.urls")),
]
