"""REST endpoints of the question bank, for instructors and admins (students get 403)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from learners.models import User
from quizbank import retirement, services
from quizbank.api_input import InputSerializer
from quizbank.content import EXPLANATION_FIELDS, OptionContent, QuestionContent, ReferenceContent
from quizbank.filters import QuestionFilter
from quizbank.ids import ID_PATTERN, IdField
from quizbank.models import (
    Question,
    QuestionImage,
    RetirementRequest,
    Status,
    Topic,
    topic_labels,
)


class IsAuthor(permissions.BasePermission):
    """Instructors and admins; students meet questions only through practice sessions."""

    message = "Only instructors and admins use the question bank API."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user.is_authenticated and user.has_perm("learners.author_questions"))


class GuidelineSerializer(serializers.Serializer[Any]):
    """Which guideline, version and date a decision follows (a decision's `guideline`, and the
    `follows` of a question's guideline snapshot)."""

    id = serializers.CharField()
    version = serializers.CharField()
    title = serializers.CharField()
    # A plain string: a ChoiceField would clash with the bank's status enum by name.
    status = serializers.CharField(help_text="teaching (a teaching framework) or guideline.")
    published = serializers.CharField(allow_null=True, help_text="ISO date; null if undated.")
    sources = serializers.ListField(child=serializers.CharField())


class OptionSerializer(InputSerializer):
    id = IdField(required=False, allow_null=True)
    text = serializers.CharField(trim_whitespace=False)
    is_correct = serializers.BooleanField(default=False)
    why_not = serializers.CharField(allow_blank=True, default="")


class ReferenceSerializer(InputSerializer):
    citation = serializers.CharField(allow_blank=True)
    url = serializers.CharField(allow_blank=True, default="")


class ImageSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    alt_text = serializers.CharField(read_only=True)

    def get_url(self, image: QuestionImage) -> str:
        return reverse("question-image", args=[image.pk])


class ExplanationSerializer(InputSerializer):
    key_point = serializers.CharField(allow_blank=True, default="")
    why_correct = serializers.CharField(allow_blank=True, default="")
    high_yield = serializers.CharField(allow_blank=True, default="")
    mechanism = serializers.CharField(allow_blank=True, default="")
    pearl = serializers.CharField(allow_blank=True, default="")
    mnemonic = serializers.CharField(allow_blank=True, default="")
    evidence = serializers.CharField(allow_blank=True, default="")


class QuestionSerializer(serializers.ModelSerializer[Question]):
    """A question as instructors see it: key, explanations and decision case included."""

    topic_label = serializers.SerializerMethodField()
    type = serializers.CharField(source="question_type")
    options = OptionSerializer(many=True)
    explanation = serializers.SerializerMethodField()
    references = ReferenceSerializer(many=True)
    images = ImageSerializer(many=True, read_only=True)
    tags = serializers.SlugRelatedField[Any](many=True, read_only=True, slug_field="name")
    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = Question
        fields = [
            "id", "name", "topic", "topic_label", "type", "stem", "lead_in",
            "shuffle_options", "options", "explanation", "references", "images", "tags",
            "difficulty",
            "status", "author", "decision_model", "decision_case", "created_at", "updated_at",
            "published_at",
        ]  # fmt: skip

    def get_topic_label(self, question: Question) -> str:
        labels: dict[int, str] = self.context.get("topic_labels") or topic_labels([question.topic])
        return labels[question.topic_id]

    @extend_schema_field(ExplanationSerializer)
    def get_explanation(self, question: Question) -> dict[str, str]:
        return {key: getattr(question, key) for key in EXPLANATION_FIELDS}


class QuestionWriteSerializer(InputSerializer):
    """What a client sends to create or change a question's content."""

    topic = serializers.PrimaryKeyRelatedField(
        queryset=Topic.objects.all(), required=False, pk_field=IdField()
    )
    topic_path = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Names from the root."
    )
    name = serializers.CharField(allow_blank=True, default="")
    type = serializers.ChoiceField(choices=Question.Type.choices, default=Question.Type.SINGLE)
    stem = serializers.CharField(allow_blank=True)
    lead_in = serializers.CharField(allow_blank=True)
    shuffle_options = serializers.BooleanField(default=True)
    options = OptionSerializer(many=True)
    explanation = ExplanationSerializer(required=False)
    references = ReferenceSerializer(many=True, default=list)
    tags = serializers.ListField(child=serializers.CharField(), default=list)
    difficulty = serializers.FloatField(default=0.0)
    decision_model = serializers.CharField(allow_blank=True, default="")
    decision_case = serializers.JSONField(allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "topic" not in attrs and not attrs.get("topic_path"):
            raise serializers.ValidationError({"topic": ["Give a topic id or a topic_path."]})
        return attrs

    def to_content(self) -> QuestionContent:
        data = self.validated_data
        topic: Topic | None = data.get("topic")
        return QuestionContent(
            topic_path=topic.names() if topic else data["topic_path"],
            name=data["name"],
            question_type=data["type"],
            stem=data["stem"],
            lead_in=data["lead_in"],
            shuffle_options=data["shuffle_options"],
            options=[OptionContent(**option) for option in data["options"]],
            explanation=dict(data.get("explanation") or {}),
            references=[ReferenceContent(**reference) for reference in data["references"]],
            tags=data["tags"],
            difficulty=data["difficulty"],
            decision_model=data["decision_model"],
            decision_case=data["decision_case"],
        )


class RetirementRequestInputSerializer(InputSerializer):
    reason = serializers.CharField(help_text="Why the question should leave practice.")


class RetirementRequestSerializer(serializers.ModelSerializer[RetirementRequest]):
    class Meta:
        model = RetirementRequest
        fields = ["id", "question", "requested_by", "reason", "created_at"]


class StatusChangeSerializer(InputSerializer):
    status = serializers.ChoiceField(choices=Status.choices)
    comment = serializers.CharField(allow_blank=True, default="")


def change_status(*, question: Question, by: User, to: str, comment: str) -> None:
    """Apply the workflow step that leads to status `to`."""
    if to == Status.IN_REVIEW:
        services.submit_for_review(question=question, by=by, comment=comment)
    elif to == Status.PUBLISHED:
        services.publish_question(question=question, by=by, comment=comment)
    elif to == Status.RETIRED:
        services.retire_question(question=question, by=by, comment=comment)
    elif question.status == to:
        return
    else:
        services.request_changes(question=question, by=by, comment=comment)


@extend_schema(tags=["question bank"])
class QuestionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Question],
):
    """Questions of the bank. PATCH {"status": ...} moves one through the review workflow."""

    permission_classes = [permissions.IsAuthenticated, IsAuthor]
    serializer_class = QuestionSerializer
    filterset_class = QuestionFilter
    queryset = Question.objects.with_full_content().order_by("-updated_at", "-id")
    lookup_value_regex = ID_PATTERN

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "topic_labels": None}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        questions = page if page is not None else []
        labels = topic_labels({q.topic for q in questions})
        data = QuestionSerializer(
            questions, many=True, context={**self.get_serializer_context(), "topic_labels": labels}
        ).data
        return self.get_paginated_response(data)

    @extend_schema(request=QuestionWriteSerializer, responses={201: QuestionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = QuestionWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        question = services.create_question(content=given.to_content(), by=self._user())
        return Response(self._present(question.pk), status=201)

    @extend_schema(request=QuestionWriteSerializer, responses={200: QuestionSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        question = self.get_object()
        given = QuestionWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.update_question(question=question, content=given.to_content(), by=self._user())
        return Response(self._present(question.pk))

    @extend_schema(
        request=StatusChangeSerializer,
        responses={
            200: QuestionSerializer,
            400: OpenApiResponse(description="The question breaks a validation rule."),
            403: OpenApiResponse(description="This user may not take this step."),
            409: OpenApiResponse(description="The workflow does not allow this step now."),
        },
        description="Change the status: in_review (submit), published, retired (its author or "
        "an admin; others POST a retirement request), or draft (request changes, with a comment).",
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        question = self.get_object()
        given = StatusChangeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        change_status(
            question=question,
            by=self._user(),
            to=given.validated_data["status"],
            comment=given.validated_data["comment"],
        )
        return Response(self._present(question.pk))

    @extend_schema(
        request=RetirementRequestInputSerializer,
        responses={
            201: RetirementRequestSerializer,
            400: OpenApiResponse(description="The reason is missing or too long."),
            409: OpenApiResponse(
                description="Not published, already asked, or yours to retire yourself."
            ),
        },
        description="Ask the author (or an admin) to retire a published question: the request "
        "waits in their review queue.",
    )
    @action(detail=True, methods=["post"], url_path="retirement-requests")
    def retirement_requests(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        question = self.get_object()
        given = RetirementRequestInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        made = retirement.request_retirement(
            question=question,
            by=self._user(),
            reason=given.validated_data["reason"],
            now=timezone.now(),
        )
        return Response(RetirementRequestSerializer(made).data, status=201)

    def _user(self) -> User:
        return cast(User, self.request.user)

    def _present(self, pk: int) -> dict[str, Any]:
        question = self.get_queryset().get(pk=pk)
        return dict(QuestionSerializer(question, context=self.get_serializer_context()).data)


class TopicSerializer(serializers.ModelSerializer[Topic]):
    # DRF stores declared fields apart from the class, so these names do not clash at run time;
    # the stubs see Field.label and Field.parent.
    label = serializers.SerializerMethodField()  # type: ignore[assignment]
    parent = serializers.SerializerMethodField()  # type: ignore[assignment]
    question_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Topic
        fields = ["id", "name", "label", "depth", "parent", "question_count"]

    def get_label(self, topic: Topic) -> str:
        labels: dict[int, str] = self.context["topic_labels"]
        return labels[topic.pk]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_parent(self, topic: Topic) -> int | None:
        parents: dict[str, int] = self.context["ids_by_path"]
        return parents.get(topic.path[: -Topic.steplen]) if topic.depth > 1 else None


@extend_schema(tags=["question bank"])
class TopicViewSet(viewsets.ReadOnlyModelViewSet[Topic]):
    """The topic tree, in tree order, with each topic's own number of questions."""

    permission_classes = [permissions.IsAuthenticated, IsAuthor]
    serializer_class = TopicSerializer
    pagination_class = None
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Topic]:
        topics: QuerySet[Topic] = Topic.objects.annotate(question_count=Count("questions"))
        return topics.order_by("path")

    def get_serializer_context(self) -> dict[str, Any]:
        topics = list(Topic.objects.all())
        return {
            **super().get_serializer_context(),
            "topic_labels": topic_labels(topics),
            "ids_by_path": {t.path: t.pk for t in topics},
        }
