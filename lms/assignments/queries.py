"""Reads of assignments, submissions and grades; a fixed number of queries each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.models import User
from lms.assignments.models import Assignment, Grade, Submission
from lms.attendance.queries import active_roster
from lms.cohorts.models import Cohort, Enrollment
from lms.curriculum.models import AssessmentKind
from lms.db import AnySelect
from lms.extensions import db
from lms.labels import LabelledEnum
from lms.schedule.models import Meeting, meeting_lecturer


def _ordered(query: AnySelect) -> AnySelect:
    return query.options(
        selectinload(Assignment.module),
        selectinload(Assignment.cohort).selectinload(Cohort.course),
        selectinload(Assignment.cohort).selectinload(Cohort.company),
    ).order_by(Assignment.cohort_id, Assignment.due_at.is_(None), Assignment.due_at,
               Assignment.title, Assignment.id)


def list_cohort_assignments(cohort_ids: list[int]) -> list[Assignment]:
    if not cohort_ids:
        return []
    return list(db.session.scalars(_ordered(
        sa.select(Assignment).where(Assignment.cohort_id.in_(cohort_ids)))))


def list_assignments_by_creation(cohort_id: int) -> list[Assignment]:
    """A cohort's assignments in the order they were made (the course's first)."""
    return list(db.session.scalars(
        sa.select(Assignment).where(Assignment.cohort_id == cohort_id).order_by(Assignment.id)))


def get_assignment(assignment_id: int) -> Assignment | None:
    return db.session.get(Assignment, assignment_id)


def list_lecturer_assignments(user: User) -> list[Assignment]:
    """Assignments of the modules a lecturer teaches in some meeting of that cohort."""
    taught = (
        sa.select(Meeting.id)
        .join(meeting_lecturer, meeting_lecturer.c.meeting_id == Meeting.id)
        .where(meeting_lecturer.c.user_id == user.id, Meeting.cohort_id == Assignment.cohort_id,
               Meeting.module_id == Assignment.module_id)
        .exists()
    )
    return list(db.session.scalars(_ordered(sa.select(Assignment).where(taught))))


@dataclass(frozen=True)
class WorkStatus:
    """One participant's state for one assignment."""

    latest: Submission | None
    versions: int
    grade: Grade | None  # any grade; callers decide whether it is published


def _latest_submissions(assignment_ids: list[int], enrollment_ids: list[int]
                        ) -> dict[tuple[int, int], tuple[Submission, int]]:
    if not assignment_ids or not enrollment_ids:
        return {}
    counts = (
        sa.select(Submission.assignment_id, Submission.enrollment_id,
                  sa.func.max(Submission.version).label("top"),
                  sa.func.count().label("versions"))
        .where(Submission.assignment_id.in_(assignment_ids),
               Submission.enrollment_id.in_(enrollment_ids))
        .group_by(Submission.assignment_id, Submission.enrollment_id)
        .subquery()
    )
    rows: Sequence[tuple[Submission, int]] = db.session.execute(
        sa.select(Submission, counts.c.versions).join(
            counts,
            sa.and_(Submission.assignment_id == counts.c.assignment_id,
                    Submission.enrollment_id == counts.c.enrollment_id,
                    Submission.version == counts.c.top),
        )
    ).all()
    return {(s.assignment_id, s.enrollment_id): (s, n) for s, n in rows}


def _grades(assignment_ids: list[int], enrollment_ids: list[int]
            ) -> dict[tuple[int, int], Grade]:
    if not assignment_ids or not enrollment_ids:
        return {}
    return {
        (g.assignment_id, g.enrollment_id): g
        for g in db.session.scalars(
            sa.select(Grade).where(Grade.assignment_id.in_(assignment_ids),
                                   Grade.enrollment_id.in_(enrollment_ids)))
    }


def work_status(assignments: list[Assignment], enrollments: list[Enrollment]
                ) -> dict[tuple[int, int], WorkStatus]:
    """Status of every (assignment, enrollment) pair, in two queries."""
    a_ids, e_ids = [a.id for a in assignments], [e.id for e in enrollments]
    latest = _latest_submissions(a_ids, e_ids)
    grades = _grades(a_ids, e_ids)
    result = {}
    for a in assignments:
        for e in enrollments:
            if a.cohort_id != e.cohort_id:
                continue
            sub, versions = latest.get((a.id, e.id), (None, 0))
            result[(a.id, e.id)] = WorkStatus(sub, versions, grades.get((a.id, e.id)))
    return result


@dataclass(frozen=True)
class GradingRow:
    enrollment: Enrollment
    status: WorkStatus


def grading_list(assignment: Assignment) -> list[GradingRow]:
    """The roster of an assignment's cohort with each participant's latest work and grade
    (four queries, whatever the cohort's size)."""
    roster = active_roster(assignment.cohort_id)
    status = work_status([assignment], roster)
    return [GradingRow(e, status[(assignment.id, e.id)]) for e in roster]


def list_versions(assignment: Assignment, enrollment: Enrollment) -> list[Submission]:
    return list(db.session.scalars(
        sa.select(Submission)
        .filter_by(assignment_id=assignment.id, enrollment_id=enrollment.id)
        .order_by(Submission.version.desc())
    ))


def get_grade(assignment: Assignment, enrollment: Enrollment) -> Grade | None:
    return db.session.scalar(
        sa.select(Grade).filter_by(assignment_id=assignment.id, enrollment_id=enrollment.id))


# --------------------------------------------------------------------------- handing in


class HandIn(LabelledEnum):
    """What a participant is offered for an assignment, decided in one place for the page
    (which form it shows, under the offer's label as its heading) and for
    :func:`lms.assignments.operations.submit_file` (which refuses what is not offered)."""

    # An assessment without upload (oral exam, presentation).
    NO_UPLOAD = "no_upload", _l("nothing to upload")
    # Nothing handed in yet; the due date (if any) has not passed.
    FIRST = "first", _l("hand in")
    # Nothing handed in, the due date has passed: marked late.
    FIRST_LATE = "first_late", _l("hand in")
    # Handed in, not graded, the due date has not passed.
    NEW_VERSION = "new_version", _l("hand in a new version")
    # Graded "not passed": a revised version may be handed in.
    REVISION = "revision", _l("hand in a revised version")
    # Handed in, the due date passed: it stands.
    CLOSED_AFTER_DUE = "closed_after_due", _l("handed in")
    # Graded "passed": nothing more to hand in.
    CLOSED_PASSED = "closed_passed", _l("handed in")

    @property
    def accepts_upload(self) -> bool:
        return self in (HandIn.FIRST, HandIn.FIRST_LATE, HandIn.NEW_VERSION, HandIn.REVISION)


def hand_in_offer(assignment: Assignment, versions: int, grade: Grade | None,
                  now: datetime) -> HandIn:
    """The offer for a participant with ``versions`` handed in and ``grade`` (only a
    published grade counts: an unpublished one is not known to the participant yet)."""
    if assignment.kind != AssessmentKind.PAPER:
        return HandIn.NO_UPLOAD
    if grade is not None and grade.published_at is not None:
        return HandIn.CLOSED_PASSED if grade.passed else HandIn.REVISION
    overdue = assignment.due_at is not None and now > assignment.due_at
    if versions == 0:
        return HandIn.FIRST_LATE if overdue else HandIn.FIRST
    return HandIn.CLOSED_AFTER_DUE if overdue else HandIn.NEW_VERSION


@dataclass(frozen=True)
class ToDo:
    """A paper a participant still has to hand in (first, late, or revised)."""

    assignment: Assignment
    enrollment_id: int
    offer: HandIn


TO_DO = (HandIn.FIRST, HandIn.FIRST_LATE, HandIn.REVISION)


@cache
def _papers_with_state() -> sa.Select[Assignment, int, int, Grade | None]:
    """Each paper of the enrollments' cohorts with the enrollment, its number of versions
    and its grade; built once (the participant's start page runs it on every request)."""
    versions = (
        sa.select(sa.func.count())
        .where(Submission.assignment_id == Assignment.id,
               Submission.enrollment_id == Enrollment.id)
        .scalar_subquery()
    )
    return (
        sa.select(Assignment, Enrollment.id, versions, Grade)
        .join(Enrollment, Enrollment.cohort_id == Assignment.cohort_id)
        .outerjoin(Grade, sa.and_(Grade.assignment_id == Assignment.id,
                                  Grade.enrollment_id == Enrollment.id))
        .where(Enrollment.id.in_(sa.bindparam("enrollment_ids", expanding=True)),
               Assignment.kind == AssessmentKind.PAPER)
        .options(joinedload(Assignment.module))
    )


def papers_to_hand_in(enrollment_ids: list[int], now: datetime) -> list[ToDo]:
    """The papers of these enrollments' cohorts that still need handing in, the most
    urgent first (overdue, then by due date; undated last): one query, each paper with
    its versions and grade. The offer is :func:`hand_in_offer`'s, as on the paper's page."""
    if not enrollment_ids:
        return []
    rows = db.session.execute(_papers_with_state(), {"enrollment_ids": enrollment_ids}).all()
    todo = [ToDo(assignment, enrollment_id, offer)
            for assignment, enrollment_id, count, grade in rows
            if (offer := hand_in_offer(assignment, count, grade, now)) in TO_DO]
    return sorted(todo, key=lambda t: (t.assignment.due_at is None,
                                       t.assignment.due_at or now, t.assignment.title,
                                       t.assignment.id))
