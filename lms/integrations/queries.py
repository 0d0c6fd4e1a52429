"""Reads for API tokens: finding the token a request presents, and listing one's own."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lms.accounts.models import Role, User
from lms.extensions import db
from lms.integrations.models import ApiToken, TokenScope

TOKEN_PREFIX = "lms_"  # noqa: S105 (the shape of a token, no secret)
KEY_ID_LENGTH = 8  # secrets.token_urlsafe(6)


def hash_api_token(token: str) -> str:
    """SHA-256 of the token: the token has 256 random bits, so no slow hash is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


def find_api_token(token: str, now: datetime) -> ApiToken | None:
    """The active token ``token`` is, or None (unknown, wrong secret, expired, revoked, or
    its owner may no longer act so). The stored hash is compared in constant time."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    body = token[len(TOKEN_PREFIX):]
    # "<key id>_<secret>": the key id has KEY_ID_LENGTH characters (it may hold "_" itself)
    if len(body) <= KEY_ID_LENGTH + 1 or body[KEY_ID_LENGTH] != "_":
        return None
    row: ApiToken | None = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.key_id == body[:KEY_ID_LENGTH]))
    if row is None:
        hmac.compare_digest(hash_api_token(token), "0" * 64)  # the same work either way
        return None
    if not hmac.compare_digest(hash_api_token(token), row.token_hash):
        return None
    if not row.active(now) or not owner_may_act(row):
        return None
    return row


def owner_may_act(token: ApiToken) -> bool:
    """The owner still has the role the token's scope needs, and an active account."""
    user = token.user
    if not user.is_active_account:
        return False
    needed = Role.COMPANY_CONTACT if token.scope == TokenScope.COMPANY else Role.COORDINATOR
    return user.has_role(needed)


def list_api_tokens(user: User) -> list[ApiToken]:
    """``user``'s tokens, newest first (revoked and expired ones too, as the record)."""
    return list(db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def get_api_token(token_id: int) -> ApiToken | None:
    return db.session.get(ApiToken, token_id)


def list_university_tokens() -> list[ApiToken]:
    """Every coordinator's token (they manage the university's systems together)."""
    return list(db.session.scalars(
        sa.select(ApiToken).where(ApiToken.scope != TokenScope.COMPANY)
        .options(selectinload(ApiToken.user))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))
