"""What participants hand in or are examined on, and how it was graded."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.curriculum.models import AssessmentKind, GradingScheme
from lms.db import TimestampMixin, enum_type, utcnow
from lms.extensions import Model
from lms.labels import LabelledEnum

if TYPE_CHECKING:
    from lms.accounts.models import User
    from lms.cohorts.models import Cohort, Enrollment
    from lms.curriculum.models import Module


# The longest description of an assignment (a TEXT column) the assignment form takes.
DESCRIPTION_MAX = 5000


class GradeState(LabelledEnum):
    """Where one participant's work on one assignment stands (not stored: read from the
    grade and the submissions), the same on the grading pages and in the gradebook."""

    PASSED = "passed", _l("passed")
    FAILED = "failed", _l("not passed")
    SUBMITTED = "submitted", _l("handed in, not graded")
    MISSING = "missing", _l("not handed in")  # a paper whose due date has passed
    OPEN = "open", _l("open")  # nothing to grade yet


class Assignment(TimestampMixin, Model):
    __tablename__ = "assignment"
    __table_args__ = (
        sa.UniqueConstraint("cohort_id", "key"),
        sa.CheckConstraint(
            "grading = 'pass_fail' OR (max_points IS NOT NULL AND pass_points IS NOT NULL"
            " AND pass_points > 0 AND pass_points <= max_points)",
            name="points_consistent",
        ),
        sa.CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"))
    module_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("module.id", ondelete="RESTRICT"), index=True
    )
    key: Mapped[str] = mapped_column(sa.String(80))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[AssessmentKind] = mapped_column(enum_type(AssessmentKind, "kind"))
    grading: Mapped[GradingScheme] = mapped_column(enum_type(GradingScheme, "grading"))
    max_points: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    pass_points: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    due_at: Mapped[datetime | None]
    required: Mapped[bool] = mapped_column(default=True)

    cohort: Mapped[Cohort] = relationship()
    module: Mapped[Module | None] = relationship()


class Submission(Model):
    """One uploaded version; resubmitting adds a version and keeps the earlier ones."""

    __tablename__ = "submission"
    # The file is in this storage area under ``stored_name``, with ``sha256`` and
    # ``size_bytes`` (`lms doctor` checks every row that declares an area so).
    storage_area: ClassVar[str] = "submissions"
    __table_args__ = (
        sa.UniqueConstraint("assignment_id", "enrollment_id", "version"),
        sa.CheckConstraint("version > 0", name="version_positive"),
        sa.CheckConstraint("size_bytes >= 0", name="size_not_negative"),
        sa.CheckConstraint("length(sha256) = 64", name="sha256_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assignment.id", ondelete="RESTRICT")
    )
    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment.id", ondelete="RESTRICT"), index=True
    )
    version: Mapped[int] = mapped_column(default=1)
    original_filename: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_late: Mapped[bool] = mapped_column(default=False)

    assignment: Mapped[Assignment] = relationship()
    enrollment: Mapped[Enrollment] = relationship()


class Grade(TimestampMixin, Model):
    __tablename__ = "grade"
    __table_args__ = (
        sa.UniqueConstraint("assignment_id", "enrollment_id"),
        sa.CheckConstraint("points IS NULL OR points >= 0", name="points_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assignment.id", ondelete="RESTRICT")
    )
    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment.id", ondelete="RESTRICT"), index=True
    )
    submission_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="SET NULL")
    )
    passed: Mapped[bool]
    points: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    feedback: Mapped[str] = mapped_column(sa.Text, default="")
    graded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    graded_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    assignment: Mapped[Assignment] = relationship()
    enrollment: Mapped[Enrollment] = relationship()
    submission: Mapped[Submission | None] = relationship()
    graded_by: Mapped[User | None] = relationship()

    @property
    def state(self) -> GradeState:
        return GradeState.PASSED if self.passed else GradeState.FAILED
