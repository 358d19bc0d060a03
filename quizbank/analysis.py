"""Item analysis for authors and admins: a table of every question's current statistics, and
each revision of one question next to its statistics, so an author can see whether an edit
helped.

Who sees what is decided once, in `analysable_questions`: an instructor analyses the questions
they wrote, an admin every question. The figures themselves are computed by
`quizbank.statistics`; this module only loads and arranges them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from django.db.models import F, OrderBy
from reversion.models import Version

from learners.models import User
from quizbank import access
from quizbank.models import Option, Question, QuestionQuerySet, topic_labels
from quizbank.statistics import FLAG_TEXT, RevisionStatistics, revision_statistics

# The statistics of a question's current revision, reached through its `current_version`.
CURRENT = "current_version__item_statistics__"

# Column name in `?sort=` -> the field or annotation it orders by.
SORTS: dict[str, str] = {
    "question": "lead_in",
    "topic": "topic__path",
    "status": "status",
    "attempts": "stat_attempts",
    "facility": "stat_facility",
    "discrimination": "stat_discrimination",
    "time": "stat_mean_seconds",
}
# The least discriminating items first: the ones most worth an author's look.
DEFAULT_SORT = "discrimination"


def flag_label(code: str) -> str:
    """Return the short name of a flag, the words of FLAG_TEXT before its colon."""
    return FLAG_TEXT[code].split(":", 1)[0]


def analysable_questions(user: User) -> QuestionQuerySet:
    """Return the questions whose item analysis `user` may see: all for admins, else their own."""
    if access.is_admin(user):
        return Question.objects.all()
    if access.is_author(user):
        return Question.objects.filter(author=user)
    return Question.objects.none()


def parse_sort(value: str | None) -> str:
    """Return `value` when it names a sortable column, optionally after "-", else the default."""
    if value and value.removeprefix("-") in SORTS:
        return value
    return DEFAULT_SORT


def item_table(
    user: User, *, sort: str = DEFAULT_SORT, status: str = "", is_flagged_only: bool = False
) -> QuestionQuerySet:
    """Return the questions `user` may analyse with their current statistics, filtered and
    sorted by `sort` (a column of SORTS, "-" for descending); blanks sort last either way."""
    questions = analysable_questions(user)
    if status:
        questions = questions.filter(status=status)
    if is_flagged_only:
        questions = questions.filter(**{f"{CURRENT}flags__isnull": False}).exclude(
            **{f"{CURRENT}flags": []}
        )
    sort = parse_sort(sort)
    column = F(SORTS[sort.removeprefix("-")])
    order: OrderBy = (
        column.desc(nulls_last=True) if sort.startswith("-") else column.asc(nulls_last=True)
    )
    return (
        questions.select_related("topic", "author")
        # The stems and explanations are long and the table shows none of them.
        .only("lead_in", "status", "topic__path", "topic__name", "author__username")
        .annotate(
            stat_attempts=F(f"{CURRENT}attempts"),
            stat_facility=F(f"{CURRENT}facility"),
            stat_discrimination=F(f"{CURRENT}discrimination"),
            stat_mean_seconds=F(f"{CURRENT}mean_seconds"),
            stat_option_shares=F(f"{CURRENT}option_shares"),
            stat_flags=F(f"{CURRENT}flags"),
        )
        .order_by(order, F("stat_attempts").desc(nulls_last=True), "pk")
    )


@dataclass(frozen=True)
class ShareOfOption:
    letter: str
    share: float
    is_correct: bool


@dataclass(frozen=True)
class ItemRow:
    """One question of the table with its current revision's figures (None: no statistics)."""

    question: Question
    topic_label: str
    attempts: int | None
    facility: float | None
    discrimination: float | None
    mean_seconds: float | None
    # (code, short name, sentence) triples.
    flags: list[tuple[str, str, str]]
    # Filled only when asked for (the CSV): shares in the options' authored order, and the
    # letters of the correct options.
    shares: list[ShareOfOption]
    key_letters: str

    @property
    def has_statistics(self) -> bool:
        return self.attempts is not None


def item_rows(
    questions: Iterable[Question], *, options_of: QuestionQuerySet | None = None
) -> list[ItemRow]:
    """Turn questions from `item_table` into rows: one query for the topic labels, and one for
    the options of every question in `options_of` when option shares are wanted."""
    questions = list(questions)
    labels = topic_labels(question.topic for question in questions)
    options: dict[int, list[Option]] = defaultdict(list)
    if options_of is not None:
        # A subquery rather than a list of ids: a whole bank would pass the database's limit
        # on query parameters.
        for option in Option.objects.filter(question__in=options_of.values("pk")).only(
            "question_id", "position", "is_correct"
        ):
            options[option.question_id].append(option)
    rows = []
    for question in questions:
        shares: dict[str, float] = getattr(question, "stat_option_shares", None) or {}
        codes: list[str] = getattr(question, "stat_flags", None) or []
        rows.append(
            ItemRow(
                question=question,
                topic_label=labels[question.topic_id],
                attempts=getattr(question, "stat_attempts", None),
                facility=getattr(question, "stat_facility", None),
                discrimination=getattr(question, "stat_discrimination", None),
                mean_seconds=getattr(question, "stat_mean_seconds", None),
                flags=[
                    (code, flag_label(code), FLAG_TEXT[code]) for code in codes if code in FLAG_TEXT
                ],
                shares=[
                    ShareOfOption(option.letter, shares[str(option.pk)], option.is_correct)
                    for option in options[question.pk]
                    if str(option.pk) in shares
                ],
                key_letters="".join(o.letter for o in options[question.pk] if o.is_correct),
            )
        )
    return rows


# One question, revision by revision ------------------------------------------------------------


@dataclass(frozen=True)
class RevisionAnalysis:
    """One revision's metadata beside its statistics and the change since the previous
    revision that has statistics (`compared_with` names it)."""

    number: int
    saved_at: datetime
    saved_by: str
    comment: str
    statistics: RevisionStatistics | None
    compared_with: int | None = None
    facility_change: float | None = None
    discrimination_change: float | None = None

    @property
    def facility_change_text(self) -> str:
        """Return the change in facility in percentage points, signed ("+17 points")."""
        if self.facility_change is None:
            return ""
        points = round(self.facility_change * 100)
        return "no change" if points == 0 else f"{points:+d} points"

    @property
    def discrimination_change_text(self) -> str:
        """Return the change in discrimination, signed to two places ("-0.12"), or "—"."""
        if self.discrimination_change is None:
            return "—"
        rounded = round(self.discrimination_change, 2)
        return "no change" if rounded == 0 else f"{rounded:+.2f}"


def revision_analyses(
    question: Question, *, versions: Sequence[Version], options: Sequence[Option]
) -> list[RevisionAnalysis]:
    """Return every revision of `question`, newest first, with its statistics, in one query.

    `versions` are the question's revisions newest first (`services.question_history`) and
    `options` its current options, both already loaded by the page.
    """
    by_number = {
        stats.number: stats
        for stats in revision_statistics(question, versions=versions, options=options)
        if stats.number is not None
    }
    analyses: list[RevisionAnalysis] = []
    previous: tuple[int, RevisionStatistics] | None = None
    # Oldest first, so each revision is compared with the last one before it that has figures.
    for index, version in enumerate(reversed(versions)):
        number = index + 1
        stats = by_number.get(number)
        revision = version.revision
        analysis = RevisionAnalysis(
            number=number,
            saved_at=revision.date_created,
            saved_by=revision.user.username if revision.user else "",
            comment=revision.comment,
            statistics=stats,
        )
        if stats is not None and previous is not None:
            before_number, before = previous
            analysis = replace(
                analysis,
                compared_with=before_number,
                facility_change=stats.facility - before.facility,
                discrimination_change=change(before.discrimination, stats.discrimination),
            )
        if stats is not None:
            previous = (number, stats)
        analyses.append(analysis)
    analyses.reverse()
    return analyses


def change(before: float | None, after: float | None) -> float | None:
    """Return `after - before`, or None when either is unknown."""
    if before is None or after is None:
        return None
    return after - before
