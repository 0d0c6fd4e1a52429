"""An announcement to a cohort, by its coordinator or by a lecturer who teaches there.

A message has a title and a text written by its author. A change of a meeting's time or
place announced from the meeting itself keeps what changed (``change``) instead, so that
every reader sees it in their own language, with the coordinator's note as its text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import enum_type, utcnow
from lms.extensions import Model
from lms.labels import LabelledEnum

if TYPE_CHECKING:
    from lms.accounts.models import User
    from lms.cohorts.models import Cohort
    from lms.schedule.models import Meeting


class AnnouncementKind(LabelledEnum):
    MESSAGE = "message", _l("message")
    MEETING_CHANGE = "meeting_change", _l("change of a meeting")


# The longest text an announcement may have (characters).
BODY_MAX = 5000


class Announcement(Model):
    __tablename__ = "announcement"
    __table_args__ = (
        sa.CheckConstraint("expires_at > created_at", name="expires_after_creation"),
        sa.CheckConstraint("kind = 'meeting_change' OR length(trim(title)) > 0",
                           name="message_has_title"),
        sa.CheckConstraint("kind = 'message' OR meeting_id IS NOT NULL",
                           name="change_has_meeting"),
        sa.Index("ix_announcement_cohort_created", "cohort_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    kind: Mapped[AnnouncementKind] = mapped_column(
        enum_type(AnnouncementKind, "kind"), default=AnnouncementKind.MESSAGE)
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Shown on the start page until then; kept in the list afterwards.
    expires_at: Mapped[datetime]
    meeting_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    # For a meeting change: the meeting's time and place before and after (UTC ISO times).
    change: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    cohort: Mapped[Cohort] = relationship()
    author: Mapped[User | None] = relationship()
    meeting: Mapped[Meeting | None] = relationship()

    def is_current(self, now: datetime) -> bool:
        return self.expires_at > now

    @property
    def meeting_change(self) -> AnnouncedChange | None:
        """What changed, for a meeting change (None for a message)."""
        if self.kind != AnnouncementKind.MEETING_CHANGE or not self.change:
            return None
        before, after = self.change["before"], self.change["after"]
        return AnnouncedChange(
            before_start=datetime.fromisoformat(before["starts_at"]),
            before_end=datetime.fromisoformat(before["ends_at"]),
            after_start=datetime.fromisoformat(after["starts_at"]),
            after_end=datetime.fromisoformat(after["ends_at"]),
            before_location=before["location"], after_location=after["location"],
            online_changed=before["online_url"] != after["online_url"],
            after_online_url=after["online_url"])


@dataclass(frozen=True)
class AnnouncedChange:
    before_start: datetime
    before_end: datetime
    after_start: datetime
    after_end: datetime
    before_location: str
    after_location: str
    online_changed: bool
    after_online_url: str

    @property
    def moved(self) -> bool:
        return (self.before_start, self.before_end) != (self.after_start, self.after_end)

    @property
    def place_changed(self) -> bool:
        return self.before_location != self.after_location
