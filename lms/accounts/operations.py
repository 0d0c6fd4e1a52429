"""Changes to accounts. Operations flush, never commit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from lms.accounts.models import (
    LecturerProfile,
    Locale,
    Role,
    TitleForm,
    TokenPurpose,
    User,
    UserRole,
)
from lms.accounts.passwords import (
    PasswordPolicyError,
    check_password_policy,
    hash_password,
    needs_rehash,
    verify_password,
)
from lms.accounts.sessions import end_all_sessions
from lms.accounts.tokens import count_recent_tokens, issue_token, use_token, withdraw_tokens
from lms.audit.operations import record_event
from lms.db import utcnow
from lms.errors import DomainError
from lms.extensions import db

__all__ = ["AccountError", "PasswordPolicyError"]

# Reset mails one account receives at most per hour, however many addresses ask.
RESET_MAILS_PER_HOUR = 5


class AccountError(DomainError):
    """A request about an account cannot be carried out."""


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def create_user(
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[Role] = (),
    *,
    password: str | None = None,
    title_form: TitleForm = TitleForm.NEUTRAL,
    locale: Locale = Locale.DE,
    by: User | None = None,
) -> User:
    if get_user_by_email(email) is not None:
        raise AccountError(_l("An account for %(email)s already exists.",
                              email=email.strip().lower()))
    user = User(
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        title_form=title_form,
        locale=locale,
    )
    user.roles = [UserRole(role=role) for role in dict.fromkeys(roles)]
    if password is not None:
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    record_event(by, "user.created", user,
                 after={"email": user.email, "roles": sorted(r.value for r in user.role_set)})
    return user


def grant_role(user: User, role: Role, *, by: User | None = None) -> None:
    if not user.has_role(role):
        user.roles.append(UserRole(role=role))
        db.session.flush()
        record_event(by, "user.role_granted", user, after={"role": role.value})
    if role == Role.LECTURER and user.lecturer_profile is None:
        user.lecturer_profile = LecturerProfile()
    db.session.flush()


def set_password(user: User, password: str) -> None:
    """Raises :class:`PasswordPolicyError` for a weak password."""
    check_password_policy(password, (user.email or "", user.first_name or "",
                                     user.last_name or ""))
    user.password_hash = hash_password(password)


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; unknown address and wrong password look
    the same from outside, in answer and in time."""
    user = get_user_by_email(email)
    stored = user.password_hash if user is not None else None
    if not verify_password(stored, password) or user is None or not user.is_active:
        return None
    if needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    db.session.flush()
    # A login is not a change to the person: updated_at (which dates names, e.g. a
    # lecturer's in calendar feeds) stays as it was.
    db.session.execute(
        sa.update(User).where(User.id == user.id)
        .values(last_login_at=utcnow(), updated_at=User.updated_at),
        execution_options={"synchronize_session": "fetch"},
    )
    return user


def request_password_reset(email: str) -> tuple[User, str] | None:
    """A reset link for an active account with this address, or None (the caller
    answers the same either way).

    Asking again does not withdraw the links sent before: otherwise whoever asks for the
    holder's address again and again would make every link useless before it is used.
    Instead the account receives at most ``RESET_MAILS_PER_HOUR`` links an hour; past that
    nothing more is sent, and the links already in the mailbox (valid for two hours)
    still work."""
    user = get_user_by_email(email)
    if user is None or not user.is_active or user.password_hash is None:
        return None
    since = utcnow() - timedelta(hours=1)
    if count_recent_tokens(user, TokenPurpose.PASSWORD_RESET, since) >= RESET_MAILS_PER_HOUR:
        return None
    return user, issue_token(user, TokenPurpose.PASSWORD_RESET, keep_earlier=True)


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset link; the link works once, and every session of the
    account ends. Raises TokenError or PasswordPolicyError."""
    from lms.accounts.tokens import find_token

    user = find_token(token, TokenPurpose.PASSWORD_RESET).user
    set_password(user, password)
    use_token(token, TokenPurpose.PASSWORD_RESET)
    withdraw_tokens(user, TokenPurpose.PASSWORD_RESET)  # its other reset links
    end_all_sessions(user)
    record_event(None, "user.password_reset", user)
    db.session.flush()
    return user
