"""Reads of attendance: hours scheduled, held and attended; rosters, matrices.

Every read here runs a fixed number of queries whatever the size of the cohort. The
participant's own view, the coordinator's matrix and its exports all count through
:func:`counted_minutes` and :func:`_summaries`, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.attendance.models import (
    AbsenceDecision,
    AbsenceNotice,
    Attendance,
    AttendanceSource,
    AttendanceStatus,
)
from lms.certificates.standing import Standing
from lms.cohorts.models import VISIBLE_ENROLLMENT, Cohort, Enrollment
from lms.curriculum.models import Module
from lms.extensions import db
from lms.i18n import sort_key
from lms.schedule.models import Meeting, MeetingStatus, duration_minutes


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


class Timed(Protocol):
    """What counting needs of a meeting (a :class:`Meeting`, or :class:`MeetingTimes`)."""

    @property
    def id(self) -> int: ...
    @property
    def starts_at(self) -> datetime: ...
    @property
    def duration_minutes(self) -> int: ...


class Marked(Protocol):
    """What counting needs of a mark (an :class:`Attendance`, or :class:`MarkFacts`)."""

    @property
    def status(self) -> AttendanceStatus: ...
    @property
    def minutes_attended(self) -> int | None: ...


class MeetingTimes(NamedTuple):
    """A scheduled meeting as counting sees it, read as plain values (no ORM object per
    meeting: a year of meetings is read for every summary)."""

    id: int
    starts_at: datetime
    duration_minutes: int


class MarkFacts(NamedTuple):
    """A mark as counting sees it, read as plain values (a matrix reads thousands)."""

    status: AttendanceStatus
    minutes_attended: int | None


def counted_minutes(meeting: Timed, mark: Marked | None, excused_counts: bool) -> int | None:
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


def _mark_facts(enrollment_ids: list[int]) -> dict[tuple[int, int], MarkFacts]:
    """The marks of these enrollments by (enrollment, meeting), as counting needs them."""
    if not enrollment_ids:
        return {}
    return {
        (enrollment_id, meeting_id): MarkFacts(status, minutes)
        for enrollment_id, meeting_id, status, minutes in db.session.execute(
            _mark_facts_statement(), {"enrollment_ids": enrollment_ids})
    }


@cache
def _mark_facts_statement() -> sa.Select[int, int, AttendanceStatus, int | None]:
    return (sa.select(Attendance.enrollment_id, Attendance.meeting_id, Attendance.status,
                      Attendance.minutes_attended)
            .where(Attendance.enrollment_id.in_(sa.bindparam("enrollment_ids",
                                                             expanding=True))))


def _summaries(
    cohort: Cohort,
    enrollment_ids: Iterable[int],
    meetings: Sequence[Timed],
    marks: Mapping[tuple[int, int], Marked],
    now: datetime,
    counted: dict[tuple[int, int], int] | None = None,
) -> dict[int, AttendanceSummary]:
    """Each enrollment's summary; with ``counted``, also the minutes counted for each
    held meeting an enrollment is marked for (the matrix's cells), from the same count."""
    scheduled = sum(m.duration_minutes for m in meetings)
    held_meetings = [m for m in meetings if m.starts_at <= now]
    held = sum(m.duration_minutes for m in held_meetings)
    required = -(-scheduled * cohort.min_attendance_percent // 100)  # round up
    margin = scheduled // len(meetings) if meetings else 0
    excused_counts = cohort.excused_counts
    result = {}
    for enrollment_id in enrollment_ids:
        attended = missed = 0
        for meeting in held_meetings:
            minutes = counted_minutes(
                meeting, marks.get((enrollment_id, meeting.id)), excused_counts
            )
            if minutes is None:
                continue
            if counted is not None:
                counted[(enrollment_id, meeting.id)] = minutes
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
    """Summaries for many enrollments of one cohort in one query: the cohort's scheduled
    meetings, each with these enrollments' marks (plain values, no ORM object per
    meeting or mark)."""
    ids = [e.id for e in enrollments]
    meetings: list[MeetingTimes] = []
    marks: dict[tuple[int, int], MarkFacts] = {}
    last = None
    for meeting_id, starts_at, ends_at, enrollment_id, status, minutes in db.session.execute(
            _times_and_marks_statement(), {"cohort_id": cohort.id, "enrollment_ids": ids}):
        if meeting_id != last:
            meetings.append(MeetingTimes(meeting_id, starts_at,
                                         duration_minutes(starts_at, ends_at)))
            last = meeting_id
        if enrollment_id is not None and status is not None:  # (an outer join: no mark)
            marks[(enrollment_id, meeting_id)] = MarkFacts(status, minutes)
    return _summaries(cohort, ids, meetings, marks, now)


@cache
def _times_and_marks_statement() -> sa.Select[
        int, datetime, datetime, int | None, AttendanceStatus | None, int | None]:
    """A cohort's scheduled meetings in time order, each with the marks of the given
    enrollments (a row per mark; one with none for a meeting nobody is marked for)."""
    return (
        sa.select(Meeting.id, Meeting.starts_at, Meeting.ends_at, Attendance.enrollment_id,
                  Attendance.status, Attendance.minutes_attended)
        .outerjoin(Attendance, sa.and_(
            Attendance.meeting_id == Meeting.id,
            Attendance.enrollment_id.in_(sa.bindparam("enrollment_ids", expanding=True))))
        .where(Meeting.cohort_id == sa.bindparam("cohort_id"),
               Meeting.status == MeetingStatus.SCHEDULED)
        .order_by(Meeting.starts_at, Meeting.id)
    )


def active_roster(cohort_id: int) -> list[Enrollment]:
    """Who is marked: every enrollment that still sees the cohort, in German name order."""
    enrollments = db.session.scalars(
        sa.select(Enrollment)
        .where(Enrollment.cohort_id == cohort_id, Enrollment.status.in_(VISIBLE_ENROLLMENT))
        .options(selectinload(Enrollment.user))
    ).all()
    return sorted(enrollments, key=lambda e: sort_key(e.user.last_name, e.user.first_name))


# --------------------------------------------------------------------------- one meeting


@dataclass(frozen=True, slots=True)
class RosterMark:
    """One participant of a meeting's roster with their mark and absence notice, as plain
    values (the roster page shows 200 of them)."""

    enrollment_id: int
    last_name: str
    first_name: str
    status: AttendanceStatus | None  # None: not marked yet
    minutes_attended: int | None
    note: str
    source: AttendanceSource | None
    recorded_at: datetime | None
    notice_reason: str | None  # None: no absence announced
    notice_decision: AbsenceDecision | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def checked_in_themselves(self) -> bool:
        return self.source == AttendanceSource.SELF_CHECK_IN


def roster_marks(meeting: Meeting) -> list[RosterMark]:
    """Who is marked for ``meeting`` (every enrollment that still sees the cohort), in
    German name order, each with their mark and absence notice: one query."""
    rows = [RosterMark(*row) for row in db.session.execute(  # type: ignore[arg-type]
        _roster_marks_statement(), {"meeting_id": meeting.id, "cohort_id": meeting.cohort_id})]
    return sorted(rows, key=lambda r: sort_key(r.last_name, r.first_name))


@cache
def _roster_marks_statement() -> sa.Select[*tuple[Any, ...]]:
    meeting_id = sa.bindparam("meeting_id", type_=sa.Integer())
    return (
        sa.select(Enrollment.id, User.last_name, User.first_name, Attendance.status,
                  Attendance.minutes_attended, Attendance.note, Attendance.source,
                  Attendance.recorded_at, AbsenceNotice.reason, AbsenceNotice.decision)
        .join(User, User.id == Enrollment.user_id)
        .outerjoin(Attendance, sa.and_(Attendance.enrollment_id == Enrollment.id,
                                       Attendance.meeting_id == meeting_id))
        .outerjoin(AbsenceNotice, sa.and_(AbsenceNotice.enrollment_id == Enrollment.id,
                                          AbsenceNotice.meeting_id == meeting_id))
        .where(Enrollment.cohort_id == sa.bindparam("cohort_id"),
               Enrollment.status.in_(VISIBLE_ENROLLMENT))
    )


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


class MatrixPerson(NamedTuple):
    id: int  # the enrollment's
    last_name: str
    first_name: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class MatrixMeeting(NamedTuple):
    id: int
    starts_at: datetime
    duration_minutes: int
    module_number: int


@dataclass
class MeetingTotals:
    marked: int = 0
    counted: int = 0  # minutes counted, summed over participants
    by_status: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class AttendanceMatrix:
    """Participants x meetings of one cohort, with the totals both ways, as plain values
    (a year of meetings for 200 participants is 20,000 cells)."""

    cohort: Cohort
    roster: list[MatrixPerson]
    meetings: list[MatrixMeeting]
    marks: dict[tuple[int, int], MarkFacts]
    # minutes counted, for each held meeting a participant is marked for
    minutes: dict[tuple[int, int], int]
    summaries: dict[int, AttendanceSummary]
    meeting_totals: dict[int, MeetingTotals]
    now: datetime

    def held(self, meeting: MatrixMeeting) -> bool:
        return meeting.starts_at <= self.now

    @property
    def next_start(self) -> datetime | None:
        """When the next meeting starts: from then on the matrix shows another held."""
        return next((m.starts_at for m in self.meetings if m.starts_at > self.now), None)

    @property
    def below(self) -> list[MatrixPerson]:
        return [e for e in self.roster if self.summaries[e.id].risk == Standing.OUT_OF_REACH]

    @property
    def near(self) -> list[MatrixPerson]:
        return [e for e in self.roster if self.summaries[e.id].risk == Standing.AT_RISK]


def attendance_matrix(cohort: Cohort, now: datetime) -> AttendanceMatrix:
    """The coordinator's matrix in three queries, whatever the cohort's size: the roster,
    the scheduled meetings with their modules' numbers, the marks (plain values)."""
    roster = sorted(
        (MatrixPerson(*row) for row in db.session.execute(
            _matrix_roster_statement(), {"cohort_id": cohort.id})),
        key=lambda p: sort_key(p.last_name, p.first_name))
    meetings = [MatrixMeeting(id, starts_at, duration_minutes(starts_at, ends_at), number)
                for id, starts_at, ends_at, number in db.session.execute(
                    _matrix_meetings_statement(), {"cohort_id": cohort.id})]
    ids = [p.id for p in roster]
    marks = _mark_facts(ids) if meetings else {}
    minutes: dict[tuple[int, int], int] = {}
    summaries = _summaries(cohort, ids, meetings, marks, now, counted=minutes)
    totals = {m.id: MeetingTotals() for m in meetings}
    statuses: dict[tuple[int, AttendanceStatus], int] = {}
    for key, counted in minutes.items():
        total = totals[key[1]]
        total.marked += 1
        total.counted += counted
        by = (key[1], marks[key].status)
        statuses[by] = statuses.get(by, 0) + 1
    for (meeting_id, status), number in statuses.items():
        totals[meeting_id].by_status[status.value] = number
    return AttendanceMatrix(cohort, roster, meetings, marks, minutes, summaries, totals, now)


@cache
def _matrix_roster_statement() -> sa.Select[int, str, str]:
    return (sa.select(Enrollment.id, User.last_name, User.first_name)
            .join(User, User.id == Enrollment.user_id)
            .where(Enrollment.cohort_id == sa.bindparam("cohort_id"),
                   Enrollment.status.in_(VISIBLE_ENROLLMENT)))


@cache
def _matrix_meetings_statement() -> sa.Select[int, datetime, datetime, int]:
    return (sa.select(Meeting.id, Meeting.starts_at, Meeting.ends_at, Module.number)
            .join(Module, Module.id == Meeting.module_id)
            .where(Meeting.cohort_id == sa.bindparam("cohort_id"),
                   Meeting.status == MeetingStatus.SCHEDULED)
            .order_by(Meeting.starts_at, Meeting.id))


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
