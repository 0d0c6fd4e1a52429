"""Changes to companies, cohorts and enrollments. Operations flush, never commit."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from lms.accounts.models import Role, User
from lms.accounts.operations import grant_role
from lms.assignments.models import Assignment
from lms.audit.operations import record_event
from lms.cohorts.models import Cohort, Company, Enrollment, EnrollmentStatus
from lms.curriculum.models import Course
from lms.db import utcnow
from lms.extensions import db


class CohortError(ValueError):
    """A cohort change cannot be made; the message says why."""


def create_company(name: str, contact_name: str = "", contact_email: str = "") -> Company:
    company = Company(name=name.strip(), contact_name=contact_name, contact_email=contact_email)
    db.session.add(company)
    db.session.flush()
    return company


def create_cohort(
    course: Course,
    company: Company,
    name: str,
    starts_on: date,
    ends_on: date,
    *,
    timezone: str = "Europe/Berlin",
    location: str = "",
    coordinator: User | None = None,
    by: User | None = None,
) -> Cohort:
    """A closed cohort with the course's completion rules and assessments as its own copies,
    so that changing the course later never changes a running cohort's rules."""
    if ends_on < starts_on:
        raise CohortError("the cohort cannot end before it starts")
    ZoneInfo(timezone)  # raises for an unknown zone
    cohort = Cohort(
        course=course,
        company=company,
        name=name.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        timezone=timezone,
        location=location,
        coordinator=coordinator,
        min_attendance_percent=course.default_min_attendance_percent,
        excused_counts=course.default_excused_counts,
    )
    db.session.add(cohort)
    for template in course.assessments:
        db.session.add(
            Assignment(
                cohort=cohort,
                module_id=template.module_id,
                key=template.key,
                title=template.title,
                kind=template.kind,
                grading=template.grading,
                max_points=template.max_points,
                pass_points=template.pass_points,
                required=template.required,
            )
        )
    db.session.flush()
    record_event(
        by, "cohort.created", cohort, cohort_id=cohort.id,
        after={"name": cohort.name, "company": company.name, "course": course.slug},
    )
    return cohort


def enroll_participant(
    cohort: Cohort, user: User, *, status: EnrollmentStatus = EnrollmentStatus.INVITED,
    by: User | None = None,
) -> Enrollment:
    now = utcnow()
    enrollment = Enrollment(
        cohort=cohort,
        user=user,
        status=status,
        invited_at=now,
        activated_at=now if status == EnrollmentStatus.ACTIVE else None,
    )
    db.session.add(enrollment)
    grant_role(user, Role.PARTICIPANT)
    record_event(
        by, "enrollment.created", enrollment, cohort_id=cohort.id,
        after={"user": user.email, "status": status.value},
    )
    return enrollment


def add_company_contact(cohort: Cohort, user: User, *, by: User | None = None) -> None:
    grant_role(user, Role.COMPANY_CONTACT)
    if user not in cohort.contacts:
        cohort.contacts.append(user)
        db.session.flush()
        record_event(by, "cohort.contact_added", cohort, cohort_id=cohort.id,
                     after={"user": user.email})
