"""API tokens: a system's key to /api/v1, scoped by the role of whoever made it.

A token is shown once, when it is made; only its SHA-256 is stored (a leaked database
lists no working key), beside a short public key id that finds the row without comparing
secrets in the database. Tokens expire and can be revoked; a revoked one stays, for the
audit trail.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import enum_type, utcnow
from lms.extensions import Model
from lms.labels import LabelledEnum

if TYPE_CHECKING:
    from lms.accounts.models import User


class TokenScope(LabelledEnum):
    """What a token may do. A company contact's token reads their cohorts' status (what
    their page shows); a coordinator's reads everything, and may also write."""

    COMPANY = "company", _l("company: cohorts, schedule and status")
    READ = "read", _l("university: read")
    WRITE = "write", _l("university: read and write")


# Scopes a coordinator chooses from; a company contact's token is always COMPANY.
UNIVERSITY_SCOPES = (TokenScope.READ, TokenScope.WRITE)


class ApiToken(Model):
    __tablename__ = "api_token"
    __table_args__ = (
        sa.CheckConstraint("length(token_hash) = 64", name="token_hash_length"),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        sa.CheckConstraint("expires_at > created_at", name="expires_after_creation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The public part of the token ("lms_<key_id>_<secret>"), to find its row.
    key_id: Mapped[str] = mapped_column(sa.String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(80))
    scope: Mapped[TokenScope] = mapped_column(enum_type(TokenScope, "scope"))
    # The token acts for its owner: a company contact's reach, or a coordinator's. It
    # stops working when the owner loses the role or the account.
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def writes(self) -> bool:
        return self.scope == TokenScope.WRITE

    @property
    def university(self) -> bool:
        return self.scope in UNIVERSITY_SCOPES

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.key_id} {self.scope.value}>"
