"""Reads of companies, cohorts and enrollments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, selectinload

from lms.accounts.models import User
from lms.cohorts.models import (
    VISIBLE_ENROLLMENT,
    Cohort,
    Company,
    Enrollment,
    EnrollmentStatus,
    cohort_contact,
)
from lms.curriculum.models import Course
from lms.extensions import db
from lms.i18n import sort_key
from lms.schedule.models import Meeting, MeetingStatus


@dataclass(frozen=True)
class CohortRow:
    cohort: Cohort
    participants: int
    invited: int
    meetings: int
    cancelled: int


def list_cohort_overview() -> list[CohortRow]:
    """Every cohort with its head counts, in a fixed number of queries."""
    participants = (
        sa.select(sa.func.count())
        .where(
            Enrollment.cohort_id == Cohort.id,
            Enrollment.status.in_([EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED]),
        )
        .scalar_subquery()
    )
    invited = (
        sa.select(sa.func.count())
        .where(Enrollment.cohort_id == Cohort.id, Enrollment.status == EnrollmentStatus.INVITED)
        .scalar_subquery()
    )
    meetings = (
        sa.select(sa.func.count())
        .where(Meeting.cohort_id == Cohort.id, Meeting.status == MeetingStatus.SCHEDULED)
        .scalar_subquery()
    )
    cancelled = (
        sa.select(sa.func.count())
        .where(Meeting.cohort_id == Cohort.id, Meeting.status == MeetingStatus.CANCELLED)
        .scalar_subquery()
    )
    rows: Sequence[tuple[Cohort, int, int, int, int]] = db.session.execute(
        sa.select(Cohort, participants, invited, meetings, cancelled)
        .options(selectinload(Cohort.course), selectinload(Cohort.company))
        .order_by(Cohort.starts_on.desc(), Cohort.name)
    ).all()
    return [CohortRow(*row) for row in rows]


def list_user_enrollments(user: User) -> list[Enrollment]:
    """A participant's enrollments that still show their cohort (with cohort, course and
    company: one statement)."""
    return list(db.session.scalars(_user_enrollments(), {"user_id": user.id}))


@cache
def _user_enrollments() -> sa.Select[Enrollment]:
    """Built once: every page of a participant runs it."""
    return (
        sa.select(Enrollment)
        .where(Enrollment.user_id == sa.bindparam("user_id"),
               Enrollment.status.in_(VISIBLE_ENROLLMENT))
        .join(Enrollment.cohort)
        .options(contains_eager(Enrollment.cohort).joinedload(Cohort.course),
                 contains_eager(Enrollment.cohort).joinedload(Cohort.company))
        .order_by(Cohort.starts_on.desc())
    )


def list_contact_cohorts(user: User) -> list[Cohort]:
    return list(
        db.session.scalars(
            sa.select(Cohort)
            .join(cohort_contact, cohort_contact.c.cohort_id == Cohort.id)
            .where(cohort_contact.c.user_id == user.id)
            .options(selectinload(Cohort.course), selectinload(Cohort.company))
            .order_by(Cohort.starts_on.desc())
        )
    )


def list_roster(cohort: Cohort) -> list[Enrollment]:
    """A cohort's enrollments in German alphabetical order of the participants' names."""
    enrollments = db.session.scalars(
        sa.select(Enrollment)
        .where(Enrollment.cohort_id == cohort.id)
        .options(selectinload(Enrollment.user))
    ).all()
    return sorted(enrollments, key=lambda e: sort_key(e.user.last_name, e.user.first_name))


def list_companies() -> list[Company]:
    return list(db.session.scalars(sa.select(Company).order_by(Company.name)))


def get_company(company_id: int) -> Company | None:
    return db.session.get(Company, company_id)


def get_enrollment(enrollment_id: int) -> Enrollment | None:
    return db.session.get(Enrollment, enrollment_id)


# --------------------------------------------------------------------------- for the API


def list_cohorts(reach: sa.ColumnElement[bool]) -> list[Cohort]:
    """The cohorts that satisfy ``reach`` (a condition on Cohort, from lms.access), newest
    first."""
    return list(db.session.scalars(
        sa.select(Cohort).where(reach)
        .options(selectinload(Cohort.course), selectinload(Cohort.company))
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())))


def list_cohort_courses(reach: sa.ColumnElement[bool]) -> list[Course]:
    """The courses of the cohorts that satisfy ``reach``."""
    return list(db.session.scalars(
        sa.select(Course).where(Course.id.in_(sa.select(Cohort.course_id).where(reach)))
        .order_by(Course.title_neutral, Course.id)))
