"""Reviewing the bank against the guidelines: how many keys each model version disagrees
with, and which published items a changed or new version would change for students.

Nothing students see changes by itself: a question keeps the guideline snapshot stored when
it was last saved (decision.verification.guideline_snapshot) until a reviewer has read the
list `pending_changes` gives (`manage.py guideline_review`) and refreshes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from decision import engine
from decision.engine import UnknownModelError, split_reference
from decision.verification import check_question, guideline_snapshot
from quizbank.models import Question, Status
from quizbank.services import refresh_guideline_snapshot


@dataclass(frozen=True)
class VersionDisagreements:
    """How many of the keys linked to a model one of its versions disagrees with."""

    model: str
    version: str
    title: str
    checked: int
    disagreeing: int


@dataclass(frozen=True)
class PendingChange:
    """A published item whose key or guideline note would change under the guidelines now."""

    question_id: int
    title: str
    model: str
    changes: list[str]


def linked_questions() -> QuerySet[Question]:
    """The questions linked to a decision model that students may see or will see."""
    return (
        Question.objects.exclude(decision_model="")
        .exclude(status=Status.RETIRED)
        .prefetch_related("options")
        .order_by("pk")
    )


def disagreements_by_version(questions: Iterable[Question]) -> list[VersionDisagreements]:
    """Check every linked key against every version of its model; count the disagreements."""
    tally: dict[tuple[str, str], list[int]] = {}
    for question in questions:
        model_id, _ = split_reference(question.decision_model)
        try:
            versions = engine.model_versions(model_id)
        except UnknownModelError:
            continue
        for version in versions:
            check = check_question(question, f"{model_id}@{version.version}")
            if check is None or check.error:
                continue
            counts = tally.setdefault((model_id, version.version), [0, 0])
            counts[0] += 1
            counts[1] += check.disagrees
    return [
        VersionDisagreements(
            model=model_id,
            version=version,
            title=engine.model(f"{model_id}@{version}").guideline.title,
            checked=checked,
            disagreeing=disagreeing,
        )
        for (model_id, version), (checked, disagreeing) in sorted(tally.items())
    ]


def pending_changes() -> list[PendingChange]:
    """List the published linked items whose stored guideline snapshot is no longer what the
    guidelines say, or whose key its linked version now disagrees with."""
    pending = []
    for question in linked_questions().filter(status=Status.PUBLISHED):
        check = check_question(question)
        changes = describe(question.guideline_snapshot, guideline_snapshot(question, check))
        if check is not None and check.error:
            changes.append(f"the link no longer decides: {check.error}")
        elif check is not None and check.disagrees and not question.decision_override_reason:
            changes.append(
                f"the key now disagrees with {question.decision_model}, which prefers "
                f"{check.engine_answer.letter if check.engine_answer else '?'}"
            )
        if changes:
            pending.append(
                PendingChange(
                    question_id=question.pk,
                    title=question.lead_in,
                    model=question.decision_model,
                    changes=changes,
                )
            )
    return pending


def refresh(question_ids: Iterable[int]) -> int:
    """Store the guidelines' current snapshot on these questions (after review); return how
    many changed."""
    questions = Question.objects.filter(pk__in=list(question_ids)).prefetch_related("options")
    return sum(refresh_guideline_snapshot(question) for question in questions)


def describe(stored: dict[str, Any], fresh: dict[str, Any]) -> list[str]:
    """Say in words how a question's guideline snapshot would change."""
    if stored == fresh:
        return []
    changes = []
    was, now = stored.get("follows"), fresh.get("follows")
    if was != now and _version(was) != _version(now):
        changes.append(f"follows {_version(now)} instead of {_version(was)}")
    elif was != now:
        changes.append(f"the title, date or sources of {_version(now)} change")
    was_note, note = stored.get("current"), fresh.get("current")
    if was_note is None and note is not None:
        changes.append(f"gains a 'Current guidelines' note from {_version(note['guideline'])}")
    elif was_note is not None and note is None:
        changes.append("loses its 'Current guidelines' note")
    elif was_note != note and note is not None:
        changes.append(f"its 'Current guidelines' note changes ({_version(note['guideline'])})")
    return changes


def _version(guideline: dict[str, Any] | None) -> str:
    if not guideline:
        return "no guideline"
    return f"{guideline['id']}@{guideline['version']}"
