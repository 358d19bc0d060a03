"""Account workflows shared by the web views, the API, the admin and the demo set-up."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from audit.log import record
from audit.models import AuditEvent
from learners.models import User
from learners.roles import Role
from quizbank import access


class AccountError(Exception):
    """A change to an account that is not allowed (an admin locking themselves out)."""

    def __init__(self, message: str, *, code: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


@transaction.atomic
def register_student(*, username: str, email: str, password: str) -> User:
    """Create a self-service account; every new sign-up is a Student."""
    user = User.objects.create_user(username=username, email=email, password=password)
    assign_role(user=user, role=Role.STUDENT)
    return user


@transaction.atomic
def assign_role(*, user: User, role: Role, by: User | None = None) -> None:
    """Make `role` the user's only role; Admins also get access to the admin site.

    A change made by someone (`by`) is audited; set-up code and sign-up pass no one.
    """
    access.require(by is None or access.is_admin(by), "Only admins change roles.")
    old_role = user.role
    if by is not None:
        check_account_change(user=user, by=by, role=role)
    user.groups.set([Group.objects.get(name=role.value)])
    is_staff = role == Role.ADMIN
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    # A superuser stays an Admin whatever their groups, so compare the role they now have.
    new_role = user.role
    if by is not None and new_role != old_role:
        record(
            actor=by,
            action=AuditEvent.Action.ROLE_CHANGED,
            target=user,
            details={"old_role": old_role.value, "new_role": new_role.value},
        )


@transaction.atomic
def deactivate_user(*, user: User, by: User) -> bool:
    """Stop `user` logging in, keeping all their data; return whether anything changed."""
    access.require(access.is_admin(by), "Only admins deactivate accounts.")
    check_account_change(user=user, by=by, is_active=False)
    return _set_active(user=user, by=by, is_active=False)


@transaction.atomic
def reactivate_user(*, user: User, by: User) -> bool:
    """Let a deactivated user log in again; return whether anything changed."""
    access.require(access.is_admin(by), "Only admins reactivate accounts.")
    check_account_change(user=user, by=by, is_active=True)
    return _set_active(user=user, by=by, is_active=True)


def check_account_change(
    *, user: User, by: User, role: Role | None = None, is_active: bool | None = None
) -> None:
    """Raise AccountError if `by` may not give `user` this role or active state."""
    # An admin locking themselves out could leave the platform without any admin.
    if by.pk == user.pk and user.role == Role.ADMIN and role not in (None, Role.ADMIN):
        raise AccountError(
            "You cannot remove your own admin role; ask another admin.",
            code="own_admin_role",
            field="role",
        )
    if by.pk == user.pk and is_active is False:
        raise AccountError(
            "You cannot deactivate your own account; ask another admin.",
            code="own_account",
            field="is_active",
        )
    if is_active and not user.is_active and is_erased(user):
        raise AccountError(
            "This account's personal data was erased; it cannot be reactivated.",
            code="erased_account",
            field="is_active",
        )


def is_erased(user: User) -> bool:
    """Whether the user's personal data was erased (`learners.personal_data`)."""
    return (
        AuditEvent.objects.about(user)
        .filter(action=AuditEvent.Action.PERSONAL_DATA_ERASED)
        .exists()
    )


def _set_active(*, user: User, by: User, is_active: bool) -> bool:
    # Conditional update: a repeated click (or two admins at once) records one event.
    changed = User.objects.filter(pk=user.pk, is_active=not is_active).update(is_active=is_active)
    user.is_active = is_active
    if changed:
        record(
            actor=by,
            action=AuditEvent.Action.USER_REACTIVATED
            if is_active
            else AuditEvent.Action.USER_DEACTIVATED,
            target=user,
        )
    return bool(changed)
