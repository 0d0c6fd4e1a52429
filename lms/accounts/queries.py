"""Reads of accounts."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from lms.accounts.models import Role, User, UserRole
from lms.extensions import db


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def list_users(user_ids: Iterable[int]) -> list[User]:
    """The accounts with these ids (unknown ids name nobody)."""
    ids = list(user_ids)
    if not ids:
        return []
    return list(db.session.scalars(sa.select(User).where(User.id.in_(ids))))


def list_users_with_role(role: Role) -> list[User]:
    """Everyone who holds ``role``, by last and first name (for the choices of a form)."""
    return list(db.session.scalars(
        sa.select(User).join(UserRole).where(UserRole.role == role)
        .order_by(User.last_name, User.first_name)))
