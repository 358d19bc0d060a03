"""Problems students report with questions: the review queue lists them until closed."""

from __future__ import annotations

from datetime import datetime

from learners.models import User
from quizbank import access
from quizbank.models import ProblemReport


def resolve_problem_report(*, report: ProblemReport, by: User, now: datetime) -> None:
    """Close a student's problem report (idempotent: a closed report stays as it was)."""
    access.require(access.is_author(by), "Only instructors and admins handle problem reports.")
    ProblemReport.objects.filter(pk=report.pk, resolved_at__isnull=True).update(
        resolved_at=now, resolved_by=by
    )
