"""Who changed what, when, and from what to what."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.db import utcnow
from lms.extensions import Model


class AuditEvent(Model):
    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_cohort_occurred", "cohort_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(sa.String(80))
    object_type: Mapped[str] = mapped_column(sa.String(80))
    object_id: Mapped[str] = mapped_column(sa.String(80))
    # Kept without a foreign key: the trail must outlive what it describes.
    cohort_id: Mapped[int | None]
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    actor: Mapped[User | None] = relationship()
