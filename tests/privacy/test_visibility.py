"""Who sees what, tested against the registry: the company's contact person sees only the
categories the registry grants the company (names and each participant's status). Every
text stored in a column of another category, of anyone but the contact themself, is
looked for on every page the contact may open; none may be there."""

from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.models import User
from lms.assignments.models import Assignment
from lms.assignments.operations import grade
from lms.attendance.models import AttendanceStatus
from lms.attendance.operations import record_attendance
from lms.extensions import db
from lms.privacy.declare import AUDIENCES, Audience
from lms.privacy.registry import personal_columns
from tests.route_walk import walk
from tests.security.test_access_matrix import MATRIX, OK, build_matrix_world

MIN_LENGTH = 5  # shorter texts (a state, a key) say nothing on their own


def hidden_texts(contact: User) -> dict[str, set[str]]:
    """column -> the texts stored in it, for every personal column whose category the
    company does not see (the contact's own values aside: they see them as themself)."""
    texts: dict[str, set[str]] = {}
    own = {contact.email, contact.first_name, contact.last_name, contact.full_name}
    for column in personal_columns():
        if Audience.COMPANY in AUDIENCES[column.category]:
            continue
        table = db.metadata.tables[column.table]
        if isinstance(table.c[column.column].type, sa.Enum):
            continue  # a state ("pending"), not a text about someone
        values = db.session.scalars(sa.select(table.c[column.column])).all()
        found = {v for v in values if isinstance(v, str) and len(v) >= MIN_LENGTH
                 and v not in own}
        if found:
            texts[f"{column.table}.{column.column}"] = found
    return texts


def _public(endpoint: str) -> bool:
    """A page anyone may open (the verification of a certificate by its code): what it
    shows is the public's, the same for the contact as for anyone holding the code."""
    return any(route.method == "GET" and route.expected["anonymous"] == OK
               for route in MATRIX[endpoint])


def test_the_company_contact_sees_no_more_than_the_registry_grants(app, course_dir):
    world = build_matrix_world(course_dir)
    people, objects = world
    enrollment = db.session.get(__import__("lms.cohorts.models", fromlist=["Enrollment"])
                                .Enrollment, objects["enrollment"])
    meeting = db.session.get(__import__("lms.schedule.models", fromlist=["Meeting"]).Meeting,
                             objects["meeting"])
    record_attendance(meeting, enrollment, AttendanceStatus.LATE, minutes_attended=90,
                      note="ging früher wegen Kinderbetreuung")
    paper = db.session.get(Assignment, objects["assignment"])
    grade(paper, enrollment, points=paper.max_points, feedback="Gliederung überzeugend",
          by=people["lecturer"])
    db.session.commit()
    hidden = hidden_texts(people["contact"])
    # The walk looks for the texts that matter most (and would find them on other pages).
    assert {"attendance.note", "grade.feedback", "absence_notice.reason",
            "submission.original_filename", "user_account.email"} <= set(hidden)

    pages = 0
    for visit, response, _client in walk(app, world, roles=["contact"]):
        if (visit.method != "GET" or response.status_code != 200
                or response.mimetype != "text/html" or _public(visit.endpoint)):
            continue
        pages += 1
        body = response.get_data(as_text=True)
        leaks = sorted(f"{column}: {text!r}" for column, texts in hidden.items()
                       for text in texts if text in body)
        assert not leaks, f"{visit.url} shows: {leaks}"
    assert pages >= 4  # the cohort, a meeting, the calendar page, the account
