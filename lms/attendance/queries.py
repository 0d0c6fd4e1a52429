"""Reads of attendance: hours scheduled, held and attended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from lms.attendance.models import Attendance, AttendanceStatus
from lms.cohorts.models import Cohort, Enrollment
from lms.extensions import db
from lms.schedule.models import Meeting, MeetingStatus


@dataclass(frozen=True)
class AttendanceSummary:
    """Attendance of one enrollment, in minutes; cancelled meetings never count."""

    scheduled: int  # all scheduled meetings of the cohort
    held: int  # those that have started
    attended: int  # what counts toward the minimum
    missed: int  # held but not attended (unmarked meetings are not counted as missed)
    required: int  # the cohort's minimum of the scheduled minutes
    min_percent: int

    @property
    def percent_of_held(self) -> float:
        return 100 * self.attended / self.held if self.held else 100.0

    @property
    def may_still_miss(self) -> int:
        """How many more minutes can be missed before the minimum is out of reach."""
        return max(0, self.scheduled - self.required - self.missed)

    @property
    def at_risk(self) -> bool:
        return self.scheduled - self.missed < self.required


def counted_minutes(meeting: Meeting, mark: Attendance | None, excused_counts: bool) -> int | None:
    """Minutes of ``meeting`` that count for a participant; None while unmarked."""
    if mark is None:
        return None
    duration = meeting.duration_minutes
    match mark.status:
        case AttendanceStatus.PRESENT:
            return duration
        case AttendanceStatus.LATE:
            return min(duration, mark.minutes_attended or 0)
        case AttendanceStatus.EXCUSED:
            return duration if excused_counts else 0
        case _:
            return 0


def summarise_attendance(
    cohort: Cohort, enrollments: list[Enrollment], now: datetime
) -> dict[int, AttendanceSummary]:
    """Summaries for many enrollments of one cohort in two queries."""
    meetings = db.session.scalars(
        sa.select(Meeting).where(
            Meeting.cohort_id == cohort.id, Meeting.status == MeetingStatus.SCHEDULED
        )
    ).all()
    ids = [e.id for e in enrollments]
    marks: dict[tuple[int, int], Attendance] = {}
    if ids and meetings:
        for mark in db.session.scalars(
            sa.select(Attendance).where(Attendance.enrollment_id.in_(ids))
        ):
            marks[(mark.enrollment_id, mark.meeting_id)] = mark
    scheduled = sum(m.duration_minutes for m in meetings)
    held_meetings = [m for m in meetings if m.starts_at <= now]
    held = sum(m.duration_minutes for m in held_meetings)
    required = -(-scheduled * cohort.min_attendance_percent // 100)  # round up
    result = {}
    for enrollment in enrollments:
        attended = missed = 0
        for meeting in held_meetings:
            minutes = counted_minutes(
                meeting, marks.get((enrollment.id, meeting.id)), cohort.excused_counts
            )
            if minutes is None:
                continue
            attended += minutes
            missed += meeting.duration_minutes - minutes
        result[enrollment.id] = AttendanceSummary(
            scheduled=scheduled,
            held=held,
            attended=attended,
            missed=missed,
            required=required,
            min_percent=cohort.min_attendance_percent,
        )
    return result
