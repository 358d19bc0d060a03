"""Item statistics per question revision, from students' first attempts: facility, discrimination,
the share choosing each option, mean time, and flags for items that need an author's look.

The maths (`facility`, `pearson`, `discrimination`, `option_shares`, `item_flags`) takes values
and returns values; `recompute_item_statistics` loads the rows in bulk and stores the figures;
`revision_statistics` prepares them for the question page.

Only first attempts count, as in Moodle's item analysis: a second try at a question measures
memory of the feedback, not the item. Responses without a recorded revision (answers recorded
before revisions were) are skipped rather than pooled under an unknown revision.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import correlation, fmean

from django.db.models import Count, Exists, OuterRef, Q
from reversion.models import Version

from learners.models import Response
from quizbank.models import ItemStatistics, Option, Question

TOO_EASY_ABOVE = 0.95
TOO_HARD_BELOW = 0.2
LOW_DISCRIMINATION_BELOW = 0.15
# Below 30 first attempts one student moves the facility by over 3 points and the standard error
# of a correlation near 0 is about 1/sqrt(n) > 0.18, larger than the 0.15 threshold itself, so a
# flag would mostly report noise. 30 is the usual "large enough sample" rule of thumb.
MIN_ATTEMPTS_FOR_FLAGS = 30
# With fewer students a correlation is shown as "—": with 2 it is always +1 or -1.
MIN_STUDENTS_FOR_DISCRIMINATION = 5
# An answer is stamped with the time its request started but becomes visible to this job only
# when its transaction commits; a revision whose newest answer is this close before the last
# computation is computed once more, so an answer committed late is not left out.
LATE_COMMIT_MARGIN = timedelta(minutes=2)

# The wording of every flag, for authors, in one place.
FLAG_TEXT: dict[str, str] = {
    "too_easy": (
        "Too easy: more than 95% of students answer it correctly at their first attempt, "
        "so it hardly tells those who know the topic from those who do not."
    ),
    "too_hard": (
        "Too hard: fewer than 20% of students answer it correctly at their first attempt; "
        "check the key, the wording and whether the topic is taught."
    ),
    "low_discrimination": (
        "Low discrimination: students who do well on the rest of the bank are hardly more "
        "likely to get it right (correlation below 0.15); look for an ambiguous stem, a "
        "second defensible answer or a wrong key."
    ),
}


# The maths ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FirstAttempt:
    """One student's first attempt at one revision of an item."""

    learner_id: int
    is_correct: bool
    option_id: int | None
    seconds: float


@dataclass(frozen=True)
class Score:
    """A student's first attempts over the whole bank: how many, and how many correct."""

    attempts: int
    correct: int


@dataclass(frozen=True)
class ItemFigures:
    attempts: int
    facility: float
    discrimination: float | None
    option_shares: dict[int, float]
    mean_seconds: float
    flags: list[str]


def facility(results: Sequence[bool]) -> float:
    """Return the share of correct results, 0 when there are none (Moodle's facility index)."""
    return sum(results) / len(results) if results else 0.0


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Return Pearson's r of the pairs, or None when a side has fewer than 2 distinct values."""
    if len(xs) != len(ys):
        raise ValueError("pearson() needs as many x values as y values.")
    if len(set(xs)) < 2 or len(set(ys)) < 2:
        return None
    # Rounding can push a perfect correlation a hair past 1.
    return max(-1.0, min(1.0, correlation(xs, ys)))


def rest_scores(
    attempts: Iterable[FirstAttempt], scores: Mapping[int, Score]
) -> list[tuple[float, float]]:
    """Pair each student's result on the item (1 or 0) with their share correct on every other
    item; students with no other first attempt are left out."""
    pairs = []
    for attempt in attempts:
        score = scores.get(attempt.learner_id)
        if score is None or score.attempts < 2:
            continue
        x = 1.0 if attempt.is_correct else 0.0
        pairs.append((x, (score.correct - x) / (score.attempts - 1)))
    return pairs


def discrimination(attempts: Iterable[FirstAttempt], scores: Mapping[int, Score]) -> float | None:
    """Return the correlation of the item with the rest of each student's score.

    Moodle's discrimination index is the Pearson correlation (shown x100) between the item's
    score and the rest of the test, total minus the item, across the attempts at a quiz (Moodle
    docs, "Quiz statistics calculations": https://docs.moodle.org/dev/Quiz_statistics_calculations).
    Practice here has no fixed test, so the "rest of the test" of a student is their share
    correct over the first attempts at every other item they have answered. None when fewer than
    MIN_STUDENTS_FOR_DISCRIMINATION students have a rest score, or a side does not vary.
    """
    pairs = rest_scores(attempts, scores)
    if len(pairs) < MIN_STUDENTS_FOR_DISCRIMINATION:
        return None
    return pearson([x for x, _ in pairs], [y for _, y in pairs])


def option_shares(chosen: Iterable[int | None], offered: Iterable[int] = ()) -> dict[int, float]:
    """Return the share of answers choosing each option, over the answers naming one; options
    offered but never chosen get 0 (a distractor nobody picks is worth knowing about)."""
    counts: dict[int, int] = dict.fromkeys(offered, 0)
    for option_id in chosen:
        if option_id is not None:
            counts[option_id] = counts.get(option_id, 0) + 1
    total = sum(counts.values())
    return {pk: (n / total if total else 0.0) for pk, n in counts.items()}


def item_flags(*, attempts: int, facility: float, discrimination: float | None) -> list[str]:
    """Return the codes of FLAG_TEXT that apply, none below MIN_ATTEMPTS_FOR_FLAGS attempts."""
    if attempts < MIN_ATTEMPTS_FOR_FLAGS:
        return []
    flags = []
    if facility > TOO_EASY_ABOVE:
        flags.append("too_easy")
    if facility < TOO_HARD_BELOW:
        flags.append("too_hard")
    if discrimination is not None and discrimination < LOW_DISCRIMINATION_BELOW:
        flags.append("low_discrimination")
    return flags


def item_figures(
    attempts: Sequence[FirstAttempt], scores: Mapping[int, Score], *, offered: Iterable[int] = ()
) -> ItemFigures:
    """Compute every figure of one revision from its first attempts and the students' scores."""
    share_correct = facility([attempt.is_correct for attempt in attempts])
    correlation_with_rest = discrimination(attempts, scores)
    return ItemFigures(
        attempts=len(attempts),
        facility=share_correct,
        discrimination=correlation_with_rest,
        option_shares=option_shares((attempt.option_id for attempt in attempts), offered),
        mean_seconds=fmean(attempt.seconds for attempt in attempts) if attempts else 0.0,
        flags=item_flags(
            attempts=len(attempts), facility=share_correct, discrimination=correlation_with_rest
        ),
    )


# The periodic job --------------------------------------------------------------------------------


def recompute_item_statistics(*, now: datetime) -> int:
    """Recompute the revisions with first attempts newer than their statistics; count them.

    Run every few minutes by `quizbank.tasks`; with no new first attempts it does one query and
    writes nothing. Four queries in all, whatever the number of revisions and responses (plus
    one per batch of upserts past the database's parameter limit): the changed revisions' first
    attempts, the students' bank-wide first-attempt totals, the options of each revision, and
    the upsert. Idempotent, so overlapping runs write the same rows.

    A student's rest score also moves when they answer other items, so the discrimination of a
    revision without new answers drifts from its stored value; it is brought up to date with the
    revision's next first attempt, which is accurate enough for a screening figure.
    """
    first_attempts = Response.objects.first_attempts().filter(version__isnull=False)
    covered = ItemStatistics.objects.filter(
        version_id=OuterRef("version_id"),
        computed_at__gte=OuterRef("answered_at") + LATE_COMMIT_MARGIN,
    )
    changed = first_attempts.exclude(Exists(covered)).values("version_id")
    rows = list(
        first_attempts.filter(version_id__in=changed)
        .order_by()
        .values_list(
            "version_id",
            "version__revision_id",
            "question_id",
            "learner_id",
            "is_correct",
            "option_id",
            "time_spent",
        )
    )
    if not rows:
        return 0
    by_version: dict[int, list[FirstAttempt]] = defaultdict(list)
    revision_of: dict[int, int] = {}
    question_of: dict[int, int] = {}
    for version_id, revision_id, question_id, learner_id, is_correct, option_id, spent in rows:
        by_version[version_id].append(
            FirstAttempt(learner_id, is_correct, option_id, spent.total_seconds())
        )
        revision_of[version_id] = revision_id
        question_of[version_id] = question_id

    learners = Response.objects.first_attempts().filter(version_id__in=list(by_version))
    scores = {
        learner_id: Score(attempts=n, correct=correct)
        for learner_id, n, correct in Response.objects.first_attempts()
        .filter(learner_id__in=learners.values("learner_id"))
        .order_by()
        .values("learner_id")
        .annotate(n=Count("id"), correct=Count("id", filter=Q(is_correct=True)))
        .values_list("learner_id", "n", "correct")
    }
    # Each revision recorded the question's options with it (django-reversion follows them).
    offered: dict[int, list[int]] = defaultdict(list)
    for revision_id, object_id in Version.objects.filter(
        revision_id__in=set(revision_of.values()),
        content_type__app_label=Option._meta.app_label,
        content_type__model=Option._meta.model_name,
    ).values_list("revision_id", "object_id"):
        offered[revision_id].append(int(object_id))

    statistics = []
    for version_id, attempts in by_version.items():
        figures = item_figures(attempts, scores, offered=sorted(offered[revision_of[version_id]]))
        statistics.append(
            ItemStatistics(
                question_id=question_of[version_id],
                version_id=version_id,
                attempts=figures.attempts,
                facility=figures.facility,
                discrimination=figures.discrimination,
                option_shares={str(pk): share for pk, share in figures.option_shares.items()},
                mean_seconds=figures.mean_seconds,
                flags=figures.flags,
                computed_at=now,
            )
        )
    ItemStatistics.objects.bulk_create(
        statistics,
        update_conflicts=True,
        unique_fields=["version"],
        update_fields=[
            "attempts",
            "facility",
            "discrimination",
            "option_shares",
            "mean_seconds",
            "flags",
            "computed_at",
        ],
    )
    return len(statistics)


# The question page -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionShare:
    """One option's share, labelled as the question now shows it (removed options have none)."""

    letter: str
    text: str
    share: float
    is_correct: bool

    @property
    def is_removed(self) -> bool:
        return not self.letter


@dataclass(frozen=True)
class RevisionStatistics:
    number: int | None
    saved_at: datetime
    attempts: int
    facility: float
    discrimination: float | None
    mean_seconds: float
    options: list[OptionShare]
    # (code, sentence) pairs.
    flags: list[tuple[str, str]]


def revision_statistics(
    question: Question, *, versions: Sequence[Version], options: Sequence[Option]
) -> list[RevisionStatistics]:
    """Return the statistics of each revision of `question`, newest first, in one query.

    `versions` are the question's revisions newest first (numbered from the oldest, as 1) and
    `options` its current options, both already loaded by the page.
    """
    numbers = {version.pk: len(versions) - index for index, version in enumerate(versions)}
    current = {option.pk: option for option in options}
    rows = ItemStatistics.objects.filter(question=question).select_related("version__revision")
    result = []
    for row in rows:
        shares = {int(pk): share for pk, share in row.option_shares.items()}
        shown = [
            OptionShare(option.letter, option.text, shares[option.pk], option.is_correct)
            for option in options
            if option.pk in shares
        ]
        shown += [
            OptionShare("", "", share, False)
            for pk, share in sorted(shares.items())
            if pk not in current
        ]
        result.append(
            RevisionStatistics(
                number=numbers.get(row.version_id),
                saved_at=row.version.revision.date_created,
                attempts=row.attempts,
                facility=row.facility,
                discrimination=row.discrimination,
                mean_seconds=row.mean_seconds,
                options=shown,
                flags=[(code, FLAG_TEXT[code]) for code in row.flags if code in FLAG_TEXT],
            )
        )
    return result
