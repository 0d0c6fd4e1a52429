"""Test data for attendance and assignments: two closed cohorts with meetings placed
around the real present (the pages use the clock), their people, and small helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from lms.accounts.models import Locale, Role, User
from lms.cohorts.models import Cohort, Enrollment
from lms.cohorts.operations import add_company_contact
from lms.db import utcnow
from lms.extensions import db
from lms.schedule.models import Meeting
from tests.factories import PASSWORD, enroll, load_test_course, make_cohort, make_meeting, make_user


def login(client, user: User):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, "login failed"
    return response


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def whole_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


@dataclass
class Side:
    cohort: Cohort
    lecturer: User
    participants: list[User]
    enrollments: list[Enrollment]
    contact: User
    ongoing: Meeting  # started an hour ago
    recent: Meeting  # three days ago, window open
    closed: Meeting  # thirty days ago, window closed
    tomorrow: Meeting
    final: Meeting  # module 10 (the paper's module), in three weeks
    meetings: list[Meeting] = field(default_factory=list)


@dataclass
class World:
    a: Side
    b: Side
    coordinator: User
    now: datetime


def _side(course, key: str, now: datetime, participants: int) -> Side:
    cohort = make_cohort(course, company_name=f"Firma {key.upper()} GmbH",
                         name=f"Gruppe {key.upper()}", starts_on=(now - timedelta(days=60)).date())
    lecturer = make_user(Role.LECTURER, first=f"Dozentin{key.upper()}")
    people = [make_user(Role.PARTICIPANT, first=f"Teilnehmer{key.upper()}{i}",
                        last=f"Nachname{key.upper()}{i:03d}") for i in range(participants)]
    enrollments = [enroll(cohort, person) for person in people]
    contact = make_user(Role.COMPANY_CONTACT, first=f"Kontakt{key.upper()}")
    add_company_contact(cohort, contact)
    start = whole_minute(now)
    ongoing = make_meeting(cohort, start - timedelta(hours=1), module_number=1,
                           lecturers=(lecturer,))
    recent = make_meeting(cohort, start - timedelta(days=3), module_number=1,
                          lecturers=(lecturer,))
    closed = make_meeting(cohort, start - timedelta(days=30), module_number=1,
                          lecturers=(lecturer,))
    tomorrow = make_meeting(cohort, start + timedelta(days=1), module_number=2,
                            lecturers=(lecturer,))
    final = make_meeting(cohort, start + timedelta(days=21), module_number=10,
                         lecturers=(lecturer,))
    return Side(cohort, lecturer, people, enrollments, contact, ongoing, recent, closed,
                tomorrow, final, [closed, recent, ongoing, tomorrow, final])


def build_world(course_dir, participants: int = 3) -> World:
    now = utcnow()
    course = load_test_course(course_dir)
    world = World(_side(course, "a", now, participants), _side(course, "b", now, 1),
                  make_user(Role.COORDINATOR, first="Koordinatorin"), now)
    world.a.cohort.coordinator = world.coordinator
    # English UI: the German catalog is merged by the lead; msgids are the English texts.
    for user in db.session.scalars(sa.select(User)):
        user.locale = Locale.EN
    db.session.commit()
    return world


def form_fields(html: str, form_index: int = -1) -> dict[str, str]:
    """The values a browser would send for a page's form (text, hidden, checked radios and
    checkboxes, textareas), like a person who changed nothing."""
    from html.parser import HTMLParser

    class Parser(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.forms: list[dict[str, str]] = []
            self._textarea: str | None = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form":
                self.forms.append({})
            elif tag == "input" and self.forms and a.get("name"):
                kind = a.get("type", "text")
                if kind in ("radio", "checkbox"):
                    if "checked" in a:
                        self.forms[-1][a["name"]] = a.get("value", "on")
                elif kind not in ("submit", "file"):
                    self.forms[-1][a["name"]] = a.get("value", "")
            elif tag == "textarea" and self.forms:
                self._textarea = a.get("name")
                self.forms[-1][self._textarea] = ""

        def handle_data(self, data):
            if self._textarea:
                self.forms[-1][self._textarea] += data

        def handle_endtag(self, tag):
            if tag == "textarea":
                self._textarea = None

    parser = Parser()
    parser.feed(html)
    forms = [f for f in parser.forms if any(k.startswith("marks-") for k in f)] or parser.forms
    return forms[form_index]


def row_index(fields: dict[str, str], enrollment: Enrollment) -> str:
    """The form prefix (e.g. "marks-2") of one participant's row."""
    for name, value in fields.items():
        if name.endswith("-enrollment_id") and value == str(enrollment.id):
            return name.removesuffix("-enrollment_id")
    raise AssertionError(f"no row for enrollment {enrollment.id}")
