"""One place that turns domain errors into API responses (400, 403, 409)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.bad_requests import TOO_MANY, refusal
from learners.practice import PracticeError
from quizbank.services import WorkflowError

# Django raises these while DRF reads the body; answered as `config.bad_requests` does.
REFUSED_REQUESTS = (RequestDataTooBig, *TOO_MANY)


def exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    """Extend DRF's handler with the platform's domain errors."""
    if isinstance(error, REFUSED_REQUESTS):
        code, refused = refusal(error)
        return Response(refused, status=code)
    if isinstance(error, DjangoValidationError):
        if hasattr(error, "error_dict"):
            body: Any = {
                field: [str(m) for m in errors.messages]
                for field, errors in (
                    (f, DjangoValidationError(e)) for f, e in error.error_dict.items()
                )
            }
        else:
            body = {"non_field_errors": error.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(error, WorkflowError | PracticeError):
        return Response(
            {"detail": error.message, "code": error.code}, status=status.HTTP_409_CONFLICT
        )
    return drf_exception_handler(error, context)
