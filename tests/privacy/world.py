"""A person with data in every area, for the export and the erasure: a participant who
was renamed once, attended and wrote notes, announced an absence, handed in work, was
graded with feedback that names her, received a certificate, had it corrected (the first
one revoked), subscribed to her calendar, got a reminder, logged in and asked for a
password reset. A second participant of the same cohort, a lecturer and a company contact
have data of their own, which the person's erasure must leave alone."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from lms.accounts.models import Role, User
from lms.accounts.operations import rename_user, request_password_reset
from lms.accounts.sessions import start_session
from lms.assignments.models import Assignment
from lms.assignments.operations import grade, submit_file
from lms.attendance.absences import announce_absence
from lms.attendance.models import AttendanceStatus
from lms.attendance.operations import record_attendance
from lms.certificates.models import Certificate
from lms.certificates.operations import issue_certificate, issue_corrected_certificate
from lms.cohorts.models import Cohort, Enrollment
from lms.cohorts.operations import add_company_contact, update_company
from lms.credentials.queries import get_credential
from lms.extensions import db
from lms.ical.operations import issue_personal_feed
from lms.notifications.models import NotificationLog
from lms.storage import stored_path
from tests.factories import berlin, enroll, make_cohort, make_meeting, make_user

FIRST, LAST, EARLIER_LAST = "Xaverine", "Quendelbach", "Pruszkowski"
EMAIL = "xaverine.quendelbach@nordlicht.example"
# What must be gone from every table after her erasure (case-insensitive).
IDENTIFIERS = (EMAIL, f"{FIRST} {LAST}", LAST, f"{FIRST} {EARLIER_LAST}", EARLIER_LAST)
HANDED_IN = b"%PDF-1.4\n% Hausarbeit von Xaverine Quendelbach\n%%EOF\n"


@dataclass
class PersonWorld:
    person: User
    enrollment: Enrollment
    cohort: Cohort
    coordinator: User
    lecturer: User
    other: Enrollment
    contact: User
    certificates: list[Certificate] = field(default_factory=list)
    pdfs: dict[str, bytes] = field(default_factory=dict)  # serial -> the PDF as issued
    credentials: dict[str, str] = field(default_factory=dict)  # serial -> credential JSON
    files: list[tuple[str, str]] = field(default_factory=list)  # (area, stored name)


def build_person_world(course, *, starts_on: date = date(2026, 1, 5),
                       issued: datetime | None = None) -> PersonWorld:
    coordinator = make_user(Role.COORDINATOR, first="Anna", last="Lehmann")
    lecturer = make_user(Role.LECTURER, first="Katharina", last="Berger")
    person = make_user(Role.PARTICIPANT, email=EMAIL, first=FIRST, last=EARLIER_LAST)
    cohort = make_cohort(course, company_name="Nordlicht Consulting GmbH", starts_on=starts_on)
    update_company(cohort.company, name=cohort.company.name, contact_name="Sabine Hoffmann",
                   contact_email="sabine.hoffmann@nordlicht.example", by=coordinator)
    contact = make_user(Role.COMPANY_CONTACT, email="sabine.hoffmann@nordlicht.example",
                        first="Sabine", last="Hoffmann")
    add_company_contact(cohort, contact, by=coordinator)
    enrollment = enroll(cohort, person)
    other = enroll(cohort, make_user(Role.PARTICIPANT, first="Jürgen", last="Müller"))
    rename_user(person, FIRST, LAST, by=coordinator)  # the trail keeps the earlier name

    day = starts_on + timedelta(days=3)
    meetings = [make_meeting(cohort, berlin(day.year, day.month, day.day + offset), hours=4,
                             module_number=number, lecturers=(lecturer,))
                for offset, number in ((0, 1), (1, 2))]
    announce_absence(meetings[1], enrollment, f"Arzttermin von {FIRST} {LAST}",
                     now=meetings[0].starts_at - timedelta(days=2))
    for who in (enrollment, other):
        record_attendance(meetings[0], who, AttendanceStatus.PRESENT, by=lecturer,
                          note=f"Frau {LAST} kam pünktlich" if who is enrollment else "pünktlich")
        record_attendance(meetings[1], who, AttendanceStatus.PRESENT, by=lecturer)
    assignments = db.session.scalars(sa.select(Assignment).filter_by(cohort_id=cohort.id)
                                     .order_by(Assignment.id)).all()
    for assignment in assignments:
        for who in (enrollment, other):
            if assignment.kind.value == "paper":
                submit_file(assignment, who, f"Hausarbeit {LAST}.pdf" if who is enrollment
                            else "Hausarbeit.pdf", HANDED_IN if who is enrollment
                            else b"%PDF-1.4\n%%EOF\n", now=meetings[1].ends_at)
            feedback = f"Sehr gut, Frau {LAST}." if who is enrollment else "Sehr gut."
            if assignment.grading.value == "points":
                grade(assignment, who, points=assignment.max_points, feedback=feedback,
                      by=lecturer)
            else:
                grade(assignment, who, passed=True, feedback=feedback, by=lecturer)
    issued = issued or datetime.combine(cohort.ends_on + timedelta(days=1), datetime.min.time(),
                                        UTC).replace(hour=10)
    first = issue_certificate(enrollment, by=coordinator, now=issued).certificate
    corrected = issue_corrected_certificate(
        first, f"Name korrigiert für {FIRST} {LAST}", by=coordinator,
        now=issued + timedelta(hours=1)).certificate
    issue_certificate(other, by=coordinator, now=issued)
    issue_personal_feed(person)
    db.session.add(NotificationLog(kind="deadline_reminder", key=f"test:{person.id}",
                                   user_id=person.id))
    start_session(person)
    request_password_reset(EMAIL)
    db.session.flush()

    world = PersonWorld(person, enrollment, cohort, coordinator, lecturer, other, contact,
                        [first, corrected])
    for certificate in world.certificates:
        pdf = stored_path("certificates", certificate.stored_name).read_bytes()
        assert hashlib.sha256(pdf).hexdigest() == certificate.sha256
        world.pdfs[certificate.serial] = pdf
        world.credentials[certificate.serial] = get_credential(certificate).document
        world.files.append(("certificates", certificate.stored_name))
    for submission in _submissions(enrollment):
        world.files.append(("submissions", submission.stored_name))
    return world


def _submissions(enrollment: Enrollment):
    from lms.assignments.models import Submission

    return db.session.scalars(sa.select(Submission).filter_by(enrollment_id=enrollment.id)).all()
