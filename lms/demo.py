"""A realistic demo on the configured database: one company's closed cohort.

Running it again creates nothing twice: people are found by email, the company by
name and the cohort by name; a cohort that exists is left as it is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from lms.accounts.models import LecturerProfile, Role, TitleForm, User
from lms.accounts.operations import create_user, get_user_by_email, grant_role
from lms.assignments.models import Assignment
from lms.assignments.operations import grade, submit_file
from lms.attendance.models import AttendanceStatus
from lms.attendance.operations import record_attendance
from lms.cohorts.models import Cohort, Company, EnrollmentStatus
from lms.cohorts.operations import (
    add_company_contact,
    create_cohort,
    create_company,
    enroll_participant,
)
from lms.curriculum.content import load_course
from lms.curriculum.models import AssessmentKind, Course, GradingScheme
from lms.db import utcnow
from lms.extensions import db
from lms.localtime import local_instant
from lms.schedule.operations import create_block, schedule_meeting

DEMO_PASSWORD = "Demo-Zugang-2026"  # noqa: S105 (printed by `lms demo`; demo accounts only)
COURSE_DIR = Path(__file__).resolve().parent.parent / "course_content" / "social-media-manager"
ZONE = "Europe/Berlin"
COMPANY = "Nordlicht Consulting GmbH"
COHORT = "Inhouse 2026/27 – Nordlicht Consulting"
LOCATION = "TH Köln, Campus Südstadt, Claudiusstraße 1, 50678 Köln"

COORDINATOR = ("anna.lehmann@th-koeln.example", "Anna", "Lehmann")
CONTACT = ("sabine.hoffmann@nordlicht.example", "Sabine", "Hoffmann")

# (email, first, last, affiliation, job title, bio, expertise, modules taught)
LECTURERS = [
    ("katharina.berger@demo.example", "Katharina", "Berger", "Berger Strategieberatung",
     "Inhaberin", "Berät seit 15 Jahren Unternehmen bei der digitalen Kommunikation.",
     ["Social-Media-Strategie", "Zielsysteme"], [1]),
    ("mehmet.oezdemir@demo.example", "Mehmet", "Özdemir", "Rheinblick Content Studio",
     "Head of Content", "Entwickelt Formate für Marken und Redaktionen.",
     ["Storytelling", "Bewegtbild", "Redaktionsplanung"], [2, 9]),
    ("lena.schroeder@demo.example", "Lena", "Schröder", "Domstadt Versicherung AG",
     "Community Managerin", "Betreut Communitys mit über 200.000 Mitgliedern.",
     ["Community Management", "Moderation"], [3]),
    ("dr.felix.wagner@demo.example", "Felix", "Wagner", "Kanzlei Wagner & Partner",
     "Rechtsanwalt, Fachanwalt für IT-Recht", "Berät zu Medien-, Urheber- und Datenschutzrecht.",
     ["Urheberrecht", "Datenschutz", "Impressumspflicht"], [4]),
    ("julia.kraemer@demo.example", "Julia", "Krämer", "Metrik & Maß Analytics",
     "Data Analyst", "Baut Dashboards und KPI-Systeme für Kommunikationsabteilungen.",
     ["Monitoring", "KPIs", "Reporting"], [5]),
    ("tobias.hartmann@demo.example", "Tobias", "Hartmann", "Hartmann Performance Media",
     "Geschäftsführer", "Plant und steuert Paid-Social-Kampagnen im DACH-Raum.",
     ["Paid Social", "Kampagnenplanung"], [6]),
    ("sophie.lindner@demo.example", "Sophie", "Lindner", "Stimmen der Marke GmbH",
     "Beraterin für Employee Advocacy", "Baut Corporate-Influencer-Programme auf.",
     ["Corporate Influencer", "Personal Branding", "Krisenkommunikation"], [7, 8, 10]),
]

# (first, last, title form)
PARTICIPANTS = [
    ("Jürgen", "Müller", TitleForm.MALE), ("Änne", "Schäfer", TitleForm.FEMALE),
    ("Sören", "Köhler", TitleForm.MALE), ("Özlem", "Yılmaz", TitleForm.FEMALE),
    ("Björn", "Weiß", TitleForm.MALE), ("Małgorzata", "Nowak", TitleForm.FEMALE),
    ("Luca", "Große", TitleForm.NEUTRAL), ("Hannah", "Bäcker", TitleForm.FEMALE),
    ("Jörg", "Fuß", TitleForm.MALE), ("Chantal", "Dürr", TitleForm.FEMALE),
    ("Kim", "Löffler", TitleForm.NEUTRAL), ("René", "Göbel", TitleForm.MALE),
    ("Zoë", "Brückner", TitleForm.FEMALE), ("Emre", "Aydın", TitleForm.MALE),
    ("Friederike", "von Hößlin", TitleForm.FEMALE), ("Ulrich", "Jäger", TitleForm.MALE),
    ("Alex", "Süßmuth", TitleForm.NEUTRAL), ("Lücia", "Kühne", TitleForm.FEMALE),
    ("Matthias", "Strauß", TitleForm.MALE), ("Inés", "Ramírez Möller", TitleForm.FEMALE),
]

# An earlier cohort of the same company, finished in spring 2026: everything is marked and
# graded, so the coordinator can issue its certificates in the demo.
PAST_COHORT = "Inhouse 2025/26 – Nordlicht Consulting"
PAST_PARTICIPANTS = [
    ("Ingrid", "Becker", TitleForm.FEMALE), ("Hüseyin", "Kaya", TitleForm.MALE),
    ("Sophie", "Lorenz", TitleForm.FEMALE), ("Mika", "Janßen", TitleForm.NEUTRAL),
    ("Dominik", "Schröer", TitleForm.MALE), ("Aylin", "Öztürk", TitleForm.FEMALE),
    ("Lars", "Wöhler", TitleForm.MALE), ("Nele", "Brandt", TitleForm.FEMALE),
]
PAST_BLOCKS = [
    ("Präsenzblock 1", date(2025, 10, 17), [1, 2, 3]),
    ("Präsenzblock 2", date(2025, 12, 11), [4, 5, 6, 7]),
    ("Präsenzblock 3", date(2026, 3, 13), [8, 9, 10]),
]

# Three blocks over five months; the clocks go back on 25 October 2026 between them.
BLOCKS = [
    ("Präsenzblock 1", date(2026, 10, 16), [1, 2, 3]),
    ("Präsenzblock 2", date(2026, 12, 10), [4, 5, 6, 7]),
    ("Präsenzblock 3", date(2027, 3, 12), [8, 9, 10]),
]
DAY_SLOTS = [(time(9, 0), time(12, 30)), (time(13, 30), time(17, 0))]


@dataclass
class DemoResult:
    created: bool
    password: str = DEMO_PASSWORD
    logins: list[tuple[str, str]] = field(default_factory=list)


def participant_email(first: str, last: str) -> str:
    plain = f"{first}.{last}".lower().replace(" ", "-")
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("ı", "i"), ("ł", "l"),
                 ("é", "e"), ("ë", "e"), ("í", "i")):
        plain = plain.replace(a, b)
    return f"{plain}@nordlicht.example"


def _person(email: str, first: str, last: str, roles: list[Role],
            title_form: TitleForm = TitleForm.NEUTRAL) -> User:
    user = get_user_by_email(email)
    if user is None:
        user = create_user(email, first, last, roles, password=DEMO_PASSWORD,
                           title_form=title_form)
    for role in roles:
        grant_role(user, role)
    return user


def seed_demo(content_path: Path | None = None, now: datetime | None = None) -> DemoResult:
    now = now or utcnow()
    course = db.session.scalar(sa.select(Course).where(Course.slug == "social-media-manager"))
    if course is None:
        course = load_course(content_path or COURSE_DIR).course

    coordinator = _person(*COORDINATOR, [Role.COORDINATOR])
    lecturers: dict[int, User] = {}
    for email, first, last, affiliation, job, bio, expertise, modules in LECTURERS:
        lecturer = _person(email, first, last, [Role.LECTURER])
        profile = lecturer.lecturer_profile or LecturerProfile(user=lecturer)
        profile.affiliation, profile.job_title, profile.bio = affiliation, job, bio
        profile.expertise = expertise
        for number in modules:
            lecturers[number] = lecturer
    contact = _person(*CONTACT, [Role.COMPANY_CONTACT])
    people = [
        _person(participant_email(first, last), first, last, [Role.PARTICIPANT], form)
        for first, last, form in PARTICIPANTS
    ]

    result = DemoResult(created=False)
    result.logins = [
        ("coordinator", coordinator.email),
        ("lecturer", LECTURERS[0][0]),
        ("participant", people[0].email),
        ("company contact", contact.email),
        ("participant (finished cohort)", participant_email(*PAST_PARTICIPANTS[0][:2])),
    ]

    company = db.session.scalar(sa.select(Company).where(Company.name == COMPANY))
    if company is None:
        company = create_company(COMPANY, f"{CONTACT[1]} {CONTACT[2]}", CONTACT[0])
    past_people = [
        _person(participant_email(first, last), first, last, [Role.PARTICIPANT], form)
        for first, last, form in PAST_PARTICIPANTS
    ]
    created = False
    if _find_cohort(course, PAST_COHORT) is None:
        past = _seed_cohort(course, company, PAST_COHORT, PAST_BLOCKS, past_people,
                            coordinator, contact, lecturers, now)
        _grade_final_assessments(past, lecturers[10])
        created = True
    if _find_cohort(course, COHORT) is None:
        current = _seed_cohort(course, company, COHORT, BLOCKS, people, coordinator, contact,
                               lecturers, now)
        modules = {m.number: m for m in course.modules}
        _record_content_plan(current, modules[2], current.enrollments, lecturers[2], now)
        created = True
    result.created = created
    db.session.flush()
    return result


def _find_cohort(course: Course, name: str) -> Cohort | None:
    return db.session.scalar(
        sa.select(Cohort).where(Cohort.course_id == course.id, Cohort.name == name))


def _seed_cohort(course: Course, company: Company, name: str, blocks: list, people: list[User],
                 coordinator: User, contact: User, lecturers: dict[int, User],
                 now: datetime) -> Cohort:
    cohort = create_cohort(
        course, company, name, blocks[0][1], blocks[-1][1] + timedelta(days=2),
        location=LOCATION, coordinator=coordinator, by=coordinator,
    )
    add_company_contact(cohort, contact, by=coordinator)
    enrollments = [
        enroll_participant(cohort, person, status=EnrollmentStatus.ACTIVE, by=coordinator)
        for person in people
    ]
    modules = {m.number: m for m in course.modules}
    meetings = []
    for title, first_day, numbers in blocks:
        last_day = first_day + timedelta(days=len(numbers) - 1)
        block = create_block(cohort, title, first_day, last_day, by=coordinator)
        for offset, number in enumerate(numbers):
            day = first_day + timedelta(days=offset)
            for start, end in DAY_SLOTS:
                meetings.append(schedule_meeting(
                    cohort, modules[number],
                    _at(day, start), _at(day, end),
                    block=block, lecturers=[lecturers[number]], by=coordinator,
                ))
    _record_attendance([m for m in meetings if m.ends_at < now], enrollments)
    return cohort


def _grade_final_assessments(cohort: Cohort, lecturer: User) -> None:
    """The written paper (handed in, with points) and the oral exam of a finished cohort;
    one participant did not pass the paper and can receive a confirmation only."""
    assignments = {a.key: a for a in db.session.scalars(
        sa.select(Assignment).where(Assignment.cohort_id == cohort.id))}
    paper, oral = assignments["hausarbeit"], assignments["muendliche-pruefung"]
    paper.due_at = _at(date(2026, 2, 27), time(23, 59))
    for index, enrollment in enumerate(cohort.enrollments):
        user = enrollment.user
        submit_file(paper, enrollment, f"Hausarbeit_{user.last_name}.pdf",
                    _tiny_pdf(f"Hausarbeit - {user.first_name} {user.last_name}"),
                    "application/pdf", now=_at(date(2026, 2, 20 + index % 5), time(18)))
        points = Decimal(42) if index == 3 else Decimal(62 + (index * 7) % 35)
        grade(paper, enrollment, points=points, by=lecturer,
              feedback="Gut begründetes Konzept." if points >= 50 else
              "Die Zielgruppenanalyse fehlt; bitte überarbeiten.")
        grade(oral, enrollment, passed=True, by=lecturer, feedback="Souveräne Präsentation.")


def _record_attendance(held: list, enrollments: list) -> None:
    chance = random.Random(2026)  # noqa: S311 (the same demo every time; no secret)
    for meeting in held:
        lecturer = meeting.lecturers[0]
        for index, enrollment in enumerate(enrollments):
            if index == 4:  # one participant missed the first block: shows "at risk"
                status, minutes, note = AttendanceStatus.ABSENT, None, ""
            else:
                roll = chance.random()
                if roll < 0.85:
                    status, minutes, note = AttendanceStatus.PRESENT, None, ""
                elif roll < 0.93:
                    status, minutes, note = AttendanceStatus.LATE, 150, "Zug verspätet"
                elif roll < 0.97:
                    status, minutes, note = AttendanceStatus.EXCUSED, None, "Krankmeldung"
                else:
                    status, minutes, note = AttendanceStatus.ABSENT, None, ""
            record_attendance(meeting, enrollment, status, minutes_attended=minutes,
                              note=note, by=lecturer)


def _record_content_plan(cohort: Cohort, module, enrollments: list, lecturer: User,
                         now: datetime) -> None:
    """An optional practice paper of module 2, handed in by some, graded for a few."""
    assignment = Assignment(
        cohort=cohort, module=module, key="redaktionsplan", title="Redaktionsplan (Übung)",
        description="Ein Redaktionsplan für vier Wochen auf zwei Kanälen.",
        kind=AssessmentKind.PAPER, grading=GradingScheme.PASS_FAIL, required=False,
        due_at=_at(date(2026, 11, 15), time(23, 59)),
    )
    db.session.add(assignment)
    db.session.flush()
    for index, enrollment in enumerate(enrollments[:12]):
        submitted = _at(date(2026, 11, 10 + index // 2), time(18))
        if submitted > now:
            continue
        user = enrollment.user
        submit_file(
            assignment, enrollment, f"Redaktionsplan_{user.last_name}.pdf",
            _tiny_pdf(f"Redaktionsplan - {user.first_name} {user.last_name}"),
            "application/pdf", now=submitted,
        )
        if index < 6:
            grade(assignment, enrollment, passed=True, by=lecturer,
                  feedback="Klar gegliedert, gute Kanalwahl.")


def _at(day: date, wall: time) -> datetime:
    """A Berlin wall-clock time as an instant (refusing one the clocks skip)."""
    return local_instant(day, wall, ZONE).at


def _tiny_pdf(text: str) -> bytes:
    """A minimal valid one-page PDF, so that demo submissions are real files."""
    safe = text.encode("latin-1", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(")
    safe = safe.replace(b")", b"\\)")
    stream = b"BT /F1 14 Tf 72 760 Td (" + safe + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)
