"""Single-use, expiring links sent by email (invitations, password resets)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from lms.accounts.errors import AccountError
from lms.accounts.models import OneTimeToken, TokenPurpose, User
from lms.db import rowcount, utcnow
from lms.extensions import db

LIFETIME = {
    TokenPurpose.INVITATION: timedelta(days=14),
    TokenPurpose.PASSWORD_RESET: timedelta(hours=2),
}


class TokenError(AccountError):
    """The link cannot be used."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    user: User, purpose: TokenPurpose, *, enrollment_id: int | None = None,
    by: User | None = None, keep_earlier: bool = False,
) -> str:
    """A new link; earlier unused links of the same purpose (and cohort) stop working,
    unless ``keep_earlier``."""
    if not keep_earlier:
        withdraw_tokens(user, purpose, enrollment_id=enrollment_id)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(OneTimeToken(
        purpose=purpose, token_hash=hash_token(token), user=user, enrollment_id=enrollment_id,
        created_at=now, expires_at=now + LIFETIME[purpose],
        created_by_id=by.id if by is not None else None,
    ))
    db.session.flush()
    return token


def count_recent_tokens(user: User, purpose: TokenPurpose, since: datetime) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(OneTimeToken).where(
            OneTimeToken.user_id == user.id, OneTimeToken.purpose == purpose,
            OneTimeToken.created_at >= since,
        )
    ) or 0


def withdraw_tokens(user: User, purpose: TokenPurpose, *, enrollment_id: int | None = None) -> None:
    query = sa.update(OneTimeToken).where(
        OneTimeToken.user_id == user.id,
        OneTimeToken.purpose == purpose,
        OneTimeToken.used_at.is_(None),
        OneTimeToken.withdrawn_at.is_(None),
    )
    if enrollment_id is not None:
        query = query.where(OneTimeToken.enrollment_id == enrollment_id)
    db.session.execute(query.values(withdrawn_at=utcnow()))


def find_token(token: str, purpose: TokenPurpose) -> OneTimeToken:
    """The token if it may still be used; raises :class:`TokenError` otherwise."""
    record = db.session.scalar(
        sa.select(OneTimeToken).where(
            OneTimeToken.token_hash == hash_token(token), OneTimeToken.purpose == purpose
        )
    )
    if record is None or record.withdrawn_at is not None:
        raise TokenError(_l("This link is not valid (any more)."))
    if record.used_at is not None:
        raise TokenError(_l("This link has already been used."))
    if record.expires_at <= utcnow():
        raise TokenError(_l("This link has expired. Please ask for a new one."))
    return record


def use_token(token: str, purpose: TokenPurpose) -> OneTimeToken:
    """Mark the token used, atomically: of two requests with one link only one wins."""
    record = find_token(token, purpose)
    used = db.session.execute(
        sa.update(OneTimeToken)
        .where(OneTimeToken.id == record.id, OneTimeToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if rowcount(used) != 1:
        raise TokenError(_l("This link has already been used."))
    return record


def renew_secret(token_id: int) -> tuple[OneTimeToken, str] | None:
    """A new secret for the link ``token_id`` (same purpose, person and expiry), for the
    mail that carries it: the mail's job holds the row's id, never a secret, so that
    nothing usable waits in the queue; a retry renews it again (the secret of a mail that
    did not go out is thereby void). None when the link can no longer be used (used,
    withdrawn, expired, or gone): then there is nothing to send."""
    record = db.session.get(OneTimeToken, token_id)
    if (record is None or record.used_at is not None or record.withdrawn_at is not None
            or record.expires_at <= utcnow()):
        return None
    token = secrets.token_urlsafe(32)
    record.token_hash = hash_token(token)
    db.session.flush()
    return record, token
