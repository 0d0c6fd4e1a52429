"""Changes to companies, cohorts and enrollments. Operations flush, never commit."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from lms.accounts.models import Role, User
from lms.accounts.operations import grant_role
from lms.assignments.models import Assignment
from lms.audit.operations import record_event
from lms.cohorts.models import Cohort, Company, Enrollment, EnrollmentStatus
from lms.curriculum.models import Course
from lms.db import unique_or, utcnow
from lms.errors import DomainError
from lms.extensions import db
from lms.i18n import site_timezone


class CohortError(DomainError):
    """A cohort change cannot be made."""


def company_name_taken() -> CohortError:
    return CohortError(_l("A company with this name exists already."), field="name")


def cohort_name_taken() -> CohortError:
    return CohortError(_l("This course has a cohort of this name already."), field="name")


def create_company(name: str, contact_name: str = "", contact_email: str = "", *,
                   by: User | None = None) -> Company:
    """A company that books cohorts; its name is unique (CohortError on field "name")."""
    with unique_or(db.session, company_name_taken()):
        company = Company(name=name.strip(), contact_name=contact_name.strip(),
                          contact_email=contact_email.strip().lower())
        db.session.add(company)
    record_event(by, "company.created", company, after=_company_state(company))
    return company


def _company_state(company: Company) -> dict[str, str]:
    return {"name": company.name, "contact_name": company.contact_name,
            "contact_email": company.contact_email}


def create_cohort(
    course: Course,
    company: Company,
    name: str,
    starts_on: date,
    ends_on: date,
    *,
    timezone: str | None = None,
    location: str = "",
    coordinator: User | None = None,
    by: User | None = None,
) -> Cohort:
    """A closed cohort with the course's completion rules and assessments as its own copies,
    so that changing the course later never changes a running cohort's rules. Without a
    ``timezone``, the configured one (``LMS_TIMEZONE``)."""
    if ends_on < starts_on:
        raise CohortError(_l("The cohort cannot end before it starts."), field="ends_on")
    timezone = timezone or site_timezone()
    ZoneInfo(timezone)  # raises for an unknown zone
    # Built inside the savepoint: the company's collection would otherwise name it before
    # it is in the session.
    with unique_or(db.session, cohort_name_taken()):
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


def update_company(company: Company, *, name: str, contact_name: str, contact_email: str,
                   by: User | None = None) -> None:
    before = _company_state(company)
    with unique_or(db.session, company_name_taken()):
        company.name, company.contact_name = name.strip(), contact_name.strip()
        company.contact_email = contact_email.strip().lower()
    after = _company_state(company)
    if before != after:
        record_event(by, "company.updated", company, before=before, after=after)


# What a coordinator may change on a cohort; completion rules included.
COHORT_FIELDS = ("name", "company_id", "starts_on", "ends_on", "timezone", "location",
                 "coordinator_id", "min_attendance_percent", "excused_counts",
                 "attendance_edit_days")


def _cohort_state(cohort: Cohort) -> dict[str, Any]:
    state = {f: getattr(cohort, f) for f in COHORT_FIELDS}
    state["starts_on"], state["ends_on"] = str(cohort.starts_on), str(cohort.ends_on)
    state["required"] = sorted(a.key for a in _assignments(cohort) if a.required)
    return state


def _assignments(cohort: Cohort) -> list[Assignment]:
    return list(db.session.scalars(
        db.select(Assignment).where(Assignment.cohort_id == cohort.id).order_by(Assignment.id)))


def update_cohort(cohort: Cohort, *, required_keys: set[str] | None = None,
                  by: User | None = None, **values: object) -> None:
    """Change a cohort's data and completion rules; every change is audited with its
    before and after (a rule changed later applies to marks already recorded)."""
    unknown = set(values) - set(COHORT_FIELDS)
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)}")
    starts_on = values.get("starts_on", cohort.starts_on)
    ends_on = values.get("ends_on", cohort.ends_on)
    if isinstance(starts_on, date) and isinstance(ends_on, date) and ends_on < starts_on:
        raise CohortError(_l("The cohort cannot end before it starts."), field="ends_on")
    if "timezone" in values:
        ZoneInfo(str(values["timezone"]))
    before = _cohort_state(cohort)
    with unique_or(db.session, cohort_name_taken()):
        for key, value in values.items():
            setattr(cohort, key, value)
    if required_keys is not None:
        for assignment in _assignments(cohort):
            assignment.required = assignment.key in required_keys
    db.session.flush()
    after = _cohort_state(cohort)
    if before != after:
        changed = [k for k in after if before[k] != after[k]]
        record_event(by, "cohort.updated", cohort, cohort_id=cohort.id,
                     before={k: before[k] for k in changed}, after={k: after[k] for k in changed})


def remove_company_contact(cohort: Cohort, user: User, *, by: User | None = None) -> None:
    if user in cohort.contacts:
        cohort.contacts.remove(user)
        # Dated as a change of the cohort: calendar feeds that showed it to this contact
        # answer If-Modified-Since with the feed that no longer does.
        cohort.updated_at = utcnow()
        db.session.flush()
        record_event(by, "cohort.contact_removed", cohort, cohort_id=cohort.id,
                     before={"user": user.email})


def set_cohort_archived(cohort: Cohort, archived: bool, *, by: User | None = None) -> None:
    """Archive a finished cohort (or bring it back). Nothing is deleted: its records,
    certificates and their verification stay as they are."""
    if archived == (cohort.archived_at is not None):
        return
    cohort.archived_at = utcnow() if archived else None
    db.session.flush()
    record_event(by, "cohort.archived" if archived else "cohort.unarchived", cohort,
                 cohort_id=cohort.id)
