"""Recording attendance. Operations flush, never commit."""

from __future__ import annotations

from lms.accounts.models import User
from lms.attendance.models import Attendance, AttendanceStatus
from lms.audit.operations import record_event
from lms.cohorts.models import Enrollment
from lms.extensions import db
from lms.schedule.models import Meeting


class AttendanceError(ValueError):
    """A mark cannot be recorded; the message says why."""


def record_attendance(
    meeting: Meeting,
    enrollment: Enrollment,
    status: AttendanceStatus,
    *,
    minutes_attended: int | None = None,
    note: str = "",
    by: User | None = None,
) -> Attendance:
    """Create or update one participant's mark for one meeting."""
    if enrollment.cohort_id != meeting.cohort_id:
        raise AttendanceError("the participant is not in this meeting's cohort")
    if status == AttendanceStatus.LATE:
        if minutes_attended is None or not 0 <= minutes_attended <= meeting.duration_minutes:
            raise AttendanceError("a late mark needs the minutes attended, within the meeting")
    else:
        minutes_attended = None
    mark = db.session.scalar(
        db.select(Attendance).filter_by(meeting_id=meeting.id, enrollment_id=enrollment.id)
    )
    before = None
    if mark is None:
        mark = Attendance(meeting=meeting, enrollment=enrollment)
        db.session.add(mark)
    else:
        before = {"status": mark.status.value, "minutes": mark.minutes_attended, "note": mark.note}
    mark.status = status
    mark.minutes_attended = minutes_attended
    mark.note = note
    mark.recorded_by = by
    db.session.flush()
    record_event(
        by, "attendance.recorded", mark, cohort_id=meeting.cohort_id, before=before,
        after={"status": status.value, "minutes": minutes_attended, "note": note},
    )
    return mark
