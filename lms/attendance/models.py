"""One participant at one meeting."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import enum_type, utcnow
from lms.extensions import db

if TYPE_CHECKING:
    from lms.accounts.models import User
    from lms.cohorts.models import Enrollment
    from lms.schedule.models import Meeting


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    LATE = "late"  # arrived late or left early: minutes_attended says how long
    EXCUSED = "excused"
    ABSENT = "absent"


class Attendance(db.Model):
    __tablename__ = "attendance"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "enrollment_id"),
        sa.CheckConstraint(
            "minutes_attended IS NULL OR minutes_attended >= 0", name="minutes_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"))
    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[AttendanceStatus] = mapped_column(enum_type(AttendanceStatus, "status"))
    minutes_attended: Mapped[int | None]
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    meeting: Mapped[Meeting] = relationship()
    enrollment: Mapped[Enrollment] = relationship()
    recorded_by: Mapped[User | None] = relationship()
