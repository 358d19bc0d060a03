"""Item analysis pages: the sortable table of the bank (and its CSV export), and one question's
revisions beside their statistics.

Instructors see their own questions and admins all of them (`analysis.analysable_questions`);
another instructor's question is a 404, so its existence does not leak. Students get 403, as on
every authoring page.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from quizbank import access, analysis, services
from quizbank.models import QuestionQuerySet, Status, topic_labels
from quizbank.views.authoring import AuthoringRequest, instructor_required

PAGE_SIZE = 100

CSV_HEADER = [
    "id",
    "question",
    "topic",
    "status",
    "author",
    "first attempts",
    "facility",
    "discrimination",
    "mean seconds",
    "flags",
    "key",
    "option shares",
]
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class AnalysisFilters(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *Status.choices], required=False
    )
    flagged = forms.BooleanField(label="Flagged only", required=False)


@dataclass(frozen=True)
class Column:
    """A header of the table; `sort_to` is the `?sort=` its link asks for ("" if unsortable)."""

    label: str
    sort_to: str = ""
    aria_sort: str = ""
    is_numeric: bool = False


COLUMNS = [
    ("question", "Question", False),
    ("topic", "Topic", False),
    ("status", "Status", False),
    ("attempts", "First attempts", True),
    ("facility", "Facility", True),
    ("discrimination", "Discrimination", True),
    ("time", "Mean time", True),
]


def columns(sort: str) -> list[Column]:
    """Return the headers; the sorted column's link reverses its order."""
    result = []
    for key, label, is_numeric in COLUMNS:
        if sort.removeprefix("-") == key:
            descending = sort.startswith("-")
            result.append(
                Column(
                    label,
                    sort_to=key if descending else f"-{key}",
                    aria_sort="descending" if descending else "ascending",
                    is_numeric=is_numeric,
                )
            )
        else:
            result.append(Column(label, sort_to=key, is_numeric=is_numeric))
    return [*result, Column("Flags")]


def filtered_table(request: AuthoringRequest) -> tuple[QuestionQuerySet, AnalysisFilters, str]:
    """Read the filters and the sort from the query string; invalid values are ignored."""
    form = AnalysisFilters(request.GET)
    form.is_valid()
    sort = analysis.parse_sort(request.GET.get("sort"))
    questions = analysis.item_table(
        request.user,
        sort=sort,
        status=form.cleaned_data.get("status", ""),
        is_flagged_only=form.cleaned_data.get("flagged", False),
    )
    return questions, form, sort


@instructor_required
def item_analysis(request: AuthoringRequest) -> HttpResponse:
    """List the current statistics of every question the user may analyse, a page at a time."""
    questions, form, sort = filtered_table(request)
    page = Paginator(questions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": analysis.item_rows(page),
        "filters": form,
        "sort": sort,
        "columns": columns(sort),
        "is_admin": access.is_admin(request.user),
    }
    return render(request, "quizbank/item_analysis.html", context)


def spreadsheet_text(value: str) -> str:
    """Make user text inert in a spreadsheet: a leading apostrophe stops a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def figure(value: float | None, places: int) -> str:
    return "" if value is None else f"{value:.{places}f}"


@instructor_required
def item_analysis_csv(request: AuthoringRequest) -> HttpResponse:
    """Export the table, every row with the filters and sort of the page, and option shares."""
    questions, _, _ = filtered_table(request)
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="item-analysis.csv"'},
    )
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for row in analysis.item_rows(questions, options_of=questions):
        question = row.question
        writer.writerow(
            [
                question.pk,
                spreadsheet_text(question.lead_in),
                spreadsheet_text(row.topic_label),
                question.get_status_display(),
                spreadsheet_text(question.author.username),
                "" if row.attempts is None else row.attempts,
                figure(row.facility, 3),
                figure(row.discrimination, 3),
                figure(row.mean_seconds, 1),
                "; ".join(label for _, label, _ in row.flags),
                row.key_letters,
                "; ".join(f"{share.letter} {share.share:.2f}" for share in row.shares),
            ]
        )
    return response


@instructor_required
def question_analysis(request: AuthoringRequest, pk: int) -> HttpResponse:
    """Show each revision of a question beside its statistics and the change since the last."""
    question = get_object_or_404(
        analysis.analysable_questions(request.user)
        .select_related("topic", "author")
        .prefetch_related("options"),
        pk=pk,
    )
    options = list(question.options.all())
    versions = services.question_history(question)
    context = {
        "question": question,
        "topic_label": topic_labels([question.topic])[question.topic_id],
        "analyses": analysis.revision_analyses(question, versions=versions, options=options),
        "can_retire": "retire" in services.question_actions(question=question, by=request.user),
    }
    return render(request, "quizbank/question_analysis.html", context)
