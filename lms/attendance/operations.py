"""Recording attendance. Operations flush, never commit.

Marks are written with INSERT ... ON CONFLICT on the (meeting, enrollment) UNIQUE
constraint, on PostgreSQL and SQLite alike: two lecturers saving the same meeting at
the same moment never create a second row and never fail on the constraint. A roster
save writes only what the person actually changed; rows they left as shown are only
filled in where nobody has marked them yet, so that a concurrent save loses no mark.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln

from lms.accounts.models import User
from lms.attendance import checkin
from lms.attendance.models import (
    Attendance,
    AttendanceSource,
    AttendanceStatus,
)
from lms.audit.operations import record_event
from lms.cohorts.models import VISIBLE_ENROLLMENT, Enrollment
from lms.db import insert_on_conflict, max_length, utcnow
from lms.errors import DomainError
from lms.extensions import db
from lms.i18n import duration_text
from lms.schedule.models import Meeting

# The longest note on a mark: its column's length.
NOTE_MAX = max_length(Attendance.note)
# The longest reason for changing marks after the lecturers' window (kept in the change
# log, which has no column of its own for it).
CHANGE_REASON_MAX = 1000


class AttendanceError(DomainError):
    """A mark cannot be recorded; the message says why (in the user's language)."""


@dataclass(frozen=True)
class Mark:
    status: AttendanceStatus
    minutes_attended: int | None = None
    note: str = ""


@dataclass(frozen=True)
class RosterEntry:
    """One row of a submitted roster. ``changed`` says whether the person changed the row
    from what their page showed; an unchanged row only fills a gap."""

    enrollment_id: int
    mark: Mark
    changed: bool


def marking_closes_at(meeting: Meeting) -> datetime:
    return meeting.starts_at + timedelta(days=meeting.cohort.attendance_edit_days)


def lecturer_may_mark(meeting: Meeting, now: datetime) -> bool:
    """Lecturers mark from the meeting's start until the cohort's window closes."""
    return not meeting.is_cancelled and meeting.starts_at <= now <= marking_closes_at(meeting)


def check_marking_allowed(
    meeting: Meeting, now: datetime, *, as_coordinator: bool, reason: str = ""
) -> AttendanceSource:
    """The source a change is recorded with, or AttendanceError when it is not allowed."""
    if meeting.is_cancelled:
        raise AttendanceError(_l("The meeting is cancelled; there is nothing to mark."))
    if now < meeting.starts_at:
        raise AttendanceError(_l("Attendance can be marked once the meeting has started."))
    if as_coordinator:
        if now > marking_closes_at(meeting) and not reason.strip():
            raise AttendanceError(
                _l("The lecturers' marking window has closed: please give a reason for the change.")
            )
        return AttendanceSource.COORDINATOR
    if now > marking_closes_at(meeting):
        raise AttendanceError(
            _l("The marking window has closed. Please ask the coordination to change marks.")
        )
    return AttendanceSource.LECTURER


def validate_mark(meeting: Meeting, mark: Mark) -> Mark:
    note = (mark.note or "").strip()
    if len(note) > NOTE_MAX:
        raise AttendanceError(_ln("A note may have at most %(num)s character.",
                                     "A note may have at most %(num)s characters.", NOTE_MAX))
    if mark.status == AttendanceStatus.LATE:
        minutes = mark.minutes_attended
        if minutes is None or not 0 <= minutes <= meeting.duration_minutes:
            raise AttendanceError(
                _l("A late mark needs the minutes attended, within the meeting.")
            )
        return Mark(mark.status, minutes, note)
    return Mark(mark.status, None, note)


def record_attendance(
    meeting: Meeting,
    enrollment: Enrollment,
    status: AttendanceStatus,
    *,
    minutes_attended: int | None = None,
    note: str = "",
    by: User | None = None,
    source: AttendanceSource = AttendanceSource.LECTURER,
    reason: str = "",
) -> Attendance:
    """Create or update one participant's mark for one meeting (no window check: for
    imports, the demo and corrections whose permission was checked by the caller)."""
    if enrollment.cohort_id != meeting.cohort_id:
        raise AttendanceError(_l("The participant is not in this meeting's cohort."))
    mark = validate_mark(meeting, Mark(status, minutes_attended, note))
    write_marks(meeting, {enrollment.id: mark}, {}, by=by, source=source, reason=reason)
    return load_marks(meeting, [enrollment.id])[enrollment.id]


def save_roster(
    meeting: Meeting,
    entries: Sequence[RosterEntry],
    *,
    by: User,
    as_coordinator: bool = False,
    reason: str = "",
    now: datetime | None = None,
) -> int:
    """Save a whole roster in one go; return how many marks were written.

    Changed rows overwrite the stored mark (last explicit change wins); unchanged rows
    are inserted only where no mark exists yet, so that they never undo what another
    lecturer saved in the meantime."""
    now = now or utcnow()
    source = check_marking_allowed(meeting, now, as_coordinator=as_coordinator, reason=reason)
    if len(reason.strip()) > CHANGE_REASON_MAX:
        raise AttendanceError(_ln("The reason may have at most %(num)s character.",
                                     "The reason may have at most %(num)s characters.",
                                     CHANGE_REASON_MAX))
    roster = set(
        db.session.scalars(
            sa.select(Enrollment.id).where(
                Enrollment.cohort_id == meeting.cohort_id,
                Enrollment.status.in_(VISIBLE_ENROLLMENT),
            )
        )
    )
    changed: dict[int, Mark] = {}
    fill: dict[int, Mark] = {}
    for entry in entries:
        if entry.enrollment_id not in roster:
            raise AttendanceError(_l("The roster has changed; please reload the page."))
        target = changed if entry.changed else fill
        target[entry.enrollment_id] = validate_mark(meeting, entry.mark)
    return write_marks(meeting, changed, fill, by=by, source=source, reason=reason.strip())


def _state(row: Any) -> dict[str, Any]:
    return {"status": AttendanceStatus(row.status).value, "minutes": row.minutes_attended,
            "note": row.note, "source": AttendanceSource(row.source).value}


def write_marks(
    meeting: Meeting,
    changed: dict[int, Mark],
    fill: dict[int, Mark],
    *,
    by: User | None,
    source: AttendanceSource,
    reason: str = "",
) -> int:
    now = utcnow()
    # One save per meeting at a time: two multi-row upserts touching the same rows in
    # different orders would deadlock on PostgreSQL. SQLite ignores FOR UPDATE, but it
    # lets only one writer in anyway. The UNIQUE constraint plus ON CONFLICT still rule
    # out duplicates whatever happens.
    db.session.execute(
        sa.select(Meeting.id).where(Meeting.id == meeting.id).with_for_update(key_share=True)
    )
    current = {
        row.enrollment_id: row
        for row in db.session.execute(
            sa.select(Attendance.enrollment_id, Attendance.status, Attendance.minutes_attended,
                      Attendance.note, Attendance.source)
            .where(Attendance.meeting_id == meeting.id)
        )
    }

    def values(enrollment_id: int, mark: Mark) -> dict[str, Any]:
        return {"meeting_id": meeting.id, "enrollment_id": enrollment_id,
                "status": mark.status, "minutes_attended": mark.minutes_attended,
                "note": mark.note, "recorded_by_id": by.id if by else None,
                "recorded_at": now, "source": source}

    def same(enrollment_id: int, mark: Mark) -> bool:
        row = current.get(enrollment_id)
        return row is not None and (row.status, row.minutes_attended, row.note) == (
            mark.status, mark.minutes_attended, mark.note)

    written: list[int] = []
    updates = [values(e, m) for e, m in sorted(changed.items()) if not same(e, m)]
    if updates:
        insert = insert_on_conflict(db.session, Attendance).values(updates)
        stmt = insert.on_conflict_do_update(
            index_elements=["meeting_id", "enrollment_id"],
            set_={name: insert.excluded[name] for name in (
                "status", "minutes_attended", "note", "recorded_by_id", "recorded_at", "source")},
        ).returning(Attendance.enrollment_id)
        written += db.session.scalars(stmt).all()
    gaps = [values(e, m) for e, m in sorted(fill.items()) if e not in current]
    if gaps:
        stmt = insert_on_conflict(db.session, Attendance).values(gaps).on_conflict_do_nothing(
            index_elements=["meeting_id", "enrollment_id"]
        ).returning(Attendance.enrollment_id)
        written += db.session.scalars(stmt).all()
    if not written:
        return 0
    marks = load_marks(meeting, written)
    for enrollment_id in written:
        before = current.get(enrollment_id)
        after = _state(marks[enrollment_id])
        if reason:
            after["reason"] = reason
        record_event(by, "attendance.recorded", marks[enrollment_id],
                     cohort_id=meeting.cohort_id,
                     before=_state(before) if before is not None else None, after=after)
    db.session.flush()
    return len(written)


def load_marks(meeting: Meeting, enrollment_ids: list[int]) -> dict[int, Attendance]:
    rows = db.session.scalars(
        sa.select(Attendance)
        .where(Attendance.meeting_id == meeting.id, Attendance.enrollment_id.in_(enrollment_ids))
        .execution_options(populate_existing=True)
    )
    return {row.enrollment_id: row for row in rows}


# --------------------------------------------------------------------------- self check-in


def check_in(meeting: Meeting, enrollment: Enrollment, code: str, *, now: datetime | None = None
             ) -> Attendance:
    """A participant checks in with the code the lecturer shows. Once only; late arrivals
    are recorded with the minutes still ahead of them, and the lecturer can correct it."""
    now = now or utcnow()
    if enrollment.cohort_id != meeting.cohort_id:
        raise AttendanceError(_l("This code belongs to another meeting."))
    if meeting.is_cancelled:
        raise AttendanceError(_l("This meeting is cancelled."))
    if not checkin.checkin_is_open(meeting, now):
        raise AttendanceError(_l(
            "Check-in is open from %(ahead)s before the start until the end of the meeting.",
            ahead=duration_text(checkin.OPENS_BEFORE_START)))
    if not checkin.code_matches(meeting.id, code, now):
        if _code_of_other_meeting({meeting.id}, code, now):
            raise AttendanceError(_l("This code belongs to another meeting."))
        raise AttendanceError(_l(
            "This code is not valid (any more). Please type the code shown right now."))
    existing = load_marks(meeting, [enrollment.id]).get(enrollment.id)
    if existing is not None and existing.status in (AttendanceStatus.PRESENT,
                                                     AttendanceStatus.LATE):
        if existing.source == AttendanceSource.SELF_CHECK_IN:
            raise AttendanceError(_l("You have already checked in to this meeting."))
        raise AttendanceError(_l("Your attendance at this meeting is already recorded."))
    if now - meeting.starts_at > checkin.LATE_AFTER:
        minutes = max(0, int((meeting.ends_at - now).total_seconds() // 60))
        mark = Mark(AttendanceStatus.LATE, minutes, "")
    else:
        mark = Mark(AttendanceStatus.PRESENT)
    by = enrollment.user
    if existing is None:
        written = write_marks(meeting, {}, {enrollment.id: mark}, by=by,
                               source=AttendanceSource.SELF_CHECK_IN)
        if not written:  # a second tap raced the first one
            raise AttendanceError(_l("You have already checked in to this meeting."))
    else:
        write_marks(meeting, {enrollment.id: mark}, {}, by=by,
                     source=AttendanceSource.SELF_CHECK_IN)
    return load_marks(meeting, [enrollment.id])[enrollment.id]


def _code_of_other_meeting(exclude: set[int], code: str, now: datetime) -> bool:
    """Whether ``code`` is the current code of another meeting that is open right now."""
    others = db.session.scalars(
        sa.select(Meeting.id).where(
            Meeting.id.not_in(exclude),
            Meeting.starts_at <= now + checkin.OPENS_BEFORE_START,
            Meeting.ends_at >= now,
        )
    )
    return any(checkin.code_matches(other, code, now) for other in others)


def check_in_with_code(user: User, code: str, *, now: datetime | None = None) -> Attendance:
    """Check ``user`` in to whichever of their meetings ``code`` belongs to. A code of one
    of their meetings outside its check-in time, a code of another meeting, or an old
    code is refused with a message saying which."""
    now = now or utcnow()
    if not checkin.normalise_code(code):
        raise AttendanceError(_l("Please type the code shown in the room."))
    candidates = db.session.execute(
        sa.select(Meeting, Enrollment)
        .join(Enrollment, Enrollment.cohort_id == Meeting.cohort_id)
        .where(Enrollment.user_id == user.id, Enrollment.status.in_(VISIBLE_ENROLLMENT),
               Meeting.starts_at <= now + timedelta(days=1),
               Meeting.ends_at >= now - timedelta(days=1))
        .order_by(Meeting.starts_at)
    ).all()
    for meeting, enrollment in candidates:
        if checkin.code_matches(meeting.id, code, now):
            return check_in(meeting, enrollment, code, now=now)
    if _code_of_other_meeting({m.id for m, _ in candidates}, code, now):
        raise AttendanceError(_l("This code belongs to another meeting."))
    if not any(checkin.checkin_is_open(m, now) for m, _ in candidates):
        raise AttendanceError(_l("None of your meetings is open for check-in right now. "
                                 "Check-in opens %(ahead)s before the start.",
                                 ahead=duration_text(checkin.OPENS_BEFORE_START)))
    raise AttendanceError(_l(
        "This code is not valid (any more). Please type the code shown right now."))
