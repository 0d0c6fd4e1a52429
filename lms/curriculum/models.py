"""Courses and their modules, loaded from ``course_content/``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import TitleForm
from lms.db import TimestampMixin, enum_type
from lms.extensions import Model
from lms.labels import LabelledEnum


class AssessmentKind(LabelledEnum):
    PAPER = "paper", _l("written paper (upload)")  # Hausarbeit: a file is handed in
    ASSESSMENT = "assessment", _l("assessment without upload")  # oral exam, presentation


class GradingScheme(LabelledEnum):
    PASS_FAIL = "pass_fail", _l("passed / not passed")
    POINTS = "points", _l("points with a pass mark")


# A course's minimum attendance when its content does not state one, and a cohort's.
DEFAULT_MIN_ATTENDANCE_PERCENT = 80


class Course(TimestampMixin, Model):
    __tablename__ = "course"
    __table_args__ = (
        sa.CheckConstraint(
            "default_min_attendance_percent BETWEEN 0 AND 100", name="min_attendance_range"
        ),
        sa.CheckConstraint("total_hours > 0", name="total_hours_positive"),
        sa.CheckConstraint("credits IS NULL OR credits > 0", name="credits_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title_neutral: Mapped[str] = mapped_column(sa.String(200))
    title_female: Mapped[str] = mapped_column(sa.String(200))
    title_male: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(200))
    provider: Mapped[str] = mapped_column(sa.String(200))
    provider_unit: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    total_hours: Mapped[int]
    # Credit points (ECTS) a completed course earns, if it carries any (course.toml
    # "credits"); the credentials state them as creditsAvailable / creditsEarned.
    credits: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 1))
    default_min_attendance_percent: Mapped[int] = mapped_column(
        default=DEFAULT_MIN_ATTENDANCE_PERCENT)
    default_excused_counts: Mapped[bool] = mapped_column(default=False)
    # The module evaluation's questionnaire (course_content's evaluation.toml, see
    # lms.evaluation.questionnaire); None: the course evaluates nothing.
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    modules: Mapped[list[Module]] = relationship(
        back_populates="course", order_by="Module.number", cascade="all, delete-orphan"
    )
    assessments: Mapped[list[CourseAssessment]] = relationship(
        back_populates="course", order_by="CourseAssessment.id", cascade="all, delete-orphan"
    )

    def title_for(self, form: TitleForm) -> str:
        return {
            TitleForm.NEUTRAL: self.title_neutral,
            TitleForm.FEMALE: self.title_female,
            TitleForm.MALE: self.title_male,
        }[form]

    def __repr__(self) -> str:
        return f"<Course {self.slug}>"


class Module(TimestampMixin, Model):
    __tablename__ = "module"
    __table_args__ = (
        sa.UniqueConstraint("course_id", "number"),
        sa.UniqueConstraint("course_id", "slug"),
        sa.CheckConstraint("hours > 0", name="hours_positive"),
        sa.CheckConstraint("number > 0", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id", ondelete="CASCADE"))
    number: Mapped[int]
    slug: Mapped[str] = mapped_column(sa.String(80))
    title: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    learning_outcomes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    hours: Mapped[int]

    course: Mapped[Course] = relationship(back_populates="modules")

    def __repr__(self) -> str:
        return f"<Module {self.number} {self.slug}>"


class CourseAssessment(Model):
    """A course's default assessment; each new cohort gets its own copy as an Assignment."""

    __tablename__ = "course_assessment"
    __table_args__ = (
        sa.UniqueConstraint("course_id", "key"),
        sa.CheckConstraint(
            "grading = 'pass_fail' OR (max_points IS NOT NULL AND pass_points IS NOT NULL"
            " AND pass_points > 0 AND pass_points <= max_points)",
            name="points_consistent",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id", ondelete="CASCADE"))
    module_id: Mapped[int | None] = mapped_column(sa.ForeignKey("module.id", ondelete="SET NULL"))
    key: Mapped[str] = mapped_column(sa.String(80))
    title: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[AssessmentKind] = mapped_column(enum_type(AssessmentKind, "assessment_kind"))
    grading: Mapped[GradingScheme] = mapped_column(enum_type(GradingScheme, "grading"))
    max_points: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    pass_points: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    required: Mapped[bool] = mapped_column(default=True)

    course: Mapped[Course] = relationship(back_populates="assessments")
    module: Mapped[Module | None] = relationship()
