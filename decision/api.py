"""The decision endpoint: POST a case, get the model's answer and every option's verdict."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from decision import engine
from decision.case_serializers import case_serializer
from decision.engine import CaseError, DecisionModel, decide, model_ids
from decision.engine.cases import ROOT
from decision.engine.registry import LATEST
from quizbank.api import GuidelineSerializer


class CanAuthor(permissions.BasePermission):
    """Instructors and admins: decisions reveal answer keys, so students get 403."""

    message = "Only instructors and admins use the decision API."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user.is_authenticated and user.has_perm("learners.author_questions"))


class ReasonSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    params = serializers.DictField()


class OptionVerdictSerializer(serializers.Serializer[Any]):
    id = serializers.CharField()
    verdict = serializers.ChoiceField(["preferred", "acceptable", "not_preferred", "avoid"])
    rank = serializers.IntegerField(min_value=1)
    explanation = serializers.CharField()
    reasons = ReasonSerializer(many=True)


class DecisionSerializer(serializers.Serializer[Any]):
    model = serializers.CharField()
    guideline = GuidelineSerializer(help_text="Which guideline, version and date this follows.")
    answer = serializers.CharField(allow_null=True)
    reason = serializers.CharField(required=False, help_text="Only when answer is null.")
    findings = serializers.DictField()
    options = OptionVerdictSerializer(many=True)
    key_point = serializers.CharField()
    pearl = serializers.CharField()
    mechanism = serializers.CharField(allow_blank=True)
    citations = serializers.ListField(child=serializers.CharField())


class CaseErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    field = serializers.CharField()


class DecideSchema(AutoSchema):
    """The decide operation as documented for one model (see `one_operation_per_model`)."""

    def documented_model(self) -> DecisionModel | None:
        """Return the default version of the model this operation documents, if any."""
        model_id = getattr(self.view, "documented_model", "")
        return engine.model(model_id) if model_id else None

    def get_request_serializer(self) -> Any:
        chosen = self.documented_model()
        # A model still written in Python has no schema: its case is any JSON object.
        if chosen is None or not chosen.fields:
            return OpenApiTypes.OBJECT
        return case_serializer(chosen)

    def get_examples(self) -> list[OpenApiExample]:
        chosen = self.documented_model()
        if chosen is None or chosen.example is None:
            return []
        return [
            OpenApiExample(
                "Example case",
                value=dict(chosen.example),
                summary=f"A case for {chosen.guideline.title}",
                request_only=True,
            )
        ]

    def get_description(self) -> str:  # type: ignore[override]
        chosen = self.documented_model()
        if chosen is None:
            return super().get_description()
        schema = (
            "The body is this model's case, listing the offered options (the schema of its "
            "default version; the versions of a guideline folder share it)."
            if chosen.fields
            else "This model does not describe its case with a schema yet: see its documentation."
        )
        return f"Decide a case with {chosen.guideline.title} ({chosen.model_id}). {schema}"

    def get_override_parameters(self) -> list[Any]:
        chosen = self.documented_model()
        versions = engine.model_versions(chosen.model_id) if chosen is not None else []
        listed = "; ".join(
            f"{v.version}: {v.guideline.title} ({v.guideline.status}, "
            f"{v.guideline.published or 'undated'})"
            for v in versions
        )
        return [
            OpenApiParameter(
                "version",
                str,
                enum=[v.version for v in versions] + [LATEST] if versions else None,
                description="A version of the model, or latest (the newest published); the "
                "model's default version when left out."
                + (f" Versions: {listed}." if listed else ""),
            )
        ]


class DecideView(APIView):
    """Evaluate a case with a decision model."""

    permission_classes = [CanAuthor]
    parser_classes = [JSONParser]
    schema = DecideSchema()
    # Set only on the copies of this view that document one model (one_operation_per_model).
    documented_model = ""

    @extend_schema(
        responses={
            200: DecisionSerializer,
            400: OpenApiResponse(
                CaseErrorSerializer,
                description="The case is malformed JSON, or a case field is missing, unknown, out "
                "of range or contradicts another; `field` names it.",
            ),
            403: OpenApiResponse(description="Students may not use decision models."),
            404: OpenApiResponse(description="No decision model has this id."),
        },
    )
    def post(self, request: Request, model_id: str) -> Response:
        if model_id not in model_ids():
            raise NotFound(f"Unknown decision model {model_id!r}; known: {', '.join(model_ids())}.")
        version = request.query_params.get("version", "")
        try:
            case = request.data
        except ParseError as error:
            # Named as the whole case, as `manage.py decide` names malformed JSON: every 400 of
            # this endpoint has the documented body.
            return case_error_response(CaseError(ROOT, None, str(error.detail)))
        try:
            result = decide(f"{model_id}@{version}" if version else model_id, case)
        except CaseError as error:
            return case_error_response(error)
        return Response(result)


def case_error_response(error: CaseError) -> Response:
    """Return the 400 that names the field, with the words `manage.py decide` prints."""
    return Response(
        {"detail": str(error), "field": error.field}, status=status.HTTP_400_BAD_REQUEST
    )


Endpoint = tuple[str, str, str, Callable[..., Any]]


def one_operation_per_model(endpoints: list[Endpoint]) -> list[Endpoint]:
    """Document `POST /api/v1/decision/<model>/` once per registered model (a drf-spectacular
    preprocessing hook, named in settings.SPECTACULAR_SETTINGS).

    One path per model, rather than one path whose body is a oneOf of every model's case: a
    client then sees which case schema, example and versions go with which model, and a
    generated client gets one typed call per model. Routing keeps the one URL pattern, so an
    unknown model is still a 404 naming the known ones.
    """
    documented: list[Endpoint] = []
    for path, path_regex, method, callback in endpoints:
        if getattr(callback, "cls", None) is not DecideView:
            documented.append((path, path_regex, method, callback))
            continue
        for model_id in model_ids():
            documented.append(
                (
                    path.replace("{model_id}", model_id),
                    re.sub(r"\(\?P<model_id>[^)]*\)", re.escape(model_id), path_regex),
                    method,
                    DecideView.as_view(documented_model=model_id),
                )
            )
    return documented
