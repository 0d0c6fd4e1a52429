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


# --------------------------------------------------------------------------- certificates


def make_finished_cohort(course: Course, participants: int = 1, lecturer: User | None = None,
                         starts_on: date = date(2026, 1, 5)) -> tuple[Cohort, list[Enrollment]]:
    """A cohort whose course is over: two 4-hour meetings, everyone present and every
    required assessment passed, so that each participant may receive a certificate."""
    from lms.assignments.models import Assignment
    from lms.assignments.operations import grade
    from lms.attendance.models import AttendanceStatus
    from lms.attendance.operations import record_attendance
    from lms.extensions import db

    cohort = make_cohort(course, starts_on=starts_on)
    lecturer = lecturer or make_user(Role.LECTURER, first="Katharina", last="Berger")
    meetings = [
        make_meeting(cohort, berlin(starts_on.year, starts_on.month, starts_on.day + offset),
                     hours=4, module_number=number, lecturers=(lecturer,))
        for offset, number in ((3, 1), (4, 2))
    ]
    enrollments = [enroll(cohort) for _ in range(participants)]
    assignments = db.session.scalars(db.select(Assignment).filter_by(cohort_id=cohort.id)).all()
    for enrollment in enrollments:
        for meeting in meetings:
            record_attendance(meeting, enrollment, AttendanceStatus.PRESENT, by=lecturer)
        for assignment in assignments:
            if assignment.grading.value == "points":
                grade(assignment, enrollment, points=assignment.max_points, by=lecturer)
            else:
                grade(assignment, enrollment, passed=True, by=lecturer)
    return cohort, enrollments


# --------------------------------------------------------------------------- calendars


def parse_calendar(data: bytes):
    """Parse a served calendar with the icalendar library and with vobject (an
    independent parser); both must accept it. Returns (icalendar, vobject) calendars."""
    import icalendar
    import vobject

    # vobject keeps the first VTIMEZONE it ever read for a TZID, process-wide; a calendar
    # program reads each feed afresh, so forget earlier ones and use this feed's own.
    registry = vars(vobject.icalendar)["__tzidMap"]
    for tzid in [key for key in registry if key != "UTC"]:
        del registry[tzid]
    text = data.decode("utf-8")
    first = icalendar.Calendar.from_ical(text)
    second = vobject.readOne(text)
    return first, second


def issue_feed_url(user: User | None = None, cohort: Cohort | None = None,
                   by: User | None = None) -> str:
    """A live feed path (/calendar/feed/<token>.ics) for a person or a cohort."""
    from lms.ical.operations import issue_cohort_feed, issue_personal_feed

    if cohort is not None:
        _feed, token = issue_cohort_feed(cohort, by=by or make_user(Role.COORDINATOR))
    else:
        _feed, token = issue_personal_feed(user)
    return f"/calendar/feed/{token}.ics"


def feed_events(data: bytes) -> dict[str, dict]:
    """UID → what both parsers read of each event; the two must agree."""
    from datetime import UTC

    first, second = parse_calendar(data)
    result = {}
    for component in first.walk("VEVENT"):
        uid = str(component["UID"])
        result[uid] = {
            "summary": str(component["SUMMARY"]),
            "start": component.decoded("DTSTART"),
            "end": component.decoded("DTEND"),
            "sequence": int(component.get("SEQUENCE", 0)),
            "status": str(component.get("STATUS", "")),
            "dtstamp": component.decoded("DTSTAMP"),
            "description": str(component.get("DESCRIPTION", "")),
            "tzid": component["DTSTART"].params.get("TZID"),
        }
    other = {str(e.uid.value): e for e in getattr(second, "vevent_list", [])}
    assert set(other) == set(result)

    def instant(value):  # a whole-day event's DATE stays a date
        return value.astimezone(UTC) if isinstance(value, datetime) else value

    for uid, values in result.items():
        mirrored = other[uid]
        assert mirrored.summary.value == values["summary"]
        assert instant(mirrored.dtstart.value) == instant(values["start"])
        assert instant(mirrored.dtend.value) == instant(values["end"])
        assert int(mirrored.sequence.value) == values["sequence"]
        assert mirrored.status.value == values["status"]
    return result


def set_due_date(cohort: Cohort, due: datetime | None = None):
    """Give the cohort's first assignment a due date (a deadline in its calendars)."""
    from lms.assignments.models import Assignment
    from lms.extensions import db

    assignment = db.session.scalars(
        db.select(Assignment).filter_by(cohort_id=cohort.id).order_by(Assignment.id)
    ).first()
    assignment.due_at = due or berlin(2027, 1, 15, 23, 59)
    db.session.flush()
    return assignment
