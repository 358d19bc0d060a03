"""Practice sessions: build one, read it, answer its items, finish it.

Every write goes through `learners.practice`, and sessions are found only through
`PracticeSession.objects.for_learner`. A key or explanation appears in a body only once the
item is answered in tutor mode, or once the session is over."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from learners.api.access import PRACTICE_PERMISSIONS, learner_of
from learners.models import (
    Mode,
    Pool,
    PracticeSession,
    SessionItem,
    ShownOption,
)
from learners.models import Response as ResponseRow
from learners.practice import (
    DEFAULT_SECONDS_PER_ITEM,
    MAX_ITEMS,
    close_if_expired,
    explanation,
    find_topics,
    finish_session,
    option_share_counts,
    option_shares,
    practice_pool,
    record_answer,
    start_session,
)
from quizbank.api import GuidelineSerializer
from quizbank.api_input import InputSerializer
from quizbank.ids import ID_PATTERN, IdField


# What a student sees of an item before answering it: never the key or the explanation.
class PracticeOptionSerializer(serializers.Serializer[ShownOption]):
    id = serializers.CharField(
        source="token",
        help_text="This item's name for the option: post it to answer. It says nothing of the "
        "key and differs from session to session.",
    )
    letter = serializers.CharField()
    text = serializers.CharField(help_text="Markdown.")


class PracticeQuestionSerializer(serializers.Serializer[SessionItem]):
    """An item's question, its options in the order this session shows them."""

    id = serializers.IntegerField(source="question_id")
    stem = serializers.CharField(source="question.stem", help_text="The vignette (Markdown).")
    lead_in = serializers.CharField(source="question.lead_in")
    options = PracticeOptionSerializer(source="shown_options", many=True)


class WhyNotSerializer(serializers.Serializer[dict[str, Any]]):
    option = serializers.CharField(help_text="The option's id in this item.")
    letter = serializers.CharField()
    text = serializers.CharField()


class CitedSourceSerializer(serializers.Serializer[dict[str, Any]]):
    citation = serializers.CharField()
    url = serializers.CharField()


class CurrentGuidelineSerializer(serializers.Serializer[dict[str, Any]]):
    guideline = GuidelineSerializer(help_text="The model's newest version.")
    option = serializers.CharField(
        allow_null=True,
        help_text="The option id (in this item) it prefers; null when it leaves the case to "
        "judgement.",
    )
    explanation = serializers.CharField()
    citations = serializers.ListField(child=serializers.CharField())


class GuidelineNoteSerializer(serializers.Serializer[dict[str, Any]]):
    follows = GuidelineSerializer(help_text="The guideline version the key follows.")
    current = CurrentGuidelineSerializer(
        allow_null=True,
        help_text='The "Current guidelines" note: only where the newest version does not back '
        "the key.",
    )


class PracticeExplanationSerializer(serializers.Serializer[dict[str, Any]]):
    """The explanation sections in teaching order (Markdown); empty sections are left out."""

    key_point = serializers.CharField(required=False)
    why_correct = serializers.CharField(required=False)
    high_yield = serializers.CharField(required=False)
    mechanism = serializers.CharField(required=False)
    pearl = serializers.CharField(required=False)
    mnemonic = serializers.CharField(required=False)
    evidence = serializers.CharField(required=False)
    why_not = WhyNotSerializer(many=True)
    references = CitedSourceSerializer(many=True)
    guideline = GuidelineNoteSerializer(
        allow_null=True, help_text="For a question linked to a decision model; null otherwise."
    )


class FeedbackSerializer(serializers.Serializer[dict[str, Any]]):
    correct = serializers.BooleanField(allow_null=True, help_text="Null when not answered.")
    correct_option = serializers.CharField(allow_null=True, help_text="The key's option id.")
    explanation = PracticeExplanationSerializer()
    option_shares = serializers.DictField(
        child=serializers.FloatField(),
        help_text="By option id: the share (0 to 1) of students' first attempts choosing it.",
    )


class RecordedSerializer(serializers.Serializer[dict[str, Any]]):
    recorded = serializers.BooleanField()


class RecordedAnswerSerializer(RecordedSerializer):
    option = serializers.CharField(allow_null=True, help_text="The option id chosen.")


class ScoreSerializer(serializers.Serializer[dict[str, Any]]):
    correct = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.FloatField()


def _answer_of(item: SessionItem) -> ResponseRow | None:
    # Loaded with select_related("response"): a missing answer is cached, not queried.
    return getattr(item, "response", None)


def _score(correct: int, total: int) -> dict[str, Any]:
    return {"correct": correct, "total": total, "percent": round(100 * correct / total, 1)}


def _chosen_token(item: SessionItem) -> str | None:
    answer = _answer_of(item)
    return (
        None if answer is None or answer.option_id is None else item.option_token(answer.option_id)
    )


def _key_token(shown: Sequence[ShownOption]) -> str | None:
    return next((option.token for option in shown if option.is_correct), None)


def _feedback(
    item: SessionItem, shown: Sequence[ShownOption], shares: dict[int, float]
) -> dict[str, Any]:
    answer = _answer_of(item)
    return {
        "correct": None if answer is None else answer.is_correct,
        "correct_option": _key_token(shown),
        "explanation": explanation(item.question, shown),
        "option_shares": {option.token: shares[option.pk] for option in shown},
    }


def _is_revealed(item: SessionItem, now: datetime) -> bool:
    """Whether the item's key may be shown now: answered in tutor mode, or the session is over."""
    session = item.session
    return session.reveals_answers(now) and (_answer_of(item) is not None or session.is_over(now))


class SessionItemSerializer(serializers.Serializer[SessionItem]):
    id = serializers.IntegerField()
    position = serializers.IntegerField(help_text="0-based.")
    question = PracticeQuestionSerializer(source="*")
    answer = serializers.SerializerMethodField()
    feedback = serializers.SerializerMethodField()

    @extend_schema_field(RecordedAnswerSerializer(allow_null=True))
    def get_answer(self, item: SessionItem) -> dict[str, Any] | None:
        if _answer_of(item) is None:
            return None
        return {"option": _chosen_token(item), "recorded": True}

    @extend_schema_field(FeedbackSerializer(allow_null=True))
    def get_feedback(self, item: SessionItem) -> dict[str, Any] | None:
        now: datetime = self.context["now"]
        if not _is_revealed(item, now):
            return None
        shown = item.shown_options()
        shares = option_shares(
            item.question_id,
            [option.pk for option in shown],
            counts=self.context["share_counts"].get(item.question_id, {}),
        )
        return dict(FeedbackSerializer(_feedback(item, shown, shares)).data)


class SessionBriefSerializer(serializers.Serializer[PracticeSession]):
    id = serializers.IntegerField()
    mode = serializers.ChoiceField(choices=Mode.choices)
    filter = serializers.ChoiceField(source="pool", choices=Pool.choices)
    status = serializers.SerializerMethodField(help_text="active or finished.")
    item_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True, help_text="Timed sessions only.")
    finished_at = serializers.DateTimeField(allow_null=True)
    seconds_left = serializers.SerializerMethodField(help_text="Timed sessions only.")

    def get_status(self, session: PracticeSession) -> str:
        return "finished" if session.is_over(self.context["now"]) else "active"

    def get_seconds_left(self, session: PracticeSession) -> int | None:
        return session.seconds_left(self.context["now"])


class SessionSummarySerializer(SessionBriefSerializer):
    """A session in a list; it carries `answered_count` and `correct_count` annotations."""

    answered = serializers.IntegerField(source="answered_count")
    score = serializers.SerializerMethodField()

    @extend_schema_field(ScoreSerializer(allow_null=True))
    def get_score(self, session: Any) -> dict[str, Any] | None:
        if not session.is_over(self.context["now"]):
            return None
        return _score(session.correct_count, session.item_count)


def _items_score(session: PracticeSession) -> dict[str, Any]:
    answers = [_answer_of(item) for item in session.items.all()]
    return _score(sum(1 for a in answers if a is not None and a.is_correct), session.item_count)


class SessionDetailSerializer(SessionBriefSerializer):
    score = serializers.SerializerMethodField()
    items = SessionItemSerializer(source="items.all", many=True)

    @extend_schema_field(ScoreSerializer(allow_null=True))
    def get_score(self, session: PracticeSession) -> dict[str, Any] | None:
        return _items_score(session) if session.is_over(self.context["now"]) else None


class ResultAnswerSerializer(serializers.Serializer[dict[str, Any]]):
    option = serializers.CharField(allow_null=True, help_text="The option id chosen.")
    correct = serializers.BooleanField()


class ResultItemSerializer(serializers.Serializer[SessionItem]):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    question = PracticeQuestionSerializer(source="*")
    answer = serializers.SerializerMethodField()
    correct_option = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField()

    @extend_schema_field(ResultAnswerSerializer(allow_null=True))
    def get_answer(self, item: SessionItem) -> dict[str, Any] | None:
        answer = _answer_of(item)
        if answer is None:
            return None
        chosen = {"option": _chosen_token(item), "correct": answer.is_correct}
        return dict(ResultAnswerSerializer(chosen).data)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_correct_option(self, item: SessionItem) -> str | None:
        return _key_token(item.shown_options())

    @extend_schema_field(PracticeExplanationSerializer)
    def get_explanation(self, item: SessionItem) -> dict[str, Any]:
        return dict(
            PracticeExplanationSerializer(explanation(item.question, item.shown_options())).data
        )


class SessionResultsSerializer(serializers.Serializer[PracticeSession]):
    id = serializers.IntegerField()
    mode = serializers.ChoiceField(choices=Mode.choices)
    status = serializers.CharField()
    score = serializers.SerializerMethodField()
    duration_seconds = serializers.SerializerMethodField()
    items = ResultItemSerializer(source="items.all", many=True)

    @extend_schema_field(ScoreSerializer)
    def get_score(self, session: PracticeSession) -> dict[str, Any]:
        return _items_score(session)

    def get_duration_seconds(self, session: PracticeSession) -> int:
        end = session.finished_at or self.context["now"]
        return int((end - session.created_at).total_seconds())


class SessionRequestSerializer(InputSerializer):
    mode = serializers.ChoiceField(choices=Mode.choices)
    count = serializers.IntegerField(min_value=1, max_value=MAX_ITEMS)
    topics = serializers.ListField(child=IdField(), default=list)
    filter = serializers.ChoiceField(choices=Pool.choices, default=Pool.ALL)
    seconds_per_item = serializers.IntegerField(
        default=DEFAULT_SECONDS_PER_ITEM, help_text="Timed sessions only."
    )
    questions = serializers.ListField(
        child=IdField(),
        required=False,
        min_length=1,
        help_text="Practise these questions again (topics and filter are then ignored).",
    )


class PoolQuerySerializer(serializers.Serializer[Any]):
    topics = serializers.ListField(child=IdField(), default=list)
    filter = serializers.ChoiceField(choices=Pool.choices, default=Pool.ALL)
    mode = serializers.ChoiceField(
        choices=Mode.choices,
        default=Mode.TUTOR,
        help_text="A timed session also leaves out questions waiting in open sessions.",
    )


class PoolCountSerializer(serializers.Serializer[dict[str, int]]):
    count = serializers.IntegerField(help_text="How many questions a session could draw from.")


class SessionChangeSerializer(InputSerializer):
    # A plain string: a one-value ChoiceField would clash with the bank's status enum by name.
    status = serializers.CharField(help_text='"finished" ends the session.')
    unknown_field_message = "Only the status of a session can be changed."

    def validate_status(self, value: str) -> str:
        if value != "finished":
            raise serializers.ValidationError('A session can only be set to "finished".')
        return value


class AnswerRequestSerializer(InputSerializer):
    item = IdField()
    option = serializers.CharField(max_length=64, help_text="The option's id in this item.")
    confident = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="false when the student is unsure: a right answer then brings the question "
        "back sooner. Leave out when not asked.",
    )


ANSWER_RESULT = PolymorphicProxySerializer(
    component_name="AnswerResult",
    serializers=[FeedbackSerializer, RecordedSerializer],
    resource_type_field_name=None,
)
NOT_FOUND = OpenApiResponse(description="Not one of this student's sessions.")
SESSION_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="A session id.")
INVALID = OpenApiResponse(description="A field is invalid; the body names it.")


@extend_schema(tags=["practice"])
class PracticeSessionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[PracticeSession]):
    """The student's own practice sessions, newest first: build, answer, finish."""

    permission_classes = PRACTICE_PERMISSIONS
    serializer_class = SessionSummarySerializer
    # The schema generator reads the model here; requests go through get_queryset.
    queryset = PracticeSession.objects.none()
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[PracticeSession]:
        sessions = PracticeSession.objects.for_learner(learner_of(self.request))
        if self.action == "list":
            # An aggregate drops Meta.ordering, so the newest-first order is restated.
            return sessions.with_scores().order_by("-created_at", "-id")
        items = SessionItem.objects.select_related("question", "response").prefetch_related(
            "question__options", "question__references"
        )
        return sessions.prefetch_related(Prefetch("items", queryset=items))

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": timezone.now()}

    def _detail(self, session: PracticeSession, now: datetime) -> dict[str, Any]:
        revealed = {i.question_id for i in session.items.all() if _is_revealed(i, now)}
        context = {"now": now, "share_counts": option_share_counts(revealed) if revealed else {}}
        return dict(SessionDetailSerializer(session, context=context).data)

    @extend_schema(
        request=SessionRequestSerializer,
        responses={201: SessionDetailSerializer, 400: INVALID},
        description="Build a session. 400 names the field when no question matches.",
    )
    def create(self, request: Request) -> Response:
        given = SessionRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        now = timezone.now()
        session = start_session(
            learner=learner_of(request),
            mode=data["mode"],
            count=data["count"],
            topics=find_topics(data["topics"]),
            pool=data["filter"],
            seconds_per_item=data["seconds_per_item"],
            question_ids=data.get("questions"),
            now=now,
        )
        return Response(self._detail(self.get_queryset().get(pk=session.pk), now), status=201)

    @extend_schema(
        responses={200: SessionDetailSerializer, 404: NOT_FOUND}, parameters=[SESSION_ID]
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        session = self.get_object()
        now = timezone.now()
        close_if_expired(session, now=now)
        return Response(self._detail(session, now))

    @extend_schema(
        request=SessionChangeSerializer,
        responses={200: SessionResultsSerializer, 400: INVALID, 404: NOT_FOUND},
        parameters=[SESSION_ID],
        description='{"status": "finished"} ends the session and returns its results.',
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        session = self.get_object()
        SessionChangeSerializer(data=request.data).is_valid(raise_exception=True)
        now = timezone.now()
        finish_session(session=session, now=now)
        return Response(SessionResultsSerializer(session, context={"now": now}).data)

    @extend_schema(parameters=[PoolQuerySerializer], responses={200: PoolCountSerializer})
    @action(detail=False, methods=["get"])
    def pool(self, request: Request) -> Response:
        """Count the questions a session with these choices would draw from."""
        given = PoolQuerySerializer(data=request.query_params)
        given.is_valid(raise_exception=True)
        questions = practice_pool(
            learner=learner_of(request),
            topics=find_topics(given.validated_data["topics"]),
            pool=given.validated_data["filter"],
            now=timezone.now(),
            mode=given.validated_data["mode"],
        )
        return Response(PoolCountSerializer({"count": questions.count()}).data)

    @extend_schema(
        request=AnswerRequestSerializer,
        responses={
            201: ANSWER_RESULT,
            200: OpenApiResponse(ANSWER_RESULT, description="The same answer again."),
            400: INVALID,
            404: OpenApiResponse(description="No such item in this student's session."),
            409: OpenApiResponse(description="Already answered otherwise, or out of time."),
        },
        parameters=[SESSION_ID],
        description="Answer an item. Tutor mode returns the feedback; timed mode only "
        '{"recorded": true} until the session is over.',
    )
    @action(detail=True, methods=["post"])
    def responses(self, request: Request, pk: str) -> Response:
        given = AnswerRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        item = (
            SessionItem.objects.for_learner(learner_of(request))
            .for_answering()
            .filter(session_id=int(pk), pk=given.validated_data["item"])
            .first()
        )
        if item is None:
            raise NotFound("This session has no such item.")
        now = timezone.now()
        outcome = record_answer(
            item=item,
            option_id=item.option_id_for(given.validated_data["option"]),
            now=now,
            is_confident=given.validated_data["confident"],
        )
        code = status.HTTP_201_CREATED if outcome.is_new else status.HTTP_200_OK
        if not item.session.reveals_answers(now):
            return Response(RecordedSerializer({"recorded": True}).data, status=code)
        prefetch_related_objects([item.question], "references")
        shown = item.shown_options()
        shares = option_shares(item.question_id, [option.pk for option in shown])
        return Response(FeedbackSerializer(_feedback(item, shown, shares)).data, status=code)
