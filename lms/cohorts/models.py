"""Companies and their closed cohorts, and who belongs to a cohort."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.curriculum.models import DEFAULT_MIN_ATTENDANCE_PERCENT
from lms.db import TimestampMixin, enum_type
from lms.extensions import Model, db
from lms.i18n import site_timezone
from lms.labels import LabelledEnum

if TYPE_CHECKING:
    from lms.accounts.models import User
    from lms.curriculum.models import Course
    from lms.schedule.models import Block, Meeting


class EnrollmentStatus(LabelledEnum):
    INVITED = "invited", _l("invited")
    ACTIVE = "active", _l("active")
    WITHDRAWN = "withdrawn", _l("withdrawn")
    COMPLETED = "completed", _l("completed")


# How many days after a meeting's start its lecturers may still change its marks, unless
# the cohort says otherwise (the model's and the cohort form's default).
DEFAULT_ATTENDANCE_EDIT_DAYS = 14


# Enrollment states that still see their cohort (a withdrawn participant does not).
VISIBLE_ENROLLMENT = (EnrollmentStatus.INVITED, EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)


class Company(TimestampMixin, Model):
    __tablename__ = "company"
    __table_args__ = (sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    contact_name: Mapped[str] = mapped_column(sa.String(200), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")

    cohorts: Mapped[list[Cohort]] = relationship(back_populates="company")


class Cohort(TimestampMixin, Model):
    """One closed run of a course for one company, with its own completion rules."""

    __tablename__ = "cohort"
    __table_args__ = (
        sa.UniqueConstraint("course_id", "name"),
        sa.CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        sa.CheckConstraint("min_attendance_percent BETWEEN 0 AND 100", name="min_attendance_range"),
        sa.CheckConstraint("attendance_edit_days >= 0", name="edit_days_not_negative"),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id", ondelete="RESTRICT"))
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("company.id", ondelete="RESTRICT"))
    coordinator_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    # The configured LMS_TIMEZONE unless the coordinator chooses another.
    timezone: Mapped[str] = mapped_column(sa.String(64), default=site_timezone)
    location: Mapped[str] = mapped_column(sa.String(300), default="")
    # Completion rules; copied from the course's defaults when the cohort is created.
    min_attendance_percent: Mapped[int] = mapped_column(default=DEFAULT_MIN_ATTENDANCE_PERCENT)
    excused_counts: Mapped[bool] = mapped_column(default=False)
    # How many days after a meeting's start lecturers may still change its marks.
    attendance_edit_days: Mapped[int] = mapped_column(default=DEFAULT_ATTENDANCE_EDIT_DAYS)
    archived_at: Mapped[datetime | None]
    # Moved on by the database whenever the cohort's marks, meetings or roster change
    # (triggers, migration 0006): what is kept rendered per cohort is kept per version.
    # Never written by the application.
    data_version: Mapped[int] = mapped_column(default=0, server_default="0")

    course: Mapped[Course] = relationship()
    company: Mapped[Company] = relationship(back_populates="cohorts")
    coordinator: Mapped[User | None] = relationship()
    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="cohort")
    blocks: Mapped[list[Block]] = relationship(
        back_populates="cohort", order_by="Block.starts_on"
    )
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="cohort", order_by="Meeting.starts_at"
    )
    contacts: Mapped[list[User]] = relationship(secondary="cohort_contact")

    def __repr__(self) -> str:
        return f"<Cohort {self.id} {self.name}>"


class Enrollment(TimestampMixin, Model):
    __tablename__ = "enrollment"
    __table_args__ = (sa.UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[EnrollmentStatus] = mapped_column(
        enum_type(EnrollmentStatus, "status"), default=EnrollmentStatus.INVITED
    )
    invited_at: Mapped[datetime | None]
    activated_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    cohort: Mapped[Cohort] = relationship(back_populates="enrollments")
    user: Mapped[User] = relationship(back_populates="enrollments")

    def __repr__(self) -> str:
        return f"<Enrollment {self.id} cohort={self.cohort_id} user={self.user_id}>"


cohort_contact = sa.Table(
    "cohort_contact",
    db.metadata,
    sa.Column(
        "cohort_id", sa.ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "user_id", sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    ),
)
