"""What was sent to whom, so that reminders run by cron are sent once only."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import utcnow
from lms.extensions import Model


class NotificationLog(Model):
    __tablename__ = "notification_log"
    __table_args__ = (sa.UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # e.g. kind "deadline_reminder", key "assignment:12:enrollment:40:3d"
    kind: Mapped[str] = mapped_column(sa.String(60))
    key: Mapped[str] = mapped_column(sa.String(200))
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
