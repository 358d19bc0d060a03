"""Requests Django refuses before a view runs (a body over the size limit, too many fields, a
malformed header): the API answers in its own JSON error shape, the pages with a readable page."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

TOO_MANY = (TooManyFieldsSent, TooManyFilesSent)


def refusal(exception: Exception | None) -> tuple[int, dict[str, object]]:
    """Return the status and the API error body for a request refused as `exception`."""
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return 413, {
            "detail": f"The request body is larger than the limit of {limit} bytes.",
            "code": "too_large",
            "limit_bytes": limit,
        }
    if isinstance(exception, TOO_MANY):
        return 400, {"detail": "The request has too many fields or files.", "code": "too_many"}
    return 400, {"detail": "The request could not be read.", "code": "bad_request"}


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's handler400: JSON under /api/, a page that says what went wrong elsewhere."""
    status, body = refusal(exception)
    if request.path.startswith("/api/"):
        return JsonResponse(body, status=status)
    return render(request, "400.html", {"reason": body["detail"]}, status=status)
