"""Blocks and meetings: when a cohort gathers, where, and who teaches."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import TimestampMixin, enum_type
from lms.extensions import Model, db
from lms.labels import LabelledEnum

if TYPE_CHECKING:
    from lms.accounts.models import User
    from lms.cohorts.models import Cohort
    from lms.curriculum.models import Module


class MeetingStatus(LabelledEnum):
    SCHEDULED = "scheduled", _l("scheduled")
    CANCELLED = "cancelled", _l("cancelled")


def new_ical_uid() -> str:
    """A UID fixed at creation: calendars recognise the event by it through every move."""
    return f"{uuid.uuid4()}@lms"


class Block(TimestampMixin, Model):
    """Consecutive days (often Friday to Sunday) that group a cohort's meetings."""

    __tablename__ = "block"
    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        sa.CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cohort.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    cohort: Mapped[Cohort] = relationship(back_populates="blocks")
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="block", order_by="Meeting.starts_at"
    )

    @property
    def outside_cohort_dates(self) -> bool:
        """Allowed (the coordinator may want it), but the pages say so."""
        return self.starts_on < self.cohort.starts_on or self.ends_on > self.cohort.ends_on


def duration_minutes(starts_at: datetime, ends_at: datetime) -> int:
    """A meeting's real duration in whole minutes: across a change of the clocks it
    differs from the wall clock."""
    return int((ends_at.astimezone(UTC) - starts_at.astimezone(UTC)).total_seconds() // 60)


class Meeting(TimestampMixin, Model):
    __tablename__ = "meeting"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("ical_sequence >= 0", name="sequence_not_negative"),
        sa.Index("ix_meeting_cohort_starts", "cohort_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id", ondelete="RESTRICT"))
    block_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("block.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    location: Mapped[str] = mapped_column(sa.String(300), default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[MeetingStatus] = mapped_column(
        enum_type(MeetingStatus, "status"), default=MeetingStatus.SCHEDULED
    )
    cancelled_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    ical_uid: Mapped[str] = mapped_column(sa.String(120), unique=True, default=new_ical_uid)
    ical_sequence: Mapped[int] = mapped_column(default=0)

    cohort: Mapped[Cohort] = relationship(back_populates="meetings")
    module: Mapped[Module] = relationship()
    block: Mapped[Block | None] = relationship(back_populates="meetings")
    lecturers: Mapped[list[User]] = relationship(
        secondary="meeting_lecturer", order_by="User.last_name"
    )

    @property
    def duration_minutes(self) -> int:
        return duration_minutes(self.starts_at, self.ends_at)

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def local_day(self) -> date:
        """The day it starts on, in the cohort's time zone."""
        return self.starts_at.astimezone(ZoneInfo(self.cohort.timezone)).date()

    @property
    def outside_cohort_dates(self) -> bool:
        """Before the cohort's first or after its last day: allowed (the coordinator may
        want it), but the pages say so."""
        return not self.cohort.starts_on <= self.local_day <= self.cohort.ends_on

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.starts_at:%Y-%m-%d %H:%M}>"


meeting_lecturer = sa.Table(
    "meeting_lecturer",
    db.metadata,
    sa.Column("meeting_id", sa.ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "user_id",
        sa.ForeignKey("user_account.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)
