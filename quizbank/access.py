"""Who may do what with a question or an evidence summary: the one place these rules live.

Instructors author; an instructor edits their own drafts; any other instructor reviews (edits
while reviewing, comments, requests changes, publishes, asks for retirement); the author retires
their own published question; admins may do everything, including publishing their own
question (an override that is recorded as such).
"""

from __future__ import annotations

from typing import Protocol

from django.core.exceptions import PermissionDenied

from learners.models import User
from quizbank.models import Status


class Reviewable(Protocol):
    status: str
    author_id: int


def is_author(user: User) -> bool:
    return user.is_active and user.has_perm("learners.author_questions")


def is_admin(user: User) -> bool:
    return user.is_active and (
        user.is_superuser or user.has_perm("learners.view_platform_dashboard")
    )


def can_edit(user: User, item: Reviewable) -> bool:
    if is_admin(user):
        return True
    if not is_author(user):
        return False
    if item.author_id == user.pk:
        return item.status == Status.DRAFT
    return item.status in {Status.IN_REVIEW, Status.PUBLISHED}


def can_review(user: User, item: Reviewable) -> bool:
    """Return True when `user` may publish, retire or request changes on `item`."""
    if is_admin(user):
        return True
    return (
        is_author(user) and user.has_perm("quizbank.review_question") and item.author_id != user.pk
    )


def may_submit(user: User, item: Reviewable) -> bool:
    """The author sends their own draft to review (an admin may do it for them)."""
    return item.author_id == user.pk or is_admin(user)


def may_retire(user: User, item: Reviewable) -> bool:
    """The author or an admin takes a question out of practice; another instructor asks them."""
    return is_admin(user) or (is_author(user) and item.author_id == user.pk)


def may_publish(user: User, item: Reviewable) -> bool:
    """A reviewer other than the author publishes; an admin may publish their own (override)."""
    return can_review(user, item) and (item.author_id != user.pk or is_admin(user))


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
