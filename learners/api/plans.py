"""Today's plan and the forecast, and starting the plan as a tutor session."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from learners.api.access import PRACTICE_PERMISSIONS, learner_of
from learners.plans import Forecast, PlanView, forecast, plan_view, start_plan_session
from learners.practice import PracticeError


class TopicRetentionSerializer(serializers.Serializer[Any]):
    topic = serializers.IntegerField(source="topic.pk")
    name = serializers.CharField(source="topic.name")
    cards = serializers.IntegerField(help_text="Questions of the topic the student has seen.")
    retention = serializers.FloatField(help_text="Predicted chance (0 to 1) of recalling them now.")


class ForecastSerializer(serializers.Serializer[Forecast]):
    due_7_days = serializers.IntegerField()
    due_30_days = serializers.IntegerField()
    topics = TopicRetentionSerializer(many=True)


class PlanSerializer(serializers.Serializer[PlanView]):
    day = serializers.DateField(source="plan.day", help_text="The day in the student's time zone.")
    goal = serializers.IntegerField(source="plan.goal")
    reviews = serializers.IntegerField(help_text="Due reviews in the plan.")
    new = serializers.IntegerField(help_text="New questions in the plan.")
    done = serializers.IntegerField(help_text="Planned questions answered today.")
    remaining = serializers.ListField(
        child=serializers.IntegerField(), help_text="Question ids still to answer, in order."
    )


class PlanResponseSerializer(serializers.Serializer[Any]):
    plan = PlanSerializer()
    forecast = ForecastSerializer()


class PlanSessionSerializer(serializers.Serializer[Any]):
    session = serializers.IntegerField(help_text="The tutor session practising the plan.")


class PlanApiView(APIView):
    """The student's plan for today (built on demand when missing) and their forecast."""

    permission_classes = PRACTICE_PERMISSIONS

    @extend_schema(tags=["practice"], responses={200: PlanResponseSerializer})
    def get(self, request: Request) -> Response:
        learner, now = learner_of(request), timezone.now()
        body = {
            "plan": plan_view(learner=learner, now=now),
            "forecast": forecast(learner=learner, now=now),
        }
        return Response(PlanResponseSerializer(body).data)


class PlanSessionApiView(APIView):
    """The tutor session that practises today's plan."""

    permission_classes = PRACTICE_PERMISSIONS

    @extend_schema(
        tags=["practice"],
        request=None,
        responses={
            201: PlanSessionSerializer,
            409: OpenApiResponse(description="Every planned question is answered already."),
        },
        description="Start today's plan as a tutor session, or return the one already running.",
    )
    def post(self, request: Request) -> Response:
        session = start_plan_session(learner=learner_of(request), now=timezone.now())
        if session is None:
            raise PracticeError("Today's plan is done.", code="plan_done")
        return Response(
            PlanSessionSerializer({"session": session.pk}).data, status=status.HTTP_201_CREATED
        )
