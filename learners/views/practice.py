"""The student's practice pages: build a session, answer its items one per page, see the results.

Every view finds sessions through `PracticeSession.objects.for_learner`, so another student's
session is a 404. Each htmx action is also a plain form POST answered by a redirect
(POST-redirect-GET), so the answer flow works without JavaScript.

The key rule: an item's key, explanation and option shares enter the context only when
`revealed` (answered in tutor mode, or the session is over); the templates never see them
otherwise, so no page or partial can leak them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from learners.forms import SessionBuilderForm
from learners.models import (
    Mark,
    Mode,
    Note,
    PracticeSession,
    Response,
    SessionItem,
    ShownOption,
    User,
)
from learners.practice import (
    MAX_ITEMS,
    PracticeError,
    close_if_expired,
    finish_session,
    mark_shown,
    option_shares,
    record_answer,
    report_problem,
    save_note,
    set_mark,
    start_session,
    toggle_strike,
)
from quizbank.models import Topic

RESULT_FILTERS = {"all": "All", "incorrect": "Incorrect", "marked": "Marked"}


class PracticeRequest(HttpRequest):
    """A request that passed `learner_required`: a signed-in student, with django-htmx details."""

    user: User
    htmx: HtmxDetails


def learner_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send anonymous visitors to log in and refuse users who may not practise (403)."""
    return login_required(
        permission_required("learners.practise_questions", raise_exception=True)(view)
    )


# Looking up sessions and items ------------------------------------------------------------------


def _session_or_404(request: PracticeRequest, pk: int) -> PracticeSession:
    return get_object_or_404(PracticeSession.objects.for_learner(request.user), pk=pk)


def _items(session: PracticeSession, learner: User) -> QuerySet[SessionItem]:
    """The session's items with what an item page or the results show, in fixed queries."""
    return (
        session.items.select_related("question__topic", "response")
        .prefetch_related("question__options", "question__images")
        .annotate(
            is_marked=Exists(Mark.objects.filter(learner=learner, question=OuterRef("question"))),
            note_text=Subquery(
                Note.objects.filter(learner=learner, question=OuterRef("question")).values("text")[
                    :1
                ]
            ),
        )
    )


def _item_or_404(request: PracticeRequest, session: PracticeSession, number: int) -> SessionItem:
    return get_object_or_404(_items(session, request.user), position=number - 1)


def _response_of(item: SessionItem) -> Response | None:
    try:
        return item.response
    except Response.DoesNotExist:
        return None


# What an item page shows ------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionRow:
    """An option as the page shows it, named by its token (`ShownOption`); `is_key` and `share`
    stay empty until revealed."""

    token: str
    letter: str
    text: str
    is_struck: bool
    is_chosen: bool
    is_key: bool = False
    share: int | None = None


@dataclass(frozen=True)
class NavEntry:
    number: int
    is_answered: bool
    is_marked: bool
    is_current: bool


@dataclass
class ItemErrors:
    """Messages shown next to the control they concern when a plain POST is refused."""

    answer: str = ""
    note: str = ""
    report: str = ""
    strike: str = ""
    texts: dict[str, str] = field(default_factory=dict)


def _option_rows(
    item: SessionItem,
    shown: Sequence[ShownOption],
    *,
    chosen: int | None,
    revealed: bool,
    shares: dict[int, float] | None = None,
) -> list[OptionRow]:
    struck = set(item.struck_options)
    return [
        OptionRow(
            token=option.token,
            letter=option.letter,
            text=option.text,
            is_struck=option.pk in struck,
            is_chosen=option.pk == chosen,
            is_key=revealed and option.is_correct,
            share=round(shares[option.pk] * 100) if revealed and shares is not None else None,
        )
        for option in shown
    ]


def _navigation(session: PracticeSession, learner: User, current: int) -> list[NavEntry]:
    rows = session.items.annotate(
        is_answered=Exists(Response.objects.filter(item=OuterRef("pk"))),
        is_marked=Exists(Mark.objects.filter(learner=learner, question=OuterRef("question"))),
    ).values_list("position", "is_answered", "is_marked")
    return [
        NavEntry(
            number=position + 1,
            is_answered=is_answered,
            is_marked=is_marked,
            is_current=position + 1 == current,
        )
        for position, is_answered, is_marked in rows
    ]


def _next_unanswered(nav: Sequence[NavEntry], after: int) -> int | None:
    """Return the first unanswered item after `after`, wrapping round to the start."""
    later = [entry.number for entry in nav if not entry.is_answered and entry.number > after]
    earlier = [entry.number for entry in nav if not entry.is_answered and entry.number < after]
    return next(iter(later + earlier), None)


def _item_context(
    request: PracticeRequest,
    item: SessionItem,
    now: datetime,
    *,
    errors: ItemErrors | None = None,
    selected: int | None = None,
) -> dict[str, Any]:
    # Items are loaded through their session's related manager, which sets `item.session`.
    session = item.session
    response = _response_of(item)
    is_over = session.is_over(now)
    revealed = (response is not None or is_over) and session.reveals_answers(now)
    shown = item.shown_options()
    chosen = response.option_id if response is not None else selected
    nav = _navigation(session, request.user, item.number)
    answered = sum(entry.is_answered for entry in nav)
    return {
        "session": session,
        "item": item,
        "question": item.question,
        "options": _option_rows(
            item,
            shown,
            chosen=chosen,
            revealed=revealed,
            shares=option_shares(item.question_id, [o.pk for o in shown]) if revealed else None,
        ),
        # The ShownOptions carry is_correct and why_not: handed over only once revealed.
        "explained_options": shown if revealed else None,
        "selected": [response.option_id] if response and response.option_id else [],
        "response": response,
        "chosen_letter": next((o.letter for o in shown if o.pk == chosen), ""),
        "revealed": revealed,
        "is_over": is_over,
        "can_answer": response is None and not is_over,
        "nav": nav,
        "answered_count": answered,
        "all_answered": answered == len(nav),
        "previous_number": item.number - 1 if item.number > 1 else None,
        "next_number": item.number + 1 if item.number < len(nav) else None,
        "seconds_left": None if is_over else session.seconds_left(now),
        "time_left": _clock(session.seconds_left(now) or 0),
        "now": now,
        "is_marked": getattr(item, "is_marked", False),
        "note_text": getattr(item, "note_text", None) or "",
        "errors": errors or ItemErrors(),
    }


def _clock(seconds: int) -> str:
    """Return a count of seconds as a clock reading: 12:30, or 1:02:05 past an hour."""
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}"


def _render_item(
    request: PracticeRequest, item: SessionItem, now: datetime, **kwargs: Any
) -> HttpResponse:
    context = _item_context(request, item, now, **kwargs)
    return render(request, "learners/practice/item.html", context)


def _partial(
    request: PracticeRequest, template: str, context: dict[str, Any], *, status: str = ""
) -> HttpResponse:
    """Render an htmx partial, with `status` swapped into the page's live region."""
    html = render_to_string(template, context, request)
    html += render_to_string("learners/practice/_status.html", {"status": status}, request)
    return HttpResponse(html)


def _item_url(session: PracticeSession, number: int) -> str:
    return reverse("practice-item", kwargs={"pk": session.pk, "number": number})


def _redirect(request: PracticeRequest, url: str) -> HttpResponse:
    """Redirect a plain request, or make htmx load the whole page there."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _posted_option(request: HttpRequest, item: SessionItem, name: str) -> int | None:
    """Return the id of the option a form names by its token, None when none is named.

    Raises ValidationError naming `option` for a token that is not one of this item's.
    """
    token = request.POST.get(name, "")
    return item.option_id_for(token) if token else None


# Building a session ------------------------------------------------------------------------------


@learner_required
@require_http_methods(["GET", "POST"])
def session_new(request: PracticeRequest) -> HttpResponse:
    """Build a session: show how many questions match the choices, then start it."""
    topics = list(Topic.objects.order_by("path"))
    if request.method == "POST":
        form = SessionBuilderForm(request.POST, topics=topics)
        # The no-JavaScript "Count matching questions" button posts the form (a GET would put
        # the CSRF token in the address) and asks for the count only.
        if form.is_valid() and request.POST.get("action") != "count":
            try:
                session = start_session(
                    learner=request.user, now=timezone.now(), **form.session_choices()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(_item_url(session, 1))
    else:
        form = SessionBuilderForm.from_query(request.GET, topics=topics)
    now = timezone.now()
    counted = {"form": form, **form.count_matching(request.user, now=now)}
    if request.htmx and request.method == "GET":
        return render(request, "learners/practice/_match_count.html", counted)
    context = {**counted, "topic_choices": form.topic_tree(request.user, now=now)}
    return render(request, "learners/practice/builder.html", context)


# Answering ---------------------------------------------------------------------------------------


@learner_required
@require_GET
def session_resume(request: PracticeRequest, pk: int) -> HttpResponse:
    """Go on where the student left off: the first unanswered item, or the results."""
    session = _session_or_404(request, pk)
    now = timezone.now()
    close_if_expired(session, now=now)
    if session.is_over(now):
        return redirect("practice-results", pk=session.pk)
    position = (
        session.items.filter(response__isnull=True).values_list("position", flat=True).first()
    )
    return redirect(_item_url(session, session.item_count if position is None else position + 1))


@learner_required
@require_http_methods(["GET", "POST"])
def item_page(request: PracticeRequest, pk: int, number: int) -> HttpResponse:
    """Show one item of the session (GET) or record the student's answer to it (POST)."""
    session = _session_or_404(request, pk)
    now = timezone.now()
    close_if_expired(session, now=now)
    if request.method == "POST":
        # Recording needs only the item; the page is loaded afterwards if one is rendered.
        answering = get_object_or_404(session.items.for_answering(), position=number - 1)
        return _answer(request, answering, now)
    item = _item_or_404(request, session, number)
    if _response_of(item) is None and not session.is_over(now):
        mark_shown(item, now=now)
    return _render_item(request, item, now)


def _answer(request: PracticeRequest, item: SessionItem, now: datetime) -> HttpResponse:
    session = item.session
    error = "Choose an option, then submit your answer."
    if request.POST.get("option"):
        try:
            outcome = record_answer(
                item=item,
                option_id=item.option_id_for(request.POST["option"]),
                now=now,
                is_confident=_confidence(request),
            )
        except PracticeError as refused:
            messages.error(request, refused.message)
            if session.finished_at is not None:
                return _redirect(request, reverse("practice-results", kwargs={"pk": session.pk}))
            return _redirect(request, _item_url(session, item.number))
        except ValidationError as invalid:
            error = " ".join(invalid.messages)
        else:
            return _answered(request, item, outcome.response, now)
    errors = ItemErrors(answer=error)
    item = _item_or_404(request, session, item.number)
    if request.htmx:
        context = _item_context(request, item, now, errors=errors)
        return _partial(request, "learners/practice/_item_region.html", context, status=error)
    return _render_item(request, item, now, errors=errors)


def _confidence(request: PracticeRequest) -> bool | None:
    """Whether the student was sure of the answer; None unless they chose to be asked."""
    if not request.user.rates_confidence:
        return None
    return request.POST.get("unsure") != "1"


def _answered(
    request: PracticeRequest, item: SessionItem, response: Response, now: datetime
) -> HttpResponse:
    session = item.session
    if session.mode == Mode.TIMED:
        letter = next((o.letter for o in item.shown_options() if o.pk == response.option_id), "")
        messages.success(request, f"Answer recorded: you chose {letter}.")
        nav = _navigation(session, request.user, item.number)
        following = _next_unanswered(nav, item.number) or item.number
        return _redirect(request, _item_url(session, following))
    if not request.htmx:
        return redirect(_item_url(session, item.number))
    item = _item_or_404(request, session, item.number)
    context = {**_item_context(request, item, now), "just_answered": True}
    key = ", ".join(option.letter for option in context["options"] if option.is_key)
    status = "Correct." if response.is_correct else f"Incorrect. The correct answer is {key}."
    return _partial(request, "learners/practice/_item_region.html", context, status=status)


# Strike-outs, marks, notes and problem reports ---------------------------------------------------


def _tool_done(
    request: PracticeRequest,
    item: SessionItem,
    template: str,
    context: dict[str, Any],
    *,
    status: str,
    errors: ItemErrors | None = None,
) -> HttpResponse:
    """Answer an item tool's POST: its region for htmx; else the page with the error, or a
    redirect back to the item with `status` as a message."""
    if request.htmx:
        region = {"session": item.session, "item": item, "errors": errors or ItemErrors()}
        return _partial(request, template, {**region, **context}, status=status)
    if errors:
        return _render_item(request, item, timezone.now(), errors=errors)
    messages.success(request, status)
    return redirect(_item_url(item.session, item.number))


@learner_required
@require_POST
def item_strike(request: PracticeRequest, pk: int, number: int) -> HttpResponse:
    """Strike out an option of the item for the rest of the session, or restore it."""
    item = _item_or_404(request, _session_or_404(request, pk), number)
    errors = None
    option_id = None
    try:
        option_id = _posted_option(request, item, "strike")
        is_struck = toggle_strike(item=item, option_id=option_id if option_id is not None else -1)
    except ValidationError as invalid:
        errors = ItemErrors(strike=" ".join(invalid.messages))
        status = errors.strike
    else:
        letter = next((o.letter for o in item.shown_options() if o.pk == option_id), "")
        status = f"Option {letter} {'struck out' if is_struck else 'restored'}."
    # htmx sends the option chosen but not yet submitted, so it stays chosen after the swap.
    context = {}
    if request.htmx:
        try:
            selected = _posted_option(request, item, "option")
        except ValidationError:
            selected = None
        context = _item_context(request, item, timezone.now(), errors=errors, selected=selected)
    template = "learners/practice/_options.html"
    return _tool_done(request, item, template, context, status=status, errors=errors)


@learner_required
@require_POST
def item_mark(request: PracticeRequest, pk: int, number: int) -> HttpResponse:
    """Mark the item's question for review, or unmark it."""
    item = _item_or_404(request, _session_or_404(request, pk), number)
    is_marked = request.POST.get("is_marked") == "1"
    set_mark(learner=request.user, question=item.question, is_marked=is_marked)
    status = "Marked for review." if is_marked else "Mark removed."
    context = {"is_marked": is_marked}
    return _tool_done(request, item, "learners/practice/_mark.html", context, status=status)


@learner_required
@require_POST
def item_note(request: PracticeRequest, pk: int, number: int) -> HttpResponse:
    """Save the student's private note on the item's question (empty text deletes it)."""
    item = _item_or_404(request, _session_or_404(request, pk), number)
    text = request.POST.get("text", "")
    template = "learners/practice/_note.html"
    try:
        note = save_note(
            learner=request.user, question=item.question, text=text, now=timezone.now()
        )
    except ValidationError as invalid:
        errors = ItemErrors(note=" ".join(invalid.messages), texts={"note": text})
        return _tool_done(request, item, template, {}, status=errors.note, errors=errors)
    status = "Note saved." if note else "Note deleted."
    context = {"note_text": note.text if note else "", "note_status": status}
    return _tool_done(request, item, template, context, status=status)


REPORT_THANKS = "Thanks — sent to the instructors."


@learner_required
@require_POST
def item_report(request: PracticeRequest, pk: int, number: int) -> HttpResponse:
    """Send the student's report of a problem with the item's question to the instructors."""
    item = _item_or_404(request, _session_or_404(request, pk), number)
    text = request.POST.get("text", "")
    template = "learners/practice/_report.html"
    try:
        report_problem(learner=request.user, question=item.question, text=text)
    except ValidationError as invalid:
        errors = ItemErrors(report=" ".join(invalid.messages), texts={"report": text})
        return _tool_done(request, item, template, {}, status=errors.report, errors=errors)
    context = {"report_sent": True, "report_status": REPORT_THANKS}
    return _tool_done(request, item, template, context, status=REPORT_THANKS)


# Finishing and the results ------------------------------------------------------------------------


@learner_required
@require_POST
def session_finish(request: PracticeRequest, pk: int) -> HttpResponse:
    """End the session (a timed one too: that is how the exam is handed in) and show results."""
    session = _session_or_404(request, pk)
    finish_session(session=session, now=timezone.now())
    return _redirect(request, reverse("practice-results", kwargs={"pk": session.pk}))


@dataclass(frozen=True)
class ResultRow:
    item: SessionItem
    response: Response | None
    options: list[OptionRow]
    explained_options: list[ShownOption]
    is_marked: bool

    @property
    def selected(self) -> list[int]:
        """The option the student chose, as the explanation template takes it."""
        return [self.response.option_id] if self.response and self.response.option_id else []

    @property
    def time_spent(self) -> str:
        return _duration(self.response.time_spent) if self.response else ""

    @property
    def outcome(self) -> str:
        if self.response is None:
            return "unanswered"
        return "correct" if self.response.is_correct else "incorrect"


def _result_rows(session: PracticeSession, learner: User) -> list[ResultRow]:
    items = _items(session, learner).prefetch_related("question__references")
    rows = []
    for item in items:
        response = _response_of(item)
        shown = item.shown_options()
        chosen = response.option_id if response else None
        rows.append(
            ResultRow(
                item=item,
                response=response,
                # The option shares, a query per item, are left to each item's page.
                options=_option_rows(item, shown, chosen=chosen, revealed=True),
                explained_options=shown,
                is_marked=getattr(item, "is_marked", False),
            )
        )
    return rows


def _duration(delta: timedelta) -> str:
    seconds = max(0, round(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


@learner_required
@require_GET
def session_results(request: PracticeRequest, pk: int) -> HttpResponse:
    """Show the score and every item with the student's answer, the key and the explanation."""
    session = _session_or_404(request, pk)
    now = timezone.now()
    close_if_expired(session, now=now)
    if not session.is_over(now):
        messages.info(request, "Finish the session to see its results.")
        return redirect("practice-session", pk=session.pk)
    rows = _result_rows(session, request.user)
    correct = sum(row.outcome == "correct" for row in rows)
    answered = [row.response for row in rows if row.response is not None]
    shown_filter = request.GET.get("show", "all")
    if shown_filter not in RESULT_FILTERS:
        shown_filter = "all"
    shown = {
        "all": rows,
        "incorrect": [row for row in rows if row.outcome != "correct"],
        "marked": [row for row in rows if row.is_marked],
    }
    ended = session.finished_at or now
    time_spent = sum((r.time_spent for r in answered), timedelta())
    return render(
        request,
        "learners/practice/results.html",
        {
            "session": session,
            "rows": shown[shown_filter],
            "total": len(rows),
            "correct": correct,
            "answered": len(answered),
            "percent": round(100 * correct / len(rows)) if rows else 0,
            "duration": _duration(ended - session.created_at),
            "average": _duration(time_spent / len(answered)) if answered else None,
            "filters": [
                (key, label, len(shown[key]), key == shown_filter)
                for key, label in RESULT_FILTERS.items()
            ],
            "shown_filter": shown_filter,
            "again_ids": [row.item.question_id for row in shown[shown_filter]][:MAX_ITEMS],
        },
    )
