"""One participant at one meeting."""

from __future__ import annotations

import enum
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
    from lms.cohorts.models import Enrollment
    from lms.schedule.models import Meeting


class AttendanceStatus(LabelledEnum):
    PRESENT = "present", _l("present")
    # Arrived late or left early: minutes_attended says how long.
    LATE = "late", _l("late / left early")
    EXCUSED = "excused", _l("excused")
    ABSENT = "absent", _l("absent")

    @property
    def symbol(self) -> str:
        """The mark in a cell of the attendance matrix (its label is said beside it)."""
        return ATTENDANCE_SYMBOLS[self]


ATTENDANCE_SYMBOLS = {AttendanceStatus.PRESENT: "✓", AttendanceStatus.LATE: "◐",
                      AttendanceStatus.EXCUSED: "E", AttendanceStatus.ABSENT: "✗"}


class AttendanceSource(enum.StrEnum):
    """Who recorded a mark: kept for the change log; pages say only that someone checked
    in themselves (with the time), never the word for the source."""

    LECTURER = "lecturer"
    SELF_CHECK_IN = "self_check_in"
    COORDINATOR = "coordinator"


class Attendance(Model):
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
    source: Mapped[AttendanceSource] = mapped_column(
        enum_type(AttendanceSource, "source"),
        default=AttendanceSource.LECTURER,
        server_default=AttendanceSource.LECTURER.value,
    )

    meeting: Mapped[Meeting] = relationship()
    enrollment: Mapped[Enrollment] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    @property
    def checked_in_themselves(self) -> bool:
        """Recorded by the participant's own check-in (the roster says so, with the time)."""
        return self.source == AttendanceSource.SELF_CHECK_IN


class AbsenceDecision(LabelledEnum):
    PENDING = "pending", _l("decision pending")
    EXCUSED = "excused", _l("excused")
    NOT_EXCUSED = "not_excused", _l("not excused")


class AbsenceNotice(Model):
    """A participant announces in advance that they will miss a meeting; the coordinator
    decides whether it counts as excused."""

    __tablename__ = "absence_notice"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "enrollment_id"),
        sa.CheckConstraint("length(trim(reason)) > 0", name="reason_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"))
    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decision: Mapped[AbsenceDecision] = mapped_column(
        enum_type(AbsenceDecision, "decision"), default=AbsenceDecision.PENDING
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship()
    enrollment: Mapped[Enrollment] = relationship()
