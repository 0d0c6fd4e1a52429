"""Secret, revocable calendar subscription URLs."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import enum_type, utcnow
from lms.extensions import Model

if TYPE_CHECKING:
    from lms.accounts.models import User
    from lms.cohorts.models import Cohort


class FeedScope(enum.StrEnum):
    PERSONAL = "personal"  # the owner's own schedule
    COHORT = "cohort"  # a cohort's schedule, handed to the company


class CalendarFeed(Model):
    __tablename__ = "calendar_feed"
    __table_args__ = (
        sa.CheckConstraint(
            "(scope = 'personal' AND user_id IS NOT NULL)"
            " OR (scope = 'cohort' AND cohort_id IS NOT NULL)",
            name="scope_target",
        ),
        sa.CheckConstraint("length(token_hash) = 64", name="token_hash_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[FeedScope] = mapped_column(enum_type(FeedScope, "scope"))
    # Only the SHA-256 of the token is stored: a leaked database lists no working URL.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    cohort_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cohort.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None]

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    cohort: Mapped[Cohort | None] = relationship()
