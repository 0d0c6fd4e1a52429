"""Small builders for test data, on top of the real operations."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from lms.accounts.models import Role, User
from lms.accounts.operations import create_user, grant_role
from lms.cohorts.models import Cohort, Enrollment, EnrollmentStatus
from lms.cohorts.operations import create_cohort, create_company, enroll_participant
from lms.curriculum.content import load_course
from lms.curriculum.models import Course
from lms.schedule.models import Meeting
from lms.schedule.operations import schedule_meeting

PASSWORD = "correct horse battery"
BERLIN = ZoneInfo("Europe/Berlin")
_counter = itertools.count(1)


def make_user(*roles: Role, email: str | None = None, first: str = "Test",
              last: str | None = None, password: str | None = PASSWORD) -> User:
    n = next(_counter)
    user = create_user(
        email or f"user{n}@example.org", first, last or f"Person{n}", roles, password=password
    )
    for role in roles:
        grant_role(user, role)
    return user


def load_test_course(course_dir) -> Course:
    from lms.extensions import db

    course = db.session.scalar(db.select(Course).filter_by(slug="social-media-manager"))
    return course or load_course(course_dir).course


def make_cohort(course: Course, company_name: str | None = None, name: str | None = None,
                starts_on: date = date(2026, 10, 1)) -> Cohort:
    n = next(_counter)
    company = create_company(company_name or f"Company {n}")
    return create_cohort(course, company, name or f"Cohort {n}", starts_on,
                         starts_on + timedelta(days=150))


def enroll(cohort: Cohort, user: User | None = None,
           status: EnrollmentStatus = EnrollmentStatus.ACTIVE) -> Enrollment:
    return enroll_participant(cohort, user or make_user(Role.PARTICIPANT), status=status)


def make_meeting(cohort: Cohort, start: datetime, hours: float = 3.5, module_number: int = 1,
                 lecturers: tuple[User, ...] = ()) -> Meeting:
    module = next(m for m in cohort.course.modules if m.number == module_number)
    return schedule_meeting(cohort, module, start, start + timedelta(hours=hours),
                            lecturers=list(lecturers))


def berlin(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)
