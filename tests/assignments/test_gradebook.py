"""The coordinator's grades overview: every participant by every assignment, the same
results on the page, in the CSV and in the XLSX, in a fixed number of queries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from lms.accounts.models import Locale, Role
from lms.assignments.gradebook import cohort_gradebook
from lms.assignments.models import Assignment, GradeState
from lms.assignments.operations import grade, submit_file
from lms.db import utcnow
from lms.demo import _tiny_pdf
from lms.extensions import db
from tests.factories import enroll, make_user
from tests.helpers import build_world, text_of
from tests.sql import recorded_sql


@pytest.fixture
def world(app, course_dir):
    """Paper (points, due yesterday): Nachname…000 passed with 72 points, …001 handed in
    late and not graded yet, …002 nothing. Oral exam (pass/fail, required): …000 failed,
    unpublished; the others open."""
    world = build_world(course_dir, participants=3)
    cohort = world.a.cohort
    world.paper = db.session.scalar(sa.select(Assignment).filter_by(
        cohort_id=cohort.id, key="hausarbeit"))
    world.oral = db.session.scalar(sa.select(Assignment).filter_by(
        cohort_id=cohort.id, key="muendliche-pruefung"))
    world.paper.due_at = world.now - timedelta(days=1)
    p0, p1, _p2 = world.a.enrollments
    submit_file(world.paper, p0, "arbeit.pdf", _tiny_pdf("p0"), now=world.now - timedelta(days=2))
    submit_file(world.paper, p1, "spaet.pdf", _tiny_pdf("p1"), now=world.now)
    grade(world.paper, p0, points=Decimal("72"))
    grade(world.oral, p0, passed=False, publish=False)
    db.session.commit()
    return world


def test_the_gradebook_tells_every_state(world):
    book = cohort_gradebook(world.a.cohort, utcnow())
    p0, p1, p2 = world.a.enrollments
    paper, oral = world.paper, world.oral
    assert book.cells[(p0.id, paper.id)].state == GradeState.PASSED
    assert book.cells[(p0.id, paper.id)].points == Decimal("72")
    assert book.cells[(p1.id, paper.id)].state == GradeState.SUBMITTED
    assert book.cells[(p1.id, paper.id)].late
    assert book.cells[(p2.id, paper.id)].state == GradeState.MISSING
    assert book.cells[(p0.id, oral.id)].state == GradeState.FAILED
    assert not book.cells[(p0.id, oral.id)].published
    # An oral exam is never "handed in".
    assert book.cells[(p1.id, oral.id)].state == GradeState.OPEN
    required = book.required
    assert oral in required
    assert book.required_passed(p0) == sum(1 for a in required if a is paper)


def test_coordinator_page_and_both_exports_agree(client, auth, world):
    cohort = world.a.cohort
    auth.login(world.coordinator)
    page = client.get(f"/coordination/cohorts/{cohort.id}/grades")
    assert page.status_code == 200
    text = text_of(page)
    for expected in ("passed", "72 points", "handed in, not graded", "not handed in",
                     "not passed", "not published", "late", "Required assessments passed"):
        assert expected in text

    csv_response = client.get(f"/coordination/cohorts/{cohort.id}/grades.csv")
    assert csv_response.mimetype == "text/csv"
    assert csv_response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(csv_response.get_data().decode("utf-8-sig"))))
    xlsx_response = client.get(f"/coordination/cohorts/{cohort.id}/grades.xlsx")
    assert xlsx_response.mimetype.endswith("spreadsheetml.sheet")
    cells = [list(r) for r in load_workbook(io.BytesIO(xlsx_response.get_data()))
             .worksheets[0].iter_rows(values_only=True)]
    assert rows[0] == [str(c) for c in cells[0]]
    for text_row, xlsx_row in zip(rows[1:], cells[1:], strict=True):
        for cell_text, value in zip(text_row, xlsx_row, strict=True):
            if isinstance(value, int | float):
                assert float(cell_text) == pytest.approx(value)
            else:
                assert cell_text == ("" if value is None else str(value))

    header = rows[0]
    by_name = {r[0]: r for r in rows[1:]}
    names = [e.user.last_name for e in world.a.enrollments]
    paper = header.index("Hausarbeit (required)" if world.paper.required else "Hausarbeit")
    points = header.index("Hausarbeit: points of 100")
    assert by_name[names[0]][paper] == "passed" and float(by_name[names[0]][points]) == 72
    assert by_name[names[1]][paper] == "handed in, not graded (late)"
    assert by_name[names[2]][paper] == "not handed in" and by_name[names[2]][points] == ""
    oral = next(i for i, h in enumerate(header) if h.startswith("Mündliche Prüfung"))
    assert by_name[names[0]][oral] == "not passed (not published)"
    assert len(rows) == 1 + 3


def test_german_export_uses_a_decimal_comma(client, auth, world):
    world.coordinator.locale = Locale.DE
    db.session.commit()
    auth.login(world.coordinator)
    response = client.get(f"/coordination/cohorts/{world.a.cohort.id}/grades.csv")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert "72,00" in rows[1]
    assert response.headers["Content-Disposition"].startswith('attachment; filename="bewertungen_')


def test_queries_do_not_grow_with_the_roster(world):
    def count() -> int:
        with recorded_sql() as seen:
            cohort_gradebook(world.a.cohort, utcnow())
        return len(seen)

    db.session.expire_all()
    small = count()
    for n in range(5):
        enroll(world.a.cohort, make_user(Role.PARTICIPANT, last=f"Neu{n}"))
    db.session.commit()
    db.session.expire_all()
    assert count() == small


def test_points_are_written_as_the_reader_writes_numbers(client, auth, world):
    p0 = world.a.enrollments[0]
    grade(world.paper, p0, points=Decimal("72.5"))
    world.coordinator.locale = Locale.DE
    db.session.commit()
    auth.login(world.coordinator)
    text = text_of(client.get(f"/coordination/cohorts/{world.a.cohort.id}/grades"))
    assert "72,5 Punkte" in text and "72.50" not in text
