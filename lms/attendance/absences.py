"""Absences announced in advance, and the coordination's decision on them.
Operations flush, never commit."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln

from lms.accounts.models import User
from lms.attendance.models import (
    AbsenceDecision,
    AbsenceNotice,
    AttendanceSource,
    AttendanceStatus,
)
from lms.attendance.operations import (
    AttendanceError,
    Mark,
    load_marks,
    write_marks,
)
from lms.audit.operations import record_event
from lms.cohorts.models import Enrollment
from lms.db import max_length, utcnow
from lms.extensions import db
from lms.schedule.models import Meeting

# The longest reason a participant may give for an absence: its column's length.
REASON_MAX = max_length(AbsenceNotice.reason)


def announce_absence(
    meeting: Meeting, enrollment: Enrollment, reason: str, *, now: datetime | None = None
) -> AbsenceNotice:
    """A participant says in advance that they will miss a meeting. While undecided the
    reason can be changed by announcing again."""
    now = now or utcnow()
    reason = reason.strip()
    if enrollment.cohort_id != meeting.cohort_id:
        raise AttendanceError(_l("The participant is not in this meeting's cohort."))
    if meeting.is_cancelled:
        raise AttendanceError(_l("This meeting is cancelled."))
    if now >= meeting.starts_at:
        raise AttendanceError(_l("An absence can only be announced before the meeting starts."))
    if not reason:
        raise AttendanceError(_l("Please give a reason."))
    if len(reason) > REASON_MAX:
        raise AttendanceError(_ln("The reason may have at most %(num)s character.",
                                     "The reason may have at most %(num)s characters.",
                                     REASON_MAX))
    notice = db.session.scalar(
        sa.select(AbsenceNotice).filter_by(meeting_id=meeting.id, enrollment_id=enrollment.id)
    )
    before = None
    if notice is None:
        notice = AbsenceNotice(meeting=meeting, enrollment=enrollment, reason=reason,
                               created_at=now)
        db.session.add(notice)
    elif notice.decision != AbsenceDecision.PENDING:
        raise AttendanceError(_l("The coordination has already decided on this absence."))
    else:
        before = {"reason": notice.reason}
        notice.reason = reason
    db.session.flush()
    record_event(enrollment.user, "absence.announced", notice, cohort_id=meeting.cohort_id,
                 before=before, after={"reason": reason, "meeting_id": meeting.id})
    return notice


def withdraw_absence(notice: AbsenceNotice, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    if notice.decision != AbsenceDecision.PENDING:
        raise AttendanceError(_l("The coordination has already decided on this absence."))
    if now >= notice.meeting.starts_at:
        raise AttendanceError(_l("The meeting has started; the notice can no longer be withdrawn."))
    record_event(notice.enrollment.user, "absence.withdrawn", notice,
                 cohort_id=notice.meeting.cohort_id, before={"reason": notice.reason})
    db.session.delete(notice)
    db.session.flush()


def decide_absence(
    notice: AbsenceNotice, decision: AbsenceDecision, *, by: User, now: datetime | None = None
) -> AbsenceNotice:
    """The coordination decides whether an announced absence counts as excused. A mark
    already recorded as absent or excused follows the decision."""
    if decision == AbsenceDecision.PENDING:
        raise AttendanceError(_l("Please decide: excused or not excused."))
    now = now or utcnow()
    before = {"decision": notice.decision.value}
    notice.decision = decision
    notice.decided_by_id = by.id
    notice.decided_at = now
    db.session.flush()
    record_event(by, "absence.decided", notice, cohort_id=notice.meeting.cohort_id,
                 before=before, after={"decision": decision.value})
    meeting = notice.meeting
    mark = load_marks(meeting, [notice.enrollment_id]).get(notice.enrollment_id)
    wanted = (AttendanceStatus.EXCUSED if decision == AbsenceDecision.EXCUSED
              else AttendanceStatus.ABSENT)
    if mark is not None and mark.status in (AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED) \
            and mark.status != wanted:
        write_marks(meeting, {notice.enrollment_id: Mark(wanted, None, mark.note)}, {}, by=by,
                     source=AttendanceSource.COORDINATOR,
                     reason=f"absence notice {decision.value}")
    return notice
