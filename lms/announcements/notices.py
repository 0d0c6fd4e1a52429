"""An announcement by mail, to each participant in their own language (the frame; the
text is the author's). Sent after the announcement was committed (a mail cannot be rolled
back); a recipient whose mail fails is logged and skipped."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from lms.announcements.models import Announcement
from lms.announcements.queries import recipients
from lms.mail import MailError, send_to_user


@dataclass(frozen=True)
class Delivery:
    sent: int
    failed: int


def send_announcement(announcement: Announcement) -> Delivery:
    sent = failed = 0
    link = f"{current_app.config['LMS_BASE_URL']}/me/announcements"
    for user in recipients(announcement.cohort):
        try:
            send_to_user(user, "announcement", announcement=announcement,
                         cohort=announcement.cohort, link=link)
        except MailError:
            current_app.logger.warning("announcement %s to user %s failed", announcement.id,
                                       user.id)
            failed += 1
            continue
        sent += 1
    return Delivery(sent, failed)
