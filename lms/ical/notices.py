"""Change notices: when a meeting moves or is cancelled, the people it concerns get an
email in their own language, with an .ics file their mail program applies to the event
it already has (same UID, higher SEQUENCE; METHOD:REQUEST, or METHOD:CANCEL).

Sent by a job (``change_notice``, on the ``mail`` queue) after the change was committed
(a mail cannot be rolled back): the request that changed the meeting only queues it. A
recipient whose mail fails is skipped, so that one bad address stops nobody else's; each
one reached is claimed in ``notification_log`` under the job, so that the job's retry
(which it asks for when someone was not reached) sends only to those it missed.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from lms.accounts.models import User
from lms.cohorts.models import VISIBLE_ENROLLMENT, Enrollment
from lms.db import utcnow
from lms.errors import DomainError
from lms.extensions import db
from lms.ical.build import Person, build_meeting_ics, meeting_summary
from lms.ical.queries import MeetingRow, load_single_meeting
from lms.jobs.models import BackgroundJob, JobKind
from lms.jobs.operations import advance, create_job, set_total
from lms.mail import Attachment, MailError, send_to_user
from lms.notifications.reminders import Reminder, claim
from lms.schedule.models import Meeting
from lms.schedule.operations import SEQUENCED_FIELDS, MeetingChange

TEMPLATE = "ical_meeting_changed"
CLAIM_KIND = "change_notice"


class NoticeError(DomainError):
    """Some change notices could not be sent (the job tries them again)."""


def notice_is_due(change: MeetingChange) -> bool:
    """Whether a change is one people are told about: a move, a cancellation or another
    place."""
    return (change.moved or change.cancelled
            or change.before["location"] != change.after["location"])


def queue_change_notice(change: MeetingChange, *, by: User | None = None,
                        note: str = "") -> BackgroundJob:
    """The job that sends the notices of ``change`` (dispatch it after the commit);
    ``note``: the coordinator's words that come with it (an announced change)."""
    return create_job(JobKind.CHANGE_NOTICE, by=by, cohort=change.meeting.cohort,
                      params={"meeting_id": change.meeting.id, "before": change.before,
                              "after": change.after, "note": note})


def send_change_notices(job: BackgroundJob) -> dict[str, int]:
    """The job: send the notices of the change in its params (each recipient once)."""
    meeting = db.session.get(Meeting, job.params["meeting_id"])
    if meeting is None:
        return {"sent": 0}
    change = MeetingChange(meeting, job.params["before"], job.params["after"])
    notify_meeting_change(change, now=job.created_at, job=job,
                          note=job.params.get("note", ""))
    return {"sent": job.done}


def notify_meeting_change(change: MeetingChange, *, now: datetime | None = None,
                          job: BackgroundJob | None = None, note: str = "") -> int:
    """Email everyone a change of time, place or status concerns; returns how many
    messages were sent. Changes to meetings that are over (before and after) and changes
    that no calendar shows send nothing. ``note``: the coordinator's words that come with
    it (the announcement of the change, :mod:`lms.announcements`).

    For a ``job``: each recipient reached is claimed under the job and committed at once
    (a retry skips them), the job's progress counts them, and when someone could not be
    reached a :class:`NoticeError` is raised at the end, so that the job is retried."""
    before, after = change.before, change.after
    now = now or utcnow()
    if max(datetime.fromisoformat(before["ends_at"]),
           datetime.fromisoformat(after["ends_at"])) < now:
        return 0
    row = load_single_meeting(change.meeting.id)
    if row is None:
        return 0
    schedule_changed = any(before[k] != after[k] for k in SEQUENCED_FIELDS)
    old_lecturers, new_lecturers = set(before["lecturers"]), set(after["lecturers"])

    recipients: dict[str, tuple[User, str]] = {}
    method = "CANCEL" if change.cancelled else "REQUEST"
    for user in _lecturers(new_lecturers):
        if schedule_changed or user.email not in old_lecturers:
            recipients[user.email] = (user, method)
    for user in _lecturers(old_lecturers - new_lecturers):
        recipients[user.email] = (user, "CANCEL")
    if schedule_changed:
        for user in _participants(change.meeting.cohort_id):
            recipients.setdefault(user.email, (user, method))

    context = {**_context(change, row), "note": note.strip()}
    if job is not None:
        set_total(job, len(recipients))
        db.session.commit()
    sent = failed = 0
    for user, user_method in recipients.values():
        if job is not None:
            once = Reminder(CLAIM_KIND, f"job:{job.id}:user:{user.id}", user, TEMPLATE)
            if not claim(once, utcnow()):  # reached by an earlier attempt
                db.session.rollback()
                continue
        if _send(user, user_method, row, context):
            sent += 1
            if job is not None:
                advance(job)
                db.session.commit()
        else:
            failed += 1
            if job is not None:
                db.session.rollback()  # not claimed: the retry tries again
    if job is not None and failed:
        raise NoticeError(f"{failed} of {len(recipients)} change notices could not be sent")
    return sent


def _participants(cohort_id: int) -> list[User]:
    return list(db.session.scalars(
        sa.select(User)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.cohort_id == cohort_id, Enrollment.status.in_(VISIBLE_ENROLLMENT),
               User.is_active_account.is_(True))
        .order_by(User.id)
    ))


def _lecturers(emails: set[str]) -> list[User]:
    if not emails:
        return []
    return list(db.session.scalars(
        sa.select(User).where(User.email.in_(sorted(emails)), User.is_active_account.is_(True))
        .order_by(User.id)
    ))


def _context(change: MeetingChange, row: MeetingRow) -> dict[str, object]:
    before, after = change.before, change.after
    return {
        "row": row,
        "tz": row.timezone,
        "cancelled": change.cancelled,
        "moved": change.moved,
        "before_start": datetime.fromisoformat(before["starts_at"]),
        "before_end": datetime.fromisoformat(before["ends_at"]),
        "after_start": datetime.fromisoformat(after["starts_at"]),
        "after_end": datetime.fromisoformat(after["ends_at"]),
        "place_changed": before["location"] != after["location"],
        "before_location": before["location"],
        "online_changed": before["online_url"] != after["online_url"],
        "reason": after.get("cancelled_reason", "") if change.cancelled else "",
        "link": f"{current_app.config['LMS_BASE_URL']}/meetings/{row.id}",
    }


def _organizer() -> Person:
    name, address = parseaddr(current_app.config["LMS_MAIL_SENDER"])
    return Person(name or address, address)


def _send(user: User, method: str, row: MeetingRow, context: dict[str, object]) -> bool:
    english = str(user.locale) == "en"
    with force_locale(str(user.locale)):
        ics = build_meeting_ics(
            row, base_url=current_app.config["LMS_BASE_URL"], english=english, method=method,
            organizer=_organizer(), attendee=Person(user.full_name, user.email),
        )
    attachment = Attachment("meeting.ics" if english else "termin.ics", ics,
                            f"text/calendar; method={method}; charset=utf-8")
    try:
        send_to_user(user, TEMPLATE, attachments=(attachment,), method=method,
                     removed=method == "CANCEL" and not context["cancelled"],
                     summary=meeting_summary(row, english=english), **context)
    except MailError:
        current_app.logger.warning("change notice for meeting %s to user %s failed",
                                   row.id, user.id)
        return False
    return True
