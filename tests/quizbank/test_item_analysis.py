"""The item-analysis table of the bank and its CSV export: the right rows and figures, sorting,
filters, pages, and who may see which questions."""

from __future__ import annotations

import csv
import html as html_entities
import io
import re
from itertools import count
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from learners.models import User
from quizbank import services
from quizbank.models import ItemStatistics, Question, Status
from quizbank.statistics import recompute_item_statistics
from tests.quizbank.samples import sample_content
from tests.quizbank.test_item_statistics import NOW, build_small_bank

pytestmark = pytest.mark.django_db

TABLE = reverse("authoring-item-analysis")
CSV = reverse("authoring-item-analysis-csv")

_names = count()


def question(
    author: User,
    lead_in: str,
    *,
    status: str = Status.PUBLISHED,
    topic: list[str] | None = None,
) -> Question:
    """Save a five-option question with this lead-in (the key is option A)."""
    overrides: dict[str, Any] = {"name": f"analysis-{next(_names)}", "lead_in": lead_in}
    if topic is not None:
        overrides["topic_path"] = topic
    return services.create_question(content=sample_content(**overrides), by=author, status=status)


def statistics(
    q: Question,
    *,
    attempts: int,
    facility: float,
    discrimination: float | None,
    seconds: float = 40.0,
    flags: tuple[str, ...] = (),
) -> ItemStatistics:
    """Store figures for the question's current revision, as the periodic job would."""
    assert q.current_version_id is not None
    options = list(q.options.all())
    # The key (A) takes the facility; the rest is split evenly over the distractors.
    rest = (1 - facility) / (len(options) - 1)
    return ItemStatistics.objects.create(
        question=q,
        version_id=q.current_version_id,
        attempts=attempts,
        facility=facility,
        discrimination=discrimination,
        option_shares={str(o.pk): facility if o.is_correct else rest for o in options},
        mean_seconds=seconds,
        flags=list(flags),
        computed_at=NOW,
    )


def table_rows(html: str) -> list[list[str]]:
    """Return the table body as the words of each cell, row by row."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [
        [
            html_entities.unescape(" ".join(re.sub(r"<[^>]+>", " ", cell).split()))
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def lead_ins(html: str) -> list[str]:
    return [row[0] for row in table_rows(html)] if "<tbody>" in html else []


def csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode())))


@pytest.fixture
def five_items(instructor: User) -> dict[str, Question]:
    """Five of the instructor's questions with figures chosen to sort differently per column.

    lead-in       attempts facility discrimination seconds flags
    Weak?            35      0.50       0.05          90   low discrimination
    Easy?            40      0.97       0.30          20   too easy
    Good?            12      0.60       0.45          45   -
    Few?              3      0.67       (too few)     30   -
    Unanswered?       (a draft: no statistics yet)
    """
    items = {name: question(instructor, f"{name}?") for name in ("Weak", "Easy", "Good", "Few")}
    items["Unanswered"] = question(instructor, "Unanswered?", status=Status.DRAFT)
    statistics(
        items["Weak"],
        attempts=35,
        facility=0.5,
        discrimination=0.05,
        seconds=90,
        flags=("low_discrimination",),
    )
    statistics(
        items["Easy"],
        attempts=40,
        facility=0.97,
        discrimination=0.3,
        seconds=20,
        flags=("too_easy",),
    )
    statistics(items["Good"], attempts=12, facility=0.6, discrimination=0.45, seconds=45)
    statistics(items["Few"], attempts=3, facility=2 / 3, discrimination=None, seconds=30)
    return items


# The table ------------------------------------------------------------------------------------


def test_the_table_shows_the_current_revision_figures_of_each_question(
    client_for: Any, instructor: User, five_items: dict[str, Question]
) -> None:
    page = client_for(instructor).get(TABLE)

    rows = {row[0]: row[1:] for row in table_rows(page.content.decode())}
    topic = "Hematology > Plasma cell disorders > Relapsed and refractory myeloma"
    assert page.status_code == 200
    assert rows["Weak?"] == [topic, "Published", "35", "50%", "0.05", "90 s", "Low discrimination"]
    assert rows["Easy?"] == [topic, "Published", "40", "97%", "0.30", "20 s", "Too easy"]
    assert rows["Good?"] == [topic, "Published", "12", "60%", "0.45", "45 s", ""]
    assert rows["Few?"] == [topic, "Published", "3", "67%", "—", "30 s", ""]
    assert rows["Unanswered?"] == [topic, "Draft", "", "", "", "", "No statistics yet"]


def test_each_question_links_to_its_analysis_page(
    client_for: Any, instructor: User, five_items: dict[str, Question]
) -> None:
    html = client_for(instructor).get(TABLE).content.decode()

    for q in five_items.values():
        assert f'href="{reverse("authoring-question-analysis", args=[q.pk])}"' in html


def test_the_table_holds_figures_computed_from_real_first_attempts(
    client_for: Any, instructor: User
) -> None:
    # The hand-computed small bank: 6 first attempts, 4 right, r = 0.48038, mean 55 s.
    q, _ = build_small_bank(instructor)
    recompute_item_statistics(now=NOW)

    rows = {
        row[0]: row[1:] for row in table_rows(client_for(instructor).get(TABLE).content.decode())
    }

    assert rows[q.lead_in][2:6] == ["6", "67%", "0.48", "55 s"]


def test_statistics_of_an_older_revision_are_not_the_current_figures(
    client_for: Any, instructor: User, reviewer: User
) -> None:
    q = question(instructor, "Edited since?")
    statistics(q, attempts=50, facility=0.9, discrimination=0.2)
    content = services.question_content(q)
    content.stem += " He has grade 2 neuropathy."
    services.update_question(question=q, content=content, by=reviewer)

    rows = table_rows(client_for(instructor).get(TABLE).content.decode())

    assert rows == [["Edited since?", rows[0][1], "Published", "", "", "", "", "No statistics yet"]]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        # The default: least discriminating first; unknown discrimination, then no statistics.
        ("", ["Weak?", "Easy?", "Good?", "Few?", "Unanswered?"]),
        ("discrimination", ["Weak?", "Easy?", "Good?", "Few?", "Unanswered?"]),
        ("-discrimination", ["Good?", "Easy?", "Weak?", "Few?", "Unanswered?"]),
        ("facility", ["Weak?", "Good?", "Few?", "Easy?", "Unanswered?"]),
        ("-facility", ["Easy?", "Few?", "Good?", "Weak?", "Unanswered?"]),
        ("-attempts", ["Easy?", "Weak?", "Good?", "Few?", "Unanswered?"]),
        ("time", ["Easy?", "Few?", "Good?", "Weak?", "Unanswered?"]),
        ("question", ["Easy?", "Few?", "Good?", "Unanswered?", "Weak?"]),
        # Published before draft; within a status, most answered first.
        ("-status", ["Easy?", "Weak?", "Good?", "Few?", "Unanswered?"]),
        # Not a column: the default order, not an error page.
        ("author", ["Weak?", "Easy?", "Good?", "Few?", "Unanswered?"]),
        ("-lead_in; DROP TABLE", ["Weak?", "Easy?", "Good?", "Few?", "Unanswered?"]),
    ],
)
def test_the_table_sorts_by_a_column_with_blanks_last(
    client_for: Any,
    instructor: User,
    five_items: dict[str, Question],
    sort: str,
    expected: list[str],
) -> None:
    page = client_for(instructor).get(TABLE, {"sort": sort} if sort else {})

    assert page.status_code == 200
    assert lead_ins(page.content.decode()) == expected


def test_a_sorted_column_heading_links_to_the_reverse_order(
    client_for: Any, instructor: User, five_items: dict[str, Question]
) -> None:
    html = client_for(instructor).get(TABLE, {"sort": "facility", "page": "1"}).content.decode()

    assert 'aria-sort="ascending"' in html
    assert re.search(r'aria-sort="ascending"[^>]*>\s*<a href="\?sort=-facility">Facility</a>', html)
    assert '<a href="?sort=-facility">Facility</a>' in html
    assert '<a href="?sort=attempts">First attempts</a>' in html


def test_flagged_only_lists_the_questions_with_a_flag(
    client_for: Any, instructor: User, five_items: dict[str, Question]
) -> None:
    html = client_for(instructor).get(TABLE, {"flagged": "1"}).content.decode()

    assert lead_ins(html) == ["Weak?", "Easy?"]


def test_the_table_filters_by_status(
    client_for: Any, instructor: User, five_items: dict[str, Question]
) -> None:
    client = client_for(instructor)

    drafts = lead_ins(client.get(TABLE, {"status": Status.DRAFT}).content.decode())
    published = lead_ins(client.get(TABLE, {"status": Status.PUBLISHED}).content.decode())
    unknown = client.get(TABLE, {"status": "archived"})

    assert drafts == ["Unanswered?"]
    assert published == ["Weak?", "Easy?", "Good?", "Few?"]
    assert unknown.status_code == 200
    assert len(lead_ins(unknown.content.decode())) == 5


def test_the_table_is_paginated_and_keeps_its_sort_across_pages(
    client_for: Any,
    instructor: User,
    five_items: dict[str, Question],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("quizbank.views.analysis.PAGE_SIZE", 2)
    client = client_for(instructor)

    first = client.get(TABLE, {"sort": "-attempts"}).content.decode()
    third = client.get(TABLE, {"sort": "-attempts", "page": "3"}).content.decode()

    assert lead_ins(first) == ["Easy?", "Weak?"]
    assert "Page 1 of 3" in first
    assert 'href="?sort=-attempts&amp;page=2"' in first
    assert lead_ins(third) == ["Unanswered?"]


# The CSV export -------------------------------------------------------------------------------


def test_the_csv_has_every_row_with_its_figures_and_option_shares(
    client_for: Any, instructor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    q, _ = build_small_bank(instructor)
    recompute_item_statistics(now=NOW)
    # All rows, whatever the page size.
    monkeypatch.setattr("quizbank.views.analysis.PAGE_SIZE", 2)

    response = client_for(instructor).get(CSV)

    rows = csv_rows(response.content)
    row = next(r for r in rows if r["id"] == str(q.pk))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="item-analysis.csv"'
    assert len(rows) == 6
    assert row == {
        "id": str(q.pk),
        "question": q.lead_in,
        "topic": "Hematology > Plasma cell disorders > Relapsed and refractory myeloma",
        "status": "Published",
        "author": instructor.username,
        "first attempts": "6",
        "facility": "0.667",
        "discrimination": "0.480",
        "mean seconds": "55.0",
        "flags": "",
        "key": "A",
        # Key 4/6, B 1/6, C 1/6, D and E never chosen.
        "option shares": "A 0.67; B 0.17; C 0.17; D 0.00; E 0.00",
    }


def test_the_csv_follows_the_sort_and_filters_of_the_page(
    client_for: Any, instructor: User, five_items: dict[str, Question]
) -> None:
    client = client_for(instructor)

    flagged = csv_rows(client.get(CSV, {"flagged": "1", "sort": "-facility"}).content)
    everything = csv_rows(client.get(CSV).content)

    assert [(r["question"], r["flags"]) for r in flagged] == [
        ("Easy?", "Too easy"),
        ("Weak?", "Low discrimination"),
    ]
    assert [r["question"] for r in everything] == ["Weak?", "Easy?", "Good?", "Few?", "Unanswered?"]
    assert [r["discrimination"] for r in everything] == ["0.050", "0.300", "0.450", "", ""]
    assert everything[-1]["first attempts"] == everything[-1]["option shares"] == ""


def test_csv_cells_of_user_text_cannot_start_a_formula(client_for: Any, instructor: User) -> None:
    formula = question(instructor, '=HYPERLINK("http://evil.example","Click")', topic=["+Evil"])
    at = question(instructor, "@SUM(A1:A9)?")
    statistics(formula, attempts=40, facility=0.5, discrimination=-0.2)

    rows = {r["id"]: r for r in csv_rows(client_for(instructor).get(CSV).content)}

    assert rows[str(formula.pk)]["question"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert rows[str(formula.pk)]["topic"] == "'+Evil"
    assert rows[str(at.pk)]["question"] == "'@SUM(A1:A9)?"
    # Figures stay numbers: a negative discrimination is not text.
    assert rows[str(formula.pk)]["discrimination"] == "-0.200"


# Who sees what ---------------------------------------------------------------------------------


@pytest.fixture
def two_authors(instructor: User, reviewer: User) -> tuple[Question, Question]:
    mine = question(instructor, "Mine?")
    theirs = question(reviewer, "Theirs?")
    statistics(mine, attempts=10, facility=0.5, discrimination=0.3)
    statistics(theirs, attempts=20, facility=0.8, discrimination=0.1)
    return mine, theirs


def test_an_instructor_sees_only_their_own_questions(
    client_for: Any, instructor: User, two_authors: tuple[Question, Question]
) -> None:
    client = client_for(instructor)

    table = lead_ins(client.get(TABLE).content.decode())
    exported = [r["question"] for r in csv_rows(client.get(CSV).content)]

    assert table == exported == ["Mine?"]


def test_an_admin_sees_every_question(
    client_for: Any, admin_user: User, two_authors: tuple[Question, Question]
) -> None:
    client = client_for(admin_user)

    table = lead_ins(client.get(TABLE).content.decode())
    exported = [r["question"] for r in csv_rows(client.get(CSV).content)]

    assert table == exported == ["Theirs?", "Mine?"]


@pytest.mark.parametrize("url", [TABLE, CSV])
def test_students_are_refused_the_table_and_the_csv(
    client_for: Any, student: User, two_authors: tuple[Question, Question], url: str
) -> None:
    response = client_for(student).get(url)

    assert response.status_code == 403
    assert b"Mine?" not in response.content


@pytest.mark.parametrize("url", [TABLE, CSV])
def test_anonymous_visitors_are_sent_to_log_in(
    two_authors: tuple[Question, Question], url: str
) -> None:
    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_authoring_navigation_links_to_the_table(client_for: Any, instructor: User) -> None:
    html = client_for(instructor).get(reverse("authoring-home")).content.decode()

    assert f'<a href="{TABLE}">Item analysis</a>' in html


# Query counts ----------------------------------------------------------------------------------

# Session, user, permissions (2), the count, the rows, the topic labels.
TABLE_QUERIES = 7
# Session, user, permissions (2), the rows, the topic labels, the options.
CSV_QUERIES = 7


def many_items(author: User, n: int) -> None:
    for i in range(n):
        q = question(author, f"Item {i}?", topic=["Hematology", f"Topic {i}"])
        if i % 2:
            statistics(q, attempts=30 + i, facility=0.6, discrimination=0.2)


@pytest.mark.parametrize("n", [2, 7])
def test_the_table_runs_the_same_queries_whatever_the_number_of_rows(
    client_for: Any, instructor: User, django_assert_num_queries: Any, n: int
) -> None:
    many_items(instructor, n)
    client = client_for(instructor)

    with django_assert_num_queries(TABLE_QUERIES):
        html = client.get(TABLE).content.decode()

    assert len(lead_ins(html)) == n


@pytest.mark.parametrize("n", [2, 7])
def test_the_csv_runs_the_same_queries_whatever_the_number_of_rows(
    client_for: Any, instructor: User, django_assert_num_queries: Any, n: int
) -> None:
    many_items(instructor, n)
    client = client_for(instructor)

    with django_assert_num_queries(CSV_QUERIES):
        rows = csv_rows(client.get(CSV).content)

    assert len(rows) == n
    assert all(r["option shares"].startswith("A 0.60; B 0.10") for r in rows if r["first attempts"])
