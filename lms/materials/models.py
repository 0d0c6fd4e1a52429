"""Materials: what lecturers and the coordinator give a cohort for a module or a meeting.

A material is a file (with every version kept; participants get the newest) or a link. It
is released at a time its author chooses: at once, at the meeting's start, after it ends,
or on a date; until then only its authors' side sees it. Withdrawing hides it from the
participants and keeps it. The course's standing materials (``course_content/<course>/
materials/``) belong to the course and are released to every cohort.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import enum_type, utcnow
from lms.extensions import Model
from lms.labels import LabelledEnum

if TYPE_CHECKING:
    from lms.accounts.models import User
    from lms.cohorts.models import Cohort
    from lms.curriculum.models import Course, Module
    from lms.schedule.models import Meeting

# The storage area of every material file.
AREA = "materials"
# The longest note a material may have (characters).
NOTE_MAX = 2000


class MaterialKind(LabelledEnum):
    FILE = "file", _l("uploaded file")
    LINK = "link", _l("link")


class Release(LabelledEnum):
    """When participants get a material."""

    NOW = "now", _l("now")
    MEETING_START = "meeting_start", _l("at the start of the meeting")
    MEETING_END = "meeting_end", _l("after the meeting has ended")
    DATE = "date", _l("on a date")

    @property
    def needs_meeting(self) -> bool:
        return self in (Release.MEETING_START, Release.MEETING_END)


class Material(Model):
    __tablename__ = "material"
    __table_args__ = (
        sa.CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        sa.CheckConstraint("kind = 'file' OR length(url) > 0", name="link_has_url"),
        sa.CheckConstraint(
            "release IN ('meeting_start', 'meeting_end') AND meeting_id IS NOT NULL"
            " OR release IN ('now', 'date') AND release_at IS NOT NULL",
            name="release_defined"),
        sa.Index("ix_material_cohort_module", "cohort_id", "module_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id", ondelete="RESTRICT"))
    # Set for a material of one meeting (of the module); None: of the whole module.
    meeting_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MaterialKind] = mapped_column(enum_type(MaterialKind, "kind"))
    title: Mapped[str] = mapped_column(sa.String(200))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    url: Mapped[str] = mapped_column(sa.String(500), default="")
    release: Mapped[Release] = mapped_column(enum_type(Release, "release"))
    # The moment of a release "now" or "on a date"; a meeting's release follows the
    # meeting (also when it moves).
    release_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    withdrawn_at: Mapped[datetime | None]
    # The material of an earlier cohort this one was taken over from.
    reused_from_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("material.id", ondelete="SET NULL"))

    cohort: Mapped[Cohort] = relationship()
    module: Mapped[Module] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    versions: Mapped[list[MaterialVersion]] = relationship(
        back_populates="material", order_by="MaterialVersion.version.desc()")

    @property
    def released_at(self) -> datetime:
        """When participants get it (the meeting's time for a meeting's release)."""
        if self.release == Release.MEETING_START and self.meeting is not None:
            return self.meeting.starts_at
        if self.release == Release.MEETING_END and self.meeting is not None:
            return self.meeting.ends_at
        if self.release_at is None:  # (the check constraint "release_defined" forbids it)
            raise ValueError(f"material {self.id} has no release time")
        return self.release_at

    def is_released(self, now: datetime) -> bool:
        return self.withdrawn_at is None and self.released_at <= now

    @property
    def latest(self) -> MaterialVersion | None:
        return self.versions[0] if self.versions else None

    def __repr__(self) -> str:
        return f"<Material {self.id} {self.title!r}>"


class MaterialVersion(Model):
    """One uploaded file of a material; a replacement is a new version, the old ones stay."""

    __tablename__ = "material_version"
    # The uploaded file is in this storage area under ``stored_name``, with ``sha256``.
    storage_area: ClassVar[str] = AREA
    __table_args__ = (
        sa.UniqueConstraint("material_id", "version"),
        sa.CheckConstraint("version > 0", name="version_positive"),
        sa.CheckConstraint("size_bytes > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(
        sa.ForeignKey("material.id", ondelete="CASCADE"))
    version: Mapped[int]
    original_filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size_bytes: Mapped[int]
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    material: Mapped[Material] = relationship(back_populates="versions")
    uploaded_by: Mapped[User | None] = relationship()


class CourseMaterial(Model):
    """A standing material of the course (``course_content/<course>/materials.toml``),
    for every cohort: a file kept in storage, or a link."""

    __tablename__ = "course_material"
    # A file (not a link) is in this storage area under ``stored_name``, with ``sha256``.
    storage_area: ClassVar[str] = AREA
    __table_args__ = (
        sa.UniqueConstraint("course_id", "key"),
        sa.CheckConstraint("kind = 'file' AND stored_name IS NOT NULL OR kind = 'link'"
                           " AND length(url) > 0", name="file_or_link"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id", ondelete="CASCADE"))
    module_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("module.id", ondelete="SET NULL"))
    key: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[MaterialKind] = mapped_column(enum_type(MaterialKind, "kind"))
    title: Mapped[str] = mapped_column(sa.String(200))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    url: Mapped[str] = mapped_column(sa.String(500), default="")
    original_filename: Mapped[str] = mapped_column(sa.String(255), default="")
    content_type: Mapped[str] = mapped_column(sa.String(120), default="")
    size_bytes: Mapped[int] = mapped_column(default=0)
    stored_name: Mapped[str | None] = mapped_column(sa.String(80), unique=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), default="")

    course: Mapped[Course] = relationship()
    module: Mapped[Module | None] = relationship()
