"""Topic list and evidence summary pages: students read published summaries, instructors write
them and take them through the review workflow."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from reversion.models import Version

from learners.models import User
from quizbank import access, services
from quizbank.models import Question, Status, Topic, TopicSummary
from quizbank.summary_forms import SummaryEditor

PRACTISE = "learners.practise_questions"
AUTHOR = "learners.author_questions"


@dataclass
class TopicEntry:
    """A topic in the tree, with what the list shows about it."""

    topic: Topic
    question_count: int = 0
    summary_status: str | None = None
    children: list[TopicEntry] = field(default_factory=list)

    @property
    def has_published_summary(self) -> bool:
        return self.summary_status == Status.PUBLISHED

    @property
    def summary_status_label(self) -> str:
        return Status(self.summary_status).label if self.summary_status else ""


@dataclass
class SummaryAction:
    to: str
    label: str


def _signed_in(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied("Log in first.")
    return request.user


def topic_tree() -> list[TopicEntry]:
    """Return the root topics with their subtrees, counts and summary states, in two queries."""
    topics = Topic.objects.get_tree().annotate(summary_status=F("summary__status"))
    entries = {
        topic.path: TopicEntry(topic, summary_status=topic.summary_status) for topic in topics
    }
    direct = Counter(
        dict(
            Question.objects.published()
            .values_list("topic_id")
            .annotate(count=Count("pk"))
            .values_list("topic_id", "count")
        )
    )
    step = Topic.steplen
    roots: list[TopicEntry] = []
    for path, entry in entries.items():
        # A question counts for its own topic and for every topic above it.
        for end in range(step, len(path) + 1, step):
            entries[path[:end]].question_count += direct[entry.topic.pk]
        parent = entries.get(path[:-step])
        (parent.children if parent else roots).append(entry)
    return roots


@login_required
@permission_required(PRACTISE, raise_exception=True)
@require_GET
def topic_list(request: HttpRequest) -> HttpResponse:
    """Show the topic tree with question counts and links to published evidence summaries."""
    is_author = access.is_author(_signed_in(request))
    return render(
        request, "quizbank/topics/topic_list.html", {"tree": topic_tree(), "is_author": is_author}
    )


def summary_actions(user: User, summary: TopicSummary) -> list[SummaryAction]:
    """Return the status changes `user` may make to `summary`, as buttons."""
    return [
        SummaryAction(to, label) for to, label in services.summary_moves(summary=summary, by=user)
    ]


@login_required
@permission_required(PRACTISE, raise_exception=True)
@require_GET
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a topic and its evidence summary: published only for students, any for authors."""
    user = _signed_in(request)
    topic = get_object_or_404(Topic, pk=pk)
    ancestors = list(Topic.objects.get_ancestors(topic))
    is_author = access.is_author(user)
    summary = TopicSummary.objects.filter(topic=topic).prefetch_related("references").first()
    if summary is not None and not is_author and summary.status != Status.PUBLISHED:
        summary = None
    context = {
        "topic": topic,
        "ancestors": ancestors,
        "label": " > ".join([a.name for a in ancestors] + [topic.name]),
        "question_count": Question.objects.published().in_topic(topic).count(),
        "summary": summary,
        "is_author": is_author,
        "can_edit": is_author and (summary is None or access.can_edit(user, summary)),
        "actions": summary_actions(user, summary) if summary and is_author else [],
    }
    return render(request, "quizbank/topics/topic_detail.html", context)


@login_required
@permission_required(AUTHOR, raise_exception=True)
@require_http_methods(["GET", "POST"])
def summary_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Write or edit a topic's evidence summary."""
    user = _signed_in(request)
    topic = get_object_or_404(Topic, pk=pk)
    summary = TopicSummary.objects.filter(topic=topic).prefetch_related("references").first()
    if summary is not None and not access.can_edit(user, summary):
        raise PermissionDenied("You may not edit this evidence summary.")
    initial = services.summary_content(summary) if summary else None
    editor = SummaryEditor(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and editor.is_valid():
        try:
            services.save_topic_summary(topic=topic, content=editor.content(), by=user)
        except ValidationError as error:
            editor.add_validation_error(error)
        else:
            messages.success(request, "The evidence summary is saved.")
            return redirect("topic-detail", pk=topic.pk)
    context = {
        "topic": topic,
        "label": topic.label,
        "summary": summary,
        "editor": editor,
        "is_bound": request.method == "POST",
    }
    return render(request, "quizbank/topics/summary_form.html", context)


@login_required
@permission_required(AUTHOR, raise_exception=True)
@require_POST
def summary_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a summary through the review workflow (`to`: in_review, published, retired, draft)."""
    user = _signed_in(request)
    summary = get_object_or_404(TopicSummary, topic_id=pk)
    to = request.POST.get("to", "")
    try:
        services.change_summary_status(summary=summary, by=user, to=to)
    except services.WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The evidence summary is now {Status(to).label.lower()}.")
    return redirect("topic-detail", pk=pk)


@login_required
@permission_required(AUTHOR, raise_exception=True)
@require_GET
def summary_history(request: HttpRequest, pk: int) -> HttpResponse:
    """List the summary's revisions, newest first, with who made each and why."""
    summary = get_object_or_404(TopicSummary.objects.select_related("topic"), topic_id=pk)
    versions = Version.objects.get_for_object(summary).select_related("revision__user")
    context = {"topic": summary.topic, "summary": summary, "versions": versions}
    return render(request, "quizbank/topics/summary_history.html", context)
