"""Reads of attendance: hours scheduled, held and attended; rosters, matrices.

Every read here runs a fixed number of queries whatever the size of the cohort. The
participant's own view, the coordinator's matrix and its exports all count through
:func:`counted_minutes` and :func:`_summaries`, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lms.attendance.models import AbsenceDecision, AbsenceNotice, Attendance, AttendanceStatus
from lms.certificates.standing import Standing
from lms.cohorts.models import VISIBLE_ENROLLMENT, Cohort, Enrollment
from lms.extensions import db
from lms.i18n import sort_key
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
    margin: int = 0  # minutes of an average meeting: less than this left to miss is "near"

    @property
    def percent_of_held(self) -> float:
        return 100 * self.attended / self.held if self.held else 100.0

    @property
    def percent_of_marked(self) -> float:
        """Share of the marked minutes that count: the trend, unmarked meetings aside."""
        marked = self.attended + self.missed
        return 100 * self.attended / marked if marked else 100.0

    @property
    def may_still_miss(self) -> int:
        """How many more minutes can be missed before the minimum is out of reach."""
        return max(0, self.scheduled - self.required - self.missed)

    @property
    def at_risk(self) -> bool:
        """The minimum can no longer be reached."""
        return self.scheduled - self.missed < self.required

    @property
    def heading_below(self) -> bool:
        """Still reachable, but missing one more (average) meeting would put it out of
        reach."""
        return not self.at_risk and self.may_still_miss < self.margin

    @property
    def risk(self) -> Standing:
        """The attendance part of the standing while the course runs: on track, at risk
        (heading below the minimum) or out of reach (below it), for badges and exports."""
        if self.at_risk:
            return Standing.OUT_OF_REACH
        return Standing.AT_RISK if self.heading_below else Standing.ON_TRACK


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


def _scheduled_meetings(cohort_id: int, *, load_module: bool = False) -> list[Meeting]:
    query = (
        sa.select(Meeting)
        .where(Meeting.cohort_id == cohort_id, Meeting.status == MeetingStatus.SCHEDULED)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    if load_module:
        query = query.options(selectinload(Meeting.module), selectinload(Meeting.lecturers))
    return list(db.session.scalars(query))


def _summaries(
    cohort: Cohort,
    enrollment_ids: Iterable[int],
    meetings: Sequence[Meeting],
    marks: dict[tuple[int, int], Attendance],
    now: datetime,
) -> dict[int, AttendanceSummary]:
    scheduled = sum(m.duration_minutes for m in meetings)
    held_meetings = [m for m in meetings if m.starts_at <= now]
    held = sum(m.duration_minutes for m in held_meetings)
    required = -(-scheduled * cohort.min_attendance_percent // 100)  # round up
    margin = scheduled // len(meetings) if meetings else 0
    result = {}
    for enrollment_id in enrollment_ids:
        attended = missed = 0
        for meeting in held_meetings:
            minutes = counted_minutes(
                meeting, marks.get((enrollment_id, meeting.id)), cohort.excused_counts
            )
            if minutes is None:
                continue
            attended += minutes
            missed += meeting.duration_minutes - minutes
        result[enrollment_id] = AttendanceSummary(
            scheduled=scheduled, held=held, attended=attended, missed=missed,
            required=required, min_percent=cohort.min_attendance_percent, margin=margin,
        )
    return result


def _marks_of(enrollment_ids: list[int]) -> dict[tuple[int, int], Attendance]:
    if not enrollment_ids:
        return {}
    return {
        (mark.enrollment_id, mark.meeting_id): mark
        for mark in db.session.scalars(
            sa.select(Attendance).where(Attendance.enrollment_id.in_(enrollment_ids))
        )
    }


def summarise_attendance(
    cohort: Cohort, enrollments: list[Enrollment], now: datetime
) -> dict[int, AttendanceSummary]:
    """Summaries for many enrollments of one cohort in two queries."""
    meetings = _scheduled_meetings(cohort.id)
    ids = [e.id for e in enrollments]
    marks = _marks_of(ids) if meetings else {}
    return _summaries(cohort, ids, meetings, marks, now)


def active_roster(cohort_id: int) -> list[Enrollment]:
    """Who is marked: every enrollment that still sees the cohort, in German name order."""
    enrollments = db.session.scalars(
        sa.select(Enrollment)
        .where(Enrollment.cohort_id == cohort_id, Enrollment.status.in_(VISIBLE_ENROLLMENT))
        .options(selectinload(Enrollment.user))
    ).all()
    return sorted(enrollments, key=lambda e: sort_key(e.user.last_name, e.user.first_name))


# --------------------------------------------------------------------------- one meeting


@dataclass(frozen=True)
class RosterRow:
    enrollment: Enrollment
    mark: Attendance | None
    notice: AbsenceNotice | None


def meeting_roster(meeting: Meeting) -> list[RosterRow]:
    """The roster of a meeting with each mark and absence notice (four queries)."""
    roster = active_roster(meeting.cohort_id)
    marks = {
        m.enrollment_id: m
        for m in db.session.scalars(
            sa.select(Attendance).where(Attendance.meeting_id == meeting.id)
        )
    }
    notices = {
        n.enrollment_id: n
        for n in db.session.scalars(
            sa.select(AbsenceNotice).where(AbsenceNotice.meeting_id == meeting.id)
        )
    }
    return [RosterRow(e, marks.get(e.id), notices.get(e.id)) for e in roster]


@dataclass(frozen=True)
class MarkingProgress:
    marked: int
    roster: int

    @property
    def complete(self) -> bool:
        return self.marked >= self.roster


def marking_progress(meetings: Sequence[Meeting]) -> dict[int, MarkingProgress]:
    """How many of each meeting's participants are marked (two queries for any number)."""
    if not meetings:
        return {}
    marked = dict(
        db.session.execute(
            sa.select(Attendance.meeting_id, sa.func.count())
            .join(Enrollment, Enrollment.id == Attendance.enrollment_id)
            .where(Attendance.meeting_id.in_([m.id for m in meetings]),
                   Enrollment.status.in_(VISIBLE_ENROLLMENT))
            .group_by(Attendance.meeting_id)
        ).all()
    )
    sizes = dict(
        db.session.execute(
            sa.select(Enrollment.cohort_id, sa.func.count())
            .where(Enrollment.cohort_id.in_({m.cohort_id for m in meetings}),
                   Enrollment.status.in_(VISIBLE_ENROLLMENT))
            .group_by(Enrollment.cohort_id)
        ).all()
    )
    return {m.id: MarkingProgress(marked.get(m.id, 0), sizes.get(m.cohort_id, 0))
            for m in meetings}


# --------------------------------------------------------------------------- a participant


@dataclass(frozen=True)
class ParticipantMeetingRow:
    meeting: Meeting
    mark: Attendance | None
    minutes: int | None  # counted minutes; None while unmarked or not yet held
    notice: AbsenceNotice | None
    held: bool


@dataclass(frozen=True)
class ParticipantAttendance:
    enrollment: Enrollment
    summary: AttendanceSummary
    rows: list[ParticipantMeetingRow]


def participant_attendance(enrollment: Enrollment, now: datetime) -> ParticipantAttendance:
    cohort = enrollment.cohort
    meetings = _scheduled_meetings(cohort.id, load_module=True)
    marks = _marks_of([enrollment.id])
    notices = {
        n.meeting_id: n
        for n in db.session.scalars(
            sa.select(AbsenceNotice).where(AbsenceNotice.enrollment_id == enrollment.id)
        )
    }
    summary = _summaries(cohort, [enrollment.id], meetings, marks, now)[enrollment.id]
    rows = []
    for meeting in meetings:
        mark = marks.get((enrollment.id, meeting.id))
        held = meeting.starts_at <= now
        minutes = counted_minutes(meeting, mark, cohort.excused_counts) if held else None
        rows.append(ParticipantMeetingRow(meeting, mark, minutes, notices.get(meeting.id), held))
    return ParticipantAttendance(enrollment, summary, rows)


# --------------------------------------------------------------------------- the matrix


@dataclass
class MeetingTotals:
    marked: int = 0
    counted: int = 0  # minutes counted, summed over participants
    by_status: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class AttendanceMatrix:
    """Participants x meetings of one cohort, with the totals both ways."""

    cohort: Cohort
    roster: list[Enrollment]
    meetings: list[Meeting]
    marks: dict[tuple[int, int], Attendance]
    minutes: dict[tuple[int, int], int | None]
    summaries: dict[int, AttendanceSummary]
    meeting_totals: dict[int, MeetingTotals]
    now: datetime

    def held(self, meeting: Meeting) -> bool:
        return meeting.starts_at <= self.now

    @property
    def below(self) -> list[Enrollment]:
        return [e for e in self.roster if self.summaries[e.id].risk == Standing.OUT_OF_REACH]

    @property
    def near(self) -> list[Enrollment]:
        return [e for e in self.roster if self.summaries[e.id].risk == Standing.AT_RISK]


def attendance_matrix(cohort: Cohort, now: datetime) -> AttendanceMatrix:
    """The coordinator's matrix in five queries, whatever the cohort's size."""
    roster = active_roster(cohort.id)
    meetings = _scheduled_meetings(cohort.id, load_module=True)
    ids = [e.id for e in roster]
    marks = _marks_of(ids) if meetings else {}
    summaries = _summaries(cohort, ids, meetings, marks, now)
    minutes: dict[tuple[int, int], int | None] = {}
    totals = {m.id: MeetingTotals() for m in meetings}
    for meeting in meetings:
        held = meeting.starts_at <= now
        total = totals[meeting.id]
        for enrollment_id in ids:
            mark = marks.get((enrollment_id, meeting.id))
            counted = counted_minutes(meeting, mark, cohort.excused_counts) if held else None
            minutes[(enrollment_id, meeting.id)] = counted
            if mark is not None and held:
                total.marked += 1
                total.counted += counted or 0
                total.by_status[mark.status.value] = total.by_status.get(mark.status.value, 0) + 1
    return AttendanceMatrix(cohort, roster, meetings, marks, minutes, summaries, totals, now)


def list_absence_notices(cohort_id: int) -> list[AbsenceNotice]:
    """A cohort's announced absences: undecided first, then by meeting."""
    notices = db.session.scalars(
        sa.select(AbsenceNotice)
        .join(Meeting, Meeting.id == AbsenceNotice.meeting_id)
        .where(Meeting.cohort_id == cohort_id)
        .options(selectinload(AbsenceNotice.meeting).selectinload(Meeting.module),
                 selectinload(AbsenceNotice.enrollment).selectinload(Enrollment.user))
        .order_by(Meeting.starts_at, AbsenceNotice.id)
    ).all()
    return sorted(notices, key=lambda n: n.decision != AbsenceDecision.PENDING)


def get_absence_notice(notice_id: int) -> AbsenceNotice | None:
    return db.session.get(AbsenceNotice, notice_id)


def find_absence_notice(meeting_id: int, enrollment_id: int) -> AbsenceNotice | None:
    """A participant's notice for one meeting, if they announced an absence."""
    return db.session.scalar(sa.select(AbsenceNotice).where(
        AbsenceNotice.meeting_id == meeting_id, AbsenceNotice.enrollment_id == enrollment_id))


def list_marks(*, meeting_id: int | None = None, enrollment_id: int | None = None,
               since: datetime | None = None) -> list[Attendance]:
    """The marks of one meeting or of one enrollment, those recorded or changed at or after
    ``since`` when it is given (for systems that sync incrementally), in meeting order."""
    query = sa.select(Attendance).join(Meeting, Meeting.id == Attendance.meeting_id)
    if meeting_id is not None:
        query = query.where(Attendance.meeting_id == meeting_id)
    if enrollment_id is not None:
        query = query.where(Attendance.enrollment_id == enrollment_id)
    if since is not None:
        query = query.where(Attendance.recorded_at >= since)
    return list(db.session.scalars(
        query.order_by(Meeting.starts_at, Attendance.meeting_id, Attendance.enrollment_id)))
