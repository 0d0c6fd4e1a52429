"""Making and revoking API tokens. Operations flush, never commit; each is audited."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from lms.accounts.models import Role, User
from lms.audit.operations import record_event
from lms.db import max_length, utcnow
from lms.errors import DomainError
from lms.extensions import db
from lms.integrations.models import UNIVERSITY_SCOPES, ApiToken, TokenScope
from lms.integrations.queries import TOKEN_PREFIX, hash_api_token

# How long a new token works, in days; the form offers these, the operation checks them.
LIFETIMES_DAYS = (30, 90, 180, 365)
DEFAULT_LIFETIME_DAYS = 90
KEY_ID_BYTES = 6  # KEY_ID_LENGTH (8) url-safe characters: finds the row, proves nothing
SECRET_BYTES = 32  # 256 bits
NAME_MAX = max_length(ApiToken.name)
# A token's last use is written at most this often (a busy system would otherwise write
# on every read).
USE_NOTED_EVERY = timedelta(minutes=5)


class IntegrationError(DomainError):
    """A token cannot be made or changed."""


def create_api_token(owner: User, name: str, scope: TokenScope, lifetime_days: int,
                     *, now: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for ``owner``'s systems. Returns the row and the token itself, which
    exists nowhere else after this call (only its hash is stored)."""
    name = name.strip()
    if not name:
        raise IntegrationError(_l("Give the token a name."), field="name")
    if len(name) > NAME_MAX:
        raise IntegrationError(lazy_ngettext("At most %(num)s character.",
                                             "At most %(num)s characters.", NAME_MAX),
                               field="name")
    if lifetime_days not in LIFETIMES_DAYS:
        raise IntegrationError(_l("Choose one of the offered lifetimes."), field="lifetime")
    if scope in UNIVERSITY_SCOPES and not owner.has_role(Role.COORDINATOR):
        raise IntegrationError(_l("Only coordinators make tokens for the university."),
                               field="scope")
    if scope == TokenScope.COMPANY and not owner.has_role(Role.COMPANY_CONTACT):
        raise IntegrationError(_l("Only company contacts make company tokens."), field="scope")
    now = now or utcnow()
    key_id = secrets.token_urlsafe(KEY_ID_BYTES)
    token = f"{TOKEN_PREFIX}{key_id}_{secrets.token_urlsafe(SECRET_BYTES)}"
    row = ApiToken(key_id=key_id, token_hash=hash_api_token(token), name=name, scope=scope,
                   user=owner, created_at=now, expires_at=now + timedelta(days=lifetime_days))
    db.session.add(row)
    db.session.flush()
    record_event(owner, "api_token.created", row,
                 after={"name": name, "scope": scope.value, "key_id": key_id,
                        "expires_at": row.expires_at.isoformat()})
    return row, token


def revoke_api_token(token: ApiToken, *, by: User, now: datetime | None = None) -> bool:
    """Stop ``token`` now; False when it had been revoked already."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now or utcnow()
    token.revoked_by_id = by.id
    db.session.flush()
    record_event(by, "api_token.revoked", token,
                 after={"name": token.name, "scope": token.scope.value, "key_id": token.key_id})
    return True


def note_token_use(token: ApiToken, now: datetime) -> bool:
    """Move the token's last use on (at most every USE_NOTED_EVERY); True when it moved."""
    if token.last_used_at is not None and now - token.last_used_at < USE_NOTED_EVERY:
        return False
    token.last_used_at = now
    db.session.flush()
    return True


def record_api_write(token: ApiToken, action: str, obj: object, *, cohort_id: int | None,
                     after: dict[str, Any]) -> None:
    """The audit trail of a change made through the API names the token it came with
    (the change itself is recorded by its operation, with the token's owner as actor)."""
    record_event(token.user, f"api.{action}", obj, cohort_id=cohort_id,
                 after={"token_id": token.id, "key_id": token.key_id, **after})
