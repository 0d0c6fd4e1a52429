"""A realistic demo on the configured database: one company's closed cohorts, dated
relative to the day it is seeded.

- The running cohort is always mid-course: four blocks, the first two (half of its 20
  meetings) in the past with attendance recorded and some work handed in, the other two
  ahead. Its meetings cross a change of the clocks (summer/winter time): block 1 or
  block 4 is moved across the nearest change when the usual spacing does not reach one.
- The finished cohort ended a few weeks ago with every mark and grade recorded, and its
  documents issued (each PDF with its signed Open Badges credential inside): most earn a
  certificate, one a confirmation of participation only, one (who attended nothing)
  does not complete.

Running it again creates nothing twice: people are found by email, the company by name,
and each cohort by name or by its first participant's place in it (so a database seeded
by an earlier version keeps its cohorts); a cohort that exists is left as it is.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from lms.accounts.models import LecturerProfile, Role, TitleForm, User
from lms.accounts.operations import create_user, get_user_by_email, grant_role
from lms.assignments.models import Assignment
from lms.assignments.operations import grade, submit_file
from lms.attendance.models import AttendanceStatus
from lms.attendance.operations import record_attendance
from lms.cohorts.models import Cohort, Company, Enrollment, EnrollmentStatus
from lms.cohorts.operations import (
    add_company_contact,
    create_cohort,
    create_company,
    enroll_participant,
)
from lms.curriculum.content import load_course
from lms.curriculum.models import AssessmentKind, Course, GradingScheme, Module
from lms.db import utcnow
from lms.extensions import db
from lms.localtime import local_instant
from lms.schedule.models import Meeting
from lms.schedule.operations import create_block, schedule_meeting

DEMO_PASSWORD = "Demo-Zugang-2026"  # noqa: S105 (printed by `lms demo`; demo accounts only)
COURSE_DIR = Path(__file__).resolve().parent.parent / "course_content" / "social-media-manager"
ZONE = ZoneInfo("Europe/Berlin")
COMPANY = "Nordlicht Consulting GmbH"
COHORT = "Inhouse-Durchgang 2 – Nordlicht Consulting"
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

# An earlier cohort of the same company, finished a few weeks before the demo's day:
# everything is marked and graded, and its certificates are issued.
PAST_COHORT = "Inhouse-Durchgang 1 – Nordlicht Consulting"
PAST_PARTICIPANTS = [
    ("Ingrid", "Becker", TitleForm.FEMALE), ("Hüseyin", "Kaya", TitleForm.MALE),
    ("Sophie", "Lorenz", TitleForm.FEMALE), ("Mika", "Janßen", TitleForm.NEUTRAL),
    ("Dominik", "Schröer", TitleForm.MALE), ("Aylin", "Öztürk", TitleForm.FEMALE),
    ("Lars", "Wöhler", TitleForm.MALE), ("Nele", "Brandt", TitleForm.FEMALE),
]
PAST_FAILS_PAPER = 3  # Mika Janßen: attended, the paper not passed: confirmation only
NEVER_ATTENDED = 4  # in the finished cohort: attended nothing, does not complete
# (title, weekday it starts on (0 = Monday), modules, one day each)
PAST_BLOCKS = [("Präsenzblock 1", 4, [1, 2, 3]), ("Präsenzblock 2", 3, [4, 5, 6, 7]),
               ("Präsenzblock 3", 4, [8, 9, 10])]
BLOCKS = [("Präsenzblock 1", 4, [1, 2, 3]), ("Präsenzblock 2", 4, [4, 5]),
          ("Präsenzblock 3", 4, [6, 7, 8]), ("Präsenzblock 4", 4, [9, 10])]
BLOCK_SPACING = timedelta(weeks=5)  # between the running cohort's blocks
PAST_SPACING = timedelta(weeks=8)  # between the finished cohort's blocks
PAST_ENDED = timedelta(weeks=3)  # the finished cohort's last block, before the demo's day
DAY_SLOTS = [(time(9, 0), time(12, 30)), (time(13, 30), time(17, 0))]
# In the running cohort: who attended every meeting held so far (the demo's participant
# login), who is at risk (hardly an hour left to miss) and who can no longer reach the
# minimum (missed the whole first block); the others at random.
ALWAYS_PRESENT, AT_RISK, MISSED_FIRST_BLOCK = 0, 1, 4


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
    """Seed the demo around ``now`` (default: the present); see the module's docstring."""
    now = now or utcnow()
    today = now.astimezone(ZONE).date()
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
        ("participant", people[ALWAYS_PRESENT].email),
        ("participant at risk", people[AT_RISK].email),
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
    running_days = running_block_days(today)
    created = False
    if _find_cohort(course, company, PAST_COHORT, past_people[0]) is None:
        past = _seed_cohort(course, company, PAST_COHORT, past_block_days(today, running_days),
                            past_people, coordinator, contact, lecturers, now,
                            _finished_attendance)
        _grade_final_assessments(past, lecturers[10])
        _issue_documents(past, coordinator, now)
        _evaluate_modules(past, now, random.Random(2025), share=0.75)  # noqa: S311
        _share_materials(past, now)
        created = True
    if _find_cohort(course, company, COHORT, people[0]) is None:
        current = _seed_cohort(course, company, COHORT, running_days, people, coordinator,
                               contact, lecturers, now, _running_attendance)
        by_number = {m.number: m for m in course.modules}
        _record_content_plan(current, by_number[2], current.enrollments, lecturers[2], now,
                             running_days[0][1][0])
        _set_paper_due(current, running_days[-1][1][0] - timedelta(days=7))
        _evaluate_modules(current, now, random.Random(2026), share=0.5,  # noqa: S311
                          skip=ALWAYS_PRESENT)
        _announce(current, coordinator, lecturers[2], now)
        _share_materials(current, now, modules=range(1, 6))
        created = True
    result.created = created
    db.session.flush()
    return result


def _issue_documents(cohort: Cohort, coordinator: User, now: datetime) -> None:
    """Every certificate and confirmation the finished cohort has earned, with its
    credential, as the coordinator issues them."""
    from lms.certificates.operations import issue_certificate
    from lms.certificates.queries import cohort_progress

    db.session.flush()
    for progress in cohort_progress(cohort, now):
        if progress.needs_issuing:
            issue_certificate(progress.enrollment, by=coordinator, now=now)


# --------------------------------------------------------------------------- the dates

# (title, the block's days, its modules)
BlockDays = tuple[str, list[date], list[int]]


def _on_or_before(day: date, weekday: int) -> date:
    return day - timedelta(days=(day.weekday() - weekday) % 7)


def _block(title: str, first: date, weekday: int, modules: list[int]) -> BlockDays:
    start = _on_or_before(first, weekday)
    return title, [start + timedelta(days=i) for i in range(len(modules))], modules


def _in_holidays(days: list[date]) -> bool:
    """Between Christmas and Epiphany nobody teaches a block."""
    return any((d.month == 12 and d.day >= 23) or (d.month == 1 and d.day <= 6) for d in days)


def _away_from_holidays(block: BlockDays, step: timedelta, weekday: int) -> BlockDays:
    title, days, modules = block
    while _in_holidays(days):
        title, days, modules = _block(title, days[0] + step, weekday, modules)
    return title, days, modules


def clock_changes(around: date, span: int = 400) -> list[date]:
    """The days in ``ZONE`` on which the clocks change, within ``span`` days of ``around``."""
    def offset(day: date) -> timedelta | None:
        return local_instant(day, time(12), ZONE).local.utcoffset()

    days = [around + timedelta(days=i) for i in range(-span, span + 1)]
    return [day for before, day in itertools.pairwise(days) if offset(day) != offset(before)]


def running_block_days(today: date) -> list[BlockDays]:
    """Blocks 1 and 2 in the past (block 2 ended at most a week ago), 3 and 4 ahead; if no
    change of the clocks falls between the first and the last day, the block on the side
    of the nearest change moves across it."""
    second = _on_or_before(today - timedelta(days=len(BLOCKS[1][2])), BLOCKS[1][1])
    starts = [second - BLOCK_SPACING, second, second + BLOCK_SPACING,
              second + 2 * BLOCK_SPACING]
    blocks = [_block(t, start, w, m) for (t, w, m), start in zip(BLOCKS, starts, strict=True)]
    first_day, last_day = blocks[0][1][0], blocks[-1][1][-1]
    changes = clock_changes(today)
    if not any(first_day < change <= last_day for change in changes):
        before = max(c for c in changes if c <= first_day)
        after = min(c for c in changes if c > last_day)
        if today - before <= after - today:
            blocks[0] = _block(BLOCKS[0][0], before - timedelta(days=7), *BLOCKS[0][1:])
        else:
            blocks[-1] = _block(BLOCKS[-1][0], after + timedelta(days=7), *BLOCKS[-1][1:])
    # Away from the holidays: held blocks earlier, coming ones later (which keeps the
    # halves and the change of the clocks between the first and the last day).
    return [_away_from_holidays(block, timedelta(days=-7 if i < 2 else 7), BLOCKS[i][1])
            for i, block in enumerate(blocks)]


def past_block_days(today: date, running: list[BlockDays]) -> list[BlockDays]:
    """Three blocks, the last ended about three weeks ago; a block that would share a day
    with the running cohort (and its lecturers) moves a week earlier."""
    taken = {day for _title, days, _modules in running for day in days}
    blocks: list[BlockDays] = []
    start = today - PAST_ENDED - timedelta(days=len(PAST_BLOCKS[-1][2]) - 1)
    for title, weekday, modules in reversed(PAST_BLOCKS):
        block = _block(title, start, weekday, modules)
        while (taken & set(block[1]) or _in_holidays(block[1])
               or (blocks and block[1][-1] >= blocks[-1][1][0])):
            block = _block(title, block[1][0] - timedelta(days=7), weekday, modules)
        blocks.append(block)
        start = block[1][0] - PAST_SPACING
    return blocks[::-1]


# --------------------------------------------------------------------------- the cohorts


def _find_cohort(course: Course, company: Company, name: str, first: User) -> Cohort | None:
    """The demo cohort of this name, or the company's cohort its first participant is in
    (a cohort seeded by an earlier version of the demo, under another name)."""
    return db.session.scalar(
        sa.select(Cohort).where(Cohort.course_id == course.id, Cohort.name == name)
    ) or db.session.scalar(
        sa.select(Cohort).join(Enrollment, Enrollment.cohort_id == Cohort.id)
        .where(Cohort.course_id == course.id, Cohort.company_id == company.id,
               Enrollment.user_id == first.id).limit(1))


# Marks the meetings held so far for the cohort's enrollments.
MarkHeld = Callable[[list[Meeting], list[Enrollment]], None]

def _seed_cohort(course: Course, company: Company, name: str, blocks: list[BlockDays],
                 people: list[User], coordinator: User, contact: User,
                 lecturers: dict[int, User], now: datetime, attendance: MarkHeld) -> Cohort:
    cohort = create_cohort(
        course, company, name, blocks[0][1][0], blocks[-1][1][-1],
        location=LOCATION, coordinator=coordinator, by=coordinator,
    )
    add_company_contact(cohort, contact, by=coordinator)
    enrollments = [
        enroll_participant(cohort, person, status=EnrollmentStatus.ACTIVE, by=coordinator)
        for person in people
    ]
    modules = {m.number: m for m in course.modules}
    meetings = []
    for title, days, numbers in blocks:
        block = create_block(cohort, title, days[0], days[-1], by=coordinator)
        for day, number in zip(days, numbers, strict=True):
            for start, end in DAY_SLOTS:
                meetings.append(schedule_meeting(
                    cohort, modules[number],
                    _at(day, start), _at(day, end),
                    block=block, lecturers=[lecturers[number]], by=coordinator,
                ))
    attendance([m for m in meetings if m.ends_at < now], enrollments)
    return cohort


def _grade_final_assessments(cohort: Cohort, lecturer: User) -> None:
    """The written paper (handed in two weeks before the last block, with points) and the
    oral exam of a finished cohort; one participant did not pass the paper and can
    receive a confirmation only; the one who never attended handed in nothing."""
    assignments = {a.key: a for a in db.session.scalars(
        sa.select(Assignment).where(Assignment.cohort_id == cohort.id))}
    paper, oral = assignments["hausarbeit"], assignments["muendliche-pruefung"]
    last_block = max(b.starts_on for b in cohort.blocks)
    paper.due_at = _at(last_block - timedelta(days=14), time(23, 59))
    for index, enrollment in enumerate(cohort.enrollments):
        if index == NEVER_ATTENDED:
            continue
        user = enrollment.user
        handed_in = _at(last_block - timedelta(days=21 - index % 5), time(18))
        submit_file(paper, enrollment, f"Hausarbeit_{user.last_name}.pdf",
                    _tiny_pdf(f"Hausarbeit - {user.first_name} {user.last_name}"),
                    "application/pdf", now=handed_in)
        points = Decimal(42) if index == PAST_FAILS_PAPER else Decimal(62 + (index * 7) % 35)
        grade(paper, enrollment, points=points, by=lecturer,
              feedback="Gut begründetes Konzept." if points >= 50 else
              "Die Zielgruppenanalyse fehlt; bitte überarbeiten.")
        grade(oral, enrollment, passed=True, by=lecturer, feedback="Souveräne Präsentation.")


def _set_paper_due(cohort: Cohort, day: date) -> None:
    paper = db.session.scalars(sa.select(Assignment).where(
        Assignment.cohort_id == cohort.id, Assignment.key == "hausarbeit")).one()
    paper.due_at = _at(day, time(23, 59))


def _random_mark(chance: random.Random) -> tuple[AttendanceStatus, int | None, str]:
    roll = chance.random()
    if roll < 0.85:
        return AttendanceStatus.PRESENT, None, ""
    if roll < 0.93:
        return AttendanceStatus.LATE, 150, "Zug verspätet"
    if roll < 0.97:
        return AttendanceStatus.EXCUSED, None, "Krankmeldung"
    return AttendanceStatus.ABSENT, None, ""


def _running_attendance(held: list[Meeting], enrollments: list[Enrollment]) -> None:
    """Every meeting held so far, marked: one participant always there, one at risk
    (three meetings missed, one left early), one who missed the whole first block."""
    chance = random.Random(2026)  # noqa: S311 (the same demo every time; no secret)
    first_block = held[0].block_id if held else None
    for number, meeting in enumerate(held):
        for index, enrollment in enumerate(enrollments):
            mark = _random_mark(chance)
            if index == ALWAYS_PRESENT:
                mark = (AttendanceStatus.PRESENT, None, "")
            elif index == AT_RISK:
                mark = {1: (AttendanceStatus.ABSENT, None, ""),
                        2: (AttendanceStatus.ABSENT, None, ""),
                        6: (AttendanceStatus.ABSENT, None, "Kind krank"),
                        7: (AttendanceStatus.LATE, 150, "Früher gegangen")}.get(
                    number, (AttendanceStatus.PRESENT, None, ""))
            elif index == MISSED_FIRST_BLOCK and meeting.block_id == first_block:
                mark = (AttendanceStatus.ABSENT, None, "")
            _mark(meeting, enrollment, mark)


def _finished_attendance(held: list[Meeting], enrollments: list[Enrollment]) -> None:
    """Every meeting marked; one participant attended nothing."""
    chance = random.Random(2025)  # noqa: S311 (the same demo every time; no secret)
    for meeting in held:
        for index, enrollment in enumerate(enrollments):
            mark = _random_mark(chance)
            if index == NEVER_ATTENDED:
                mark = (AttendanceStatus.ABSENT, None, "")
            _mark(meeting, enrollment, mark)


def _mark(meeting: Meeting, enrollment: Enrollment,
          mark: tuple[AttendanceStatus, int | None, str]) -> None:
    status, minutes, note = mark
    record_attendance(meeting, enrollment, status, minutes_attended=minutes, note=note,
                      by=meeting.lecturers[0])


def _record_content_plan(cohort: Cohort, module: Module, enrollments: list[Enrollment],
                         lecturer: User,
                         now: datetime, first_day: date) -> None:
    """An optional practice paper of module 2, due ten days after the first block, handed
    in by some, graded for a few."""
    due = _at(first_day + timedelta(days=10), time(23, 59))
    assignment = Assignment(
        cohort=cohort, module=module, key="redaktionsplan", title="Redaktionsplan (Übung)",
        description="Ein Redaktionsplan für vier Wochen auf zwei Kanälen.",
        kind=AssessmentKind.PAPER, grading=GradingScheme.PASS_FAIL, required=False,
        due_at=due,
    )
    db.session.add(assignment)
    db.session.flush()
    for index, enrollment in enumerate(enrollments[:12]):
        submitted = due - timedelta(days=5 - index // 3, hours=5)
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


def _share_materials(cohort: Cohort, now: datetime, modules: range = range(1, 11)) -> None:
    """Each lecturer's slides for every meeting of their modules (released when the
    meeting ends) and a checklist link for the module; in the running cohort only for the
    modules held so far, so that the later ones can be taken over from the finished
    cohort."""
    from lms.materials.models import Release
    from lms.materials.operations import Placement, Upload, add_material

    db.session.flush()
    for meeting in sorted(cohort.meetings, key=lambda m: m.starts_at):
        module = meeting.module
        if module.number not in modules:
            continue
        lecturer = meeting.lecturers[0]
        part = 1 + sorted(m.id for m in cohort.meetings if m.module_id == module.id).index(
            meeting.id)
        title = f"Folien {module.number}.{part}: {module.title}"
        add_material(Placement(cohort, module, meeting, Release.MEETING_END), title,
                     by=lecturer, now=min(now, meeting.starts_at),
                     upload=Upload(f"Folien_Modul_{module.number:02d}_Teil_{part}.pdf",
                                   _tiny_pdf(title)))
        if part == 1:
            add_material(Placement(cohort, module, None, Release.NOW),
                         f"Checkliste zu Modul {module.number}", "Zum Weiterarbeiten im Team.",
                         by=lecturer, now=min(now, meeting.starts_at),
                         url=f"https://example.org/checklisten/modul-{module.number:02d}")


def _announce(cohort: Cohort, coordinator: User, lecturer: User, now: datetime) -> None:
    """Two announcements on the running cohort's start page: the coordinator's and one
    from a lecturer."""
    from lms.announcements.operations import post_announcement

    post_announcement(
        cohort, "Parken am Campus Südstadt",
        "Während der Bauarbeiten ist der Parkplatz an der Claudiusstraße gesperrt. Bitte "
        "nutzen Sie das Parkhaus am Ubierring; die Tickets erstatten wir.",
        now + timedelta(days=10), by=coordinator, now=now - timedelta(days=1))
    post_announcement(
        cohort, "Lesetipp zur Redaktionsplanung",
        "Für den Redaktionsplan lohnt sich ein Blick in die Beispiele aus dem letzten "
        "Block. Fragen gern per Mail vorab.",
        now + timedelta(days=5), by=lecturer, now=now - timedelta(hours=3))


# Free texts of the demo's module evaluations (a few answers carry one).
EVALUATION_COMMENTS = [
    "Sehr praxisnah, die Beispiele aus dem eigenen Unternehmen haben viel gebracht.",
    "Etwas zu viel Stoff für einen Tag; eine Pause mehr wäre gut.",
    "Die Gruppenarbeit war der beste Teil.",
    "Die Unterlagen hätte ich gern vorher gehabt.",
    "Klare Struktur, gute Folien, sympathische Dozentin.",
    "Der Raum war zu warm, sonst alles prima.",
    "Mehr Zeit für Fragen wäre schön gewesen.",
]


def _evaluate_modules(cohort: Cohort, now: datetime, chance: random.Random, *, share: float,
                      skip: int | None = None) -> None:
    """Answers to the evaluation of every module held so far, from about ``share`` of the
    participants (the evaluations still open without the one at ``skip``, the demo's
    login, who finds them on the start page). Answered as each was open: a closed
    evaluation on the day after its module ended."""
    from lms.evaluation.operations import submit_response
    from lms.evaluation.queries import cohort_evaluations

    db.session.flush()
    enrollments = sorted(cohort.enrollments, key=lambda e: e.id)
    for status in cohort_evaluations(cohort, now):
        if status.opens_at > now:
            continue
        moment = min(now, status.opens_at + timedelta(days=1))
        status = next(s for s in cohort_evaluations(cohort, moment)
                      if s.module.id == status.module.id)
        for index, enrollment in enumerate(enrollments):
            if index == skip or chance.random() > share:
                continue
            answers: dict[str, int | str] = {q.key: min(5, max(1, round(chance.gauss(4.1, 0.8))))
                       for q in status.questionnaire.scale_questions
                       if chance.random() > 0.05}
            if chance.random() < 0.3:
                answers["kommentar"] = chance.choice(EVALUATION_COMMENTS)
            submit_response(status, enrollment, answers or {"inhalt": 4})


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
