"""An announcement by mail, to each participant in their own language (the frame; the
text is the author's): one mail per recipient, handed over with the announcement and sent
once it is committed (a mail cannot be rolled back), by a worker or, without Redis, at
once."""

from __future__ import annotations

from flask import current_app

from lms.announcements.models import Announcement
from lms.announcements.queries import recipients
from lms.mail import Outgoing, send_later


def send_announcement(announcement: Announcement) -> list[Outgoing]:
    """Call it before the commit (the announcement must have its id)."""
    link = f"{current_app.config['LMS_BASE_URL']}/me/announcements"
    return [send_later(user, "announcement", announcement=announcement,
                       cohort=announcement.cohort, link=link)
            for user in recipients(announcement.cohort)]
