"""Server-side login sessions.

The signed session cookie carries a random session token; the database keeps its hash.
Logging out revokes the row, so a copied cookie stops working at once, and every login
starts a new token (no session fixation). Like every operation these flush and never
commit: the request (or the command) commits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import defer, lazyload

from lms.accounts.models import Role, User, UserRole, UserSession
from lms.db import utcnow
from lms.extensions import db

# How often last_seen_at is written: not on every request.
TOUCH_EVERY = timedelta(minutes=5)
# A session unused for this long ends by itself.
IDLE_LIMIT = timedelta(days=14)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user=user, token_hash=_hash(token)))
    db.session.flush()
    return token


def end_session(token: str | None) -> None:
    if not token:
        return
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.token_hash == _hash(token), UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def end_all_sessions(user: User) -> None:
    """After a password change every other device has to log in again."""
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


@dataclass(frozen=True)
class LiveSession:
    user: User
    # last_seen_at was moved on (flushed): the request that asked commits it, so that the
    # session's idle time counts from now (see lms.web's after-request hook).
    touched: bool


def user_for_session(user_id: str, token: str | None, *,
                     now: datetime | None = None) -> LiveSession | None:
    """The user of a live session, or None (revoked, idle too long, or not this user's).
    One statement: the session, its user and the user's roles (a row per role). At most
    every ``TOUCH_EVERY`` its last use is moved on, not committed."""
    if not token or not user_id.isdigit():
        return None
    rows = db.session.execute(_lookup(), {"token_hash": _hash(token),
                                        "user_id": int(user_id)}).all()
    if not rows:
        return None
    session_id, last_seen_at, revoked_at, user, _role = rows[0]
    user.remember_roles(frozenset(row[4] for row in rows if row[4] is not None))
    now = now or utcnow()
    if revoked_at is not None or now - last_seen_at > IDLE_LIMIT:
        return None
    touched = now - last_seen_at > TOUCH_EVERY
    if touched:
        db.session.execute(sa.update(UserSession).where(UserSession.id == session_id)
                           .values(last_seen_at=now))
    return LiveSession(user, touched)


@cache
def _lookup() -> sa.Select[int, datetime, datetime | None, User, Role | None]:
    """The session, its user, and a row per role of the user. Built once (after every
    model is mapped)."""
    return (
        sa.select(UserSession.id, UserSession.last_seen_at, UserSession.revoked_at, User,
                  UserRole.role)
        .join(User, User.id == UserSession.user_id)
        .outerjoin(UserRole, UserRole.user_id == User.id)
        # The roles are read here already (not by the mapping's selectin); what pages
        # rarely need is read when asked for.
        .options(lazyload(User.roles), defer(User.password_hash), defer(User.created_at),
                 defer(User.updated_at), defer(User.last_login_at))
        .where(UserSession.token_hash == sa.bindparam("token_hash"),
               UserSession.user_id == sa.bindparam("user_id"))
    )
