"""A student's own records: marks, private notes, problem reports and progress figures."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from learners.api.access import PRACTICE_PERMISSIONS, learner_of
from learners.api.sessions import INVALID, SessionSummarySerializer
from learners.models import (
    Mark,
    Note,
)
from learners.practice import (
    questions_met_by,
    report_problem,
    save_note,
    set_mark,
)
from learners.progress import progress_summary
from quizbank.api_input import InputSerializer
from quizbank.ids import ID_PATTERN, IdField
from quizbank.models import ProblemReport, Question


def _met_question(request: Request, question_id: str) -> Question:
    """Return a question the student has been given in a session, else 404."""
    question = questions_met_by(learner_of(request)).filter(pk=question_id).first()
    if question is None:
        raise NotFound("You have not met this question in a session.")
    return question


class MarkSerializer(serializers.ModelSerializer[Mark]):
    class Meta:
        model = Mark
        fields = ["question", "created_at"]


class NoteSerializer(serializers.ModelSerializer[Note]):
    class Meta:
        model = Note
        fields = ["question", "text", "updated_at"]


class NoteRequestSerializer(InputSerializer):
    text = serializers.CharField(allow_blank=True, help_text="Empty text deletes the note.")


MET_QUESTION = OpenApiParameter(
    "question_id", int, OpenApiParameter.PATH, description="A question met in a session."
)


@extend_schema(tags=["practice"])
class MarkViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Mark]):
    """Questions the student marked for review, newest first; PUT marks, DELETE unmarks."""

    permission_classes = PRACTICE_PERMISSIONS
    serializer_class = MarkSerializer
    queryset = Mark.objects.none()
    lookup_url_kwarg = "question_id"
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Mark]:
        return learner_of(self.request).marks.all()

    @extend_schema(
        request=None,
        responses={200: MarkSerializer, 201: MarkSerializer},
        parameters=[MET_QUESTION],
    )
    def update(self, request: Request, question_id: str) -> Response:
        question = _met_question(request, question_id)
        was_marked = self.get_queryset().filter(question=question).exists()
        set_mark(learner=learner_of(request), question=question, is_marked=True)
        mark = self.get_queryset().get(question=question)
        return Response(MarkSerializer(mark).data, status=200 if was_marked else 201)

    @extend_schema(responses={204: None}, parameters=[MET_QUESTION])
    def destroy(self, request: Request, question_id: str) -> Response:
        question = _met_question(request, question_id)
        set_mark(learner=learner_of(request), question=question, is_marked=False)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["practice"])
class NoteViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Note]):
    """The student's private notes on questions, last edited first."""

    permission_classes = PRACTICE_PERMISSIONS
    serializer_class = NoteSerializer
    queryset = Note.objects.none()
    lookup_url_kwarg = "question_id"
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Note]:
        return learner_of(self.request).notes.all()

    @extend_schema(
        request=NoteRequestSerializer,
        responses={200: NoteSerializer, 201: NoteSerializer, 204: None, 400: INVALID},
        parameters=[MET_QUESTION],
    )
    def update(self, request: Request, question_id: str) -> Response:
        question = _met_question(request, question_id)
        given = NoteRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        existed = self.get_queryset().filter(question=question).exists()
        note = save_note(
            learner=learner_of(request),
            question=question,
            text=given.validated_data["text"],
            now=timezone.now(),
        )
        if note is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(NoteSerializer(note).data, status=200 if existed else 201)

    @extend_schema(responses={204: None}, parameters=[MET_QUESTION])
    def destroy(self, request: Request, question_id: str) -> Response:
        question = _met_question(request, question_id)
        save_note(learner=learner_of(request), question=question, text="", now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


class MetQuestionField(serializers.PrimaryKeyRelatedField[Question]):
    def get_queryset(self) -> QuerySet[Question]:
        return questions_met_by(learner_of(self.context["request"]))


class ProblemReportRequestSerializer(InputSerializer):
    question = MetQuestionField(
        queryset=Question.objects.all(),
        pk_field=IdField(),
        help_text="A question met in a session.",
    )
    text = serializers.CharField(allow_blank=True, help_text="What is wrong with it.")


class ProblemReportSerializer(serializers.ModelSerializer[ProblemReport]):
    class Meta:
        model = ProblemReport
        fields = ["id", "question", "text", "created_at"]


@extend_schema(tags=["practice"])
class ProblemReportViewSet(viewsets.GenericViewSet[ProblemReport]):
    """Report a problem with a question to the instructors' review queue."""

    permission_classes = PRACTICE_PERMISSIONS
    serializer_class = ProblemReportSerializer
    queryset = ProblemReport.objects.none()

    @extend_schema(
        request=ProblemReportRequestSerializer,
        responses={201: ProblemReportSerializer, 400: INVALID},
    )
    def create(self, request: Request) -> Response:
        given = ProblemReportRequestSerializer(data=request.data, context={"request": request})
        given.is_valid(raise_exception=True)
        report = report_problem(
            learner=learner_of(request),
            question=given.validated_data["question"],
            text=given.validated_data["text"],
        )
        return Response(ProblemReportSerializer(report).data, status=201)


class TopicProgressSerializer(serializers.Serializer[Any]):
    topic_id = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]
    answered = serializers.IntegerField()
    correct = serializers.IntegerField()
    percent_correct = serializers.FloatField()


class DayProgressSerializer(serializers.Serializer[Any]):
    day = serializers.DateField()
    answered = serializers.IntegerField()
    correct = serializers.IntegerField()


class QuestionNoteSerializer(serializers.Serializer[Any]):
    question_id = serializers.IntegerField()
    lead_in = serializers.CharField()
    topic = serializers.CharField()
    text = serializers.CharField()
    at = serializers.DateTimeField()


class ProgressSerializer(serializers.Serializer[Any]):
    answered = serializers.IntegerField()
    correct = serializers.IntegerField()
    percent_correct = serializers.FloatField(allow_null=True)
    topics = TopicProgressSerializer(many=True, help_text="Weakest first.")
    trend = DayProgressSerializer(many=True, help_text="One entry per day, oldest first.")
    percentile = serializers.FloatField(
        allow_null=True, help_text="Against other students on the same items, first attempts."
    )
    peers = serializers.IntegerField()
    marked = QuestionNoteSerializer(many=True)
    notes = QuestionNoteSerializer(many=True)
    unfinished = SessionSummarySerializer(many=True, help_text="Newest first.")
    recent = SessionSummarySerializer(many=True, help_text="The last finished, newest first.")


@extend_schema(tags=["practice"])
class ProgressView(APIView):
    """The student's dashboard figures."""

    permission_classes = PRACTICE_PERMISSIONS

    @extend_schema(responses={200: ProgressSerializer})
    def get(self, request: Request) -> Response:
        now = timezone.now()
        progress = progress_summary(learner=learner_of(request), now=now)
        return Response(ProgressSerializer(progress, context={"now": now}).data)
