"""Changes to accounts. Operations flush, never commit."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from lms.accounts.models import LecturerProfile, Locale, Role, TitleForm, User, UserRole
from lms.accounts.passwords import hash_password, needs_rehash, verify_password
from lms.db import utcnow
from lms.extensions import db

MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A request about an account cannot be carried out; the message says why."""


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
) -> User:
    if get_user_by_email(email) is not None:
        raise AccountError(f"an account for {email.strip().lower()} already exists")
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
    return user


def grant_role(user: User, role: Role) -> None:
    if not user.has_role(role):
        user.roles.append(UserRole(role=role))
    if role == Role.LECTURER and user.lecturer_profile is None:
        user.lecturer_profile = LecturerProfile()
    db.session.flush()


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
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
    user.last_login_at = utcnow()
    db.session.flush()
    return user
