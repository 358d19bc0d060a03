"""The decision endpoint: POST a case, get the model's answer and every option's verdict."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from decision.engine import CaseError, decide, model_ids
from decision.knowledge.rrmm_salvage import SEED_CASE


class CanAuthor(permissions.BasePermission):
    """Instructors and admins: decisions reveal answer keys, so students get 403."""

    message = "Only instructors and admins use the decision API."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user.is_authenticated and user.has_perm("learners.author_questions"))


# The serializers below document the contract only. The engine validates the case, so the API
# and `manage.py decide` give the same messages for the same mistakes.
class PriorLineSerializer(serializers.Serializer[Any]):
    agents = serializers.ListField(child=serializers.CharField(), min_length=1)
    asct = serializers.BooleanField()
    best_response = serializers.ChoiceField(["sCR", "CR", "VGPR", "PR", "MR", "SD", "PD"])
    progressed_on_therapy = serializers.BooleanField()
    days_from_last_dose_to_progression = serializers.IntegerField(min_value=0, allow_null=True)


class CaseSerializer(serializers.Serializer[Any]):
    prior_lines = PriorLineSerializer(many=True)
    months_to_relapse = serializers.FloatField(min_value=0)
    creatinine_clearance = serializers.FloatField(help_text="mL/min, greater than 0")
    neuropathy_grade = serializers.IntegerField(min_value=0, max_value=4)
    age = serializers.IntegerField(required=False, min_value=18, max_value=120)
    sex = serializers.ChoiceField(["female", "male"], required=False)
    ecog = serializers.IntegerField(required=False, min_value=0, max_value=4)
    options = serializers.ListField(child=serializers.CharField(), min_length=2)


class ReasonSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    params = serializers.DictField()


class OptionVerdictSerializer(serializers.Serializer[Any]):
    id = serializers.CharField()
    verdict = serializers.ChoiceField(["preferred", "acceptable", "not_preferred", "avoid"])
    rank = serializers.IntegerField(min_value=1)
    explanation = serializers.CharField()
    reasons = ReasonSerializer(many=True)


class GuidelineSerializer(serializers.Serializer[Any]):
    id = serializers.CharField()
    version = serializers.CharField()
    title = serializers.CharField()
    # A plain string: a ChoiceField would clash with the bank's status enum by name.
    status = serializers.CharField(help_text="teaching (a teaching framework) or guideline.")
    published = serializers.CharField(allow_null=True, help_text="ISO date; null if undated.")
    sources = serializers.ListField(child=serializers.CharField())


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


class DecideView(APIView):
    """Evaluate a case with a decision model (for example rrmm-salvage)."""

    permission_classes = [CanAuthor]
    parser_classes = [JSONParser]

    @extend_schema(
        request=CaseSerializer,
        responses={
            200: DecisionSerializer,
            400: OpenApiResponse(
                CaseErrorSerializer, description="A case field is missing, unknown or out of range."
            ),
            403: OpenApiResponse(description="Students may not use decision models."),
            404: OpenApiResponse(description="No decision model has this id."),
        },
        parameters=[
            OpenApiParameter(
                "version",
                str,
                description="A version of the model (see manage.py decide --list), or latest; "
                "the model's default version when left out.",
            )
        ],
        examples=[OpenApiExample("First relapse after VTD", value=SEED_CASE, request_only=True)],
        description="The case schema shown is that of rrmm-salvage; other models define their own.",
    )
    def post(self, request: Request, model_id: str) -> Response:
        if model_id not in model_ids():
            raise NotFound(f"Unknown decision model {model_id!r}; known: {', '.join(model_ids())}.")
        version = request.query_params.get("version", "")
        try:
            result = decide(f"{model_id}@{version}" if version else model_id, request.data)
        except CaseError as error:
            return Response(
                {"detail": str(error), "field": error.field}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response(result)
