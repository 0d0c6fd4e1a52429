"""Posting announcements. Operations flush, never commit (the mail is sent after the
commit, :mod:`lms.announcements.notices`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln

from lms.accounts.models import User
from lms.announcements.models import BODY_MAX, Announcement, AnnouncementKind
from lms.audit.operations import record_event
from lms.cohorts.models import Cohort
from lms.db import max_length
from lms.errors import DomainError
from lms.extensions import db
from lms.schedule.operations import MeetingChange

# How long an announcement may stay on the start page at most.
LONGEST_SHOWN = timedelta(days=365)
# A change of a meeting stays on the start page until the meeting is over, and at least
# this long.
CHANGE_SHOWN_AT_LEAST = timedelta(days=1)


class AnnouncementError(DomainError):
    """An announcement cannot be posted."""


def post_announcement(cohort: Cohort, title: str, body: str, expires_at: datetime, *,
                      by: User, now: datetime) -> Announcement:
    title, body = title.strip(), body.strip()
    if not title:
        raise AnnouncementError(_l("Please give the announcement a title."), field="title")
    if len(title) > max_length(Announcement.title):
        raise AnnouncementError(_ln("The title may have at most %(num)s character.",
                                    "The title may have at most %(num)s characters.",
                                    max_length(Announcement.title)), field="title")
    if not body:
        raise AnnouncementError(_l("Please write the announcement."), field="body")
    if len(body) > BODY_MAX:
        raise AnnouncementError(_ln("The text may have at most %(num)s character.",
                                    "The text may have at most %(num)s characters.", BODY_MAX),
                                field="body")
    if expires_at <= now:
        raise AnnouncementError(_l("The last day it is shown cannot be in the past."),
                                field="shown_until")
    if expires_at > now + LONGEST_SHOWN:
        raise AnnouncementError(_l("An announcement is shown for a year at most."),
                                field="shown_until")
    announcement = Announcement(cohort=cohort, author=by, kind=AnnouncementKind.MESSAGE,
                                title=title, body=body, created_at=now, expires_at=expires_at)
    db.session.add(announcement)
    db.session.flush()
    record_event(by, "announcement.posted", announcement, cohort_id=cohort.id,
                 after={"title": title, "expires_at": expires_at.isoformat()})
    return announcement


def is_announceable(change: MeetingChange) -> bool:
    """A new time or place of a meeting that is not cancelled."""
    before, after = change.before, change.after
    return not change.cancelled and (change.moved or any(
        before[key] != after[key] for key in ("location", "online_url")))


def announce_meeting_change(change: MeetingChange, note: str, *, by: User,
                            now: datetime) -> Announcement | None:
    """The change of a meeting's time or place as an announcement to its cohort, with the
    coordinator's ``note``; None when nothing announceable changed."""
    if not is_announceable(change):
        return None
    note = note.strip()
    if len(note) > BODY_MAX:
        raise AnnouncementError(_ln("The text may have at most %(num)s character.",
                                    "The text may have at most %(num)s characters.", BODY_MAX),
                                field="announcement_note")
    meeting = change.meeting
    keys = ("starts_at", "ends_at", "location", "online_url")
    announcement = Announcement(
        cohort_id=meeting.cohort_id, author=by, kind=AnnouncementKind.MEETING_CHANGE,
        meeting=meeting, body=note, created_at=now,
        expires_at=max(meeting.ends_at, now + CHANGE_SHOWN_AT_LEAST),
        change={"before": {k: change.before[k] for k in keys},
                "after": {k: change.after[k] for k in keys}})
    db.session.add(announcement)
    db.session.flush()
    record_event(by, "announcement.posted", announcement, cohort_id=meeting.cohort_id,
                 after={"meeting": meeting.id, "note": note})
    return announcement
