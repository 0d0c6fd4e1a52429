"""Attendance in hours: the participant's view, the coordinator's matrix, the CSV and XLSX
exports (the same numbers everywhere), and the printable sheet."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from lms.accounts.models import Locale
from lms.attendance.models import AttendanceStatus
from lms.attendance.operations import record_attendance
from lms.attendance.queries import attendance_matrix, participant_attendance
from lms.certificates.standing import Standing
from lms.db import utcnow
from lms.extensions import db
from tests.helpers import build_world, pdf_text, text_of


@pytest.fixture
def world(app, course_dir):
    world = build_world(course_dir, participants=3)
    a = world.a
    p0, p1, p2 = a.enrollments
    for meeting in (a.closed, a.recent, a.ongoing):
        record_attendance(meeting, p0, AttendanceStatus.PRESENT, by=a.lecturer)
    record_attendance(a.closed, p1, AttendanceStatus.LATE, minutes_attended=90, by=a.lecturer)
    record_attendance(a.recent, p1, AttendanceStatus.ABSENT, by=a.lecturer)
    record_attendance(a.ongoing, p1, AttendanceStatus.PRESENT, by=a.lecturer)
    record_attendance(a.recent, p2, AttendanceStatus.EXCUSED, by=a.lecturer)
    db.session.commit()
    return world


def test_summaries_count_hours_partial_minutes_and_the_cohorts_rule(world):
    a = world.a
    matrix = attendance_matrix(a.cohort, utcnow())
    p0, p1, p2 = (matrix.summaries[e.id] for e in a.enrollments)
    assert p0.scheduled == 5 * 210 and p0.required == 840 and p0.held == 3 * 210
    assert (p0.attended, p0.missed, p0.risk) == (630, 0, Standing.ON_TRACK)
    assert (p1.attended, p1.missed, p1.risk) == (300, 330, Standing.OUT_OF_REACH)
    assert (p2.attended, p2.missed, p2.may_still_miss, p2.risk) == (0, 210, 0, Standing.AT_RISK)
    assert [e.id for e in matrix.below] == [a.enrollments[1].id]
    assert [e.id for e in matrix.near] == [a.enrollments[2].id]
    totals = matrix.meeting_totals
    assert (totals[a.closed.id].marked, totals[a.closed.id].counted) == (2, 210 + 90)
    assert totals[a.recent.id].by_status == {"present": 1, "absent": 1, "excused": 1}
    assert totals[a.tomorrow.id].marked == 0
    # Excused absence counts when the cohort says so.
    a.cohort.excused_counts = True
    assert attendance_matrix(a.cohort, utcnow()).summaries[a.enrollments[2].id].attended == 210


def test_participant_sees_own_hours_minimum_and_what_may_still_be_missed(client, auth, world):
    a = world.a
    auth.login(a.participants[1])
    text = text_of(client.get("/me/attendance"))
    assert "5 of 10.5 hours held so far" in text
    assert "80 % of 17.5 scheduled hours = 14 hours" in text
    assert "You may still miss 0 hours" in text
    assert ("The minimum attendance can no longer be reached: 5.5 hours missed, at most 3.5 "
            "hours may be missed.") in text
    assert "minimum out of reach" in text
    assert "late / left early · 1.5 h counted" in text
    assert a.participants[0].full_name not in text
    mine = participant_attendance(a.enrollments[1], utcnow())
    assert mine.summary == attendance_matrix(a.cohort, utcnow()).summaries[a.enrollments[1].id]


def test_matrix_page_shows_status_in_text_and_colour_and_the_totals(client, auth, world):
    a = world.a
    auth.login(world.coordinator)
    page = client.get(f"/coordination/cohorts/{a.cohort.id}/attendance")
    assert page.status_code == 200
    html, text = page.get_data(as_text=True), text_of(page)
    assert "Minimum out of reach (1)" in text and "At risk: hardly an hour left to miss (1)" \
        in text
    assert 'class="att-cell att-st-absent"' in html  # colour ...
    assert "absent" in text and "late" in text and "excused" in text  # ... plus words
    assert "not marked" in text
    assert "2/3" in text  # marked per meeting
    assert "minimum out of reach" in text and "at risk" in text  # the words of every page
    assert world.b.participants[0].last_name not in text


def _csv_rows(response, delimiter=","):
    body = response.get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body), delimiter=delimiter))


def test_csv_and_xlsx_have_the_same_numbers_as_the_matrix(client, auth, world):
    a = world.a
    auth.login(world.coordinator)
    csv_response = client.get(f"/coordination/cohorts/{a.cohort.id}/attendance.csv")
    assert csv_response.mimetype == "text/csv"
    assert "attachment" in csv_response.headers["Content-Disposition"]
    rows = _csv_rows(csv_response)
    xlsx_response = client.get(f"/coordination/cohorts/{a.cohort.id}/attendance.xlsx")
    assert xlsx_response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(xlsx_response.get_data())).worksheets[0]
    cells = [[c for c in row] for row in sheet.iter_rows(values_only=True)]

    assert rows[0] == [str(c) for c in cells[0]]
    for text_row, xlsx_row in zip(rows[1:], cells[1:], strict=True):
        for text, value in zip(text_row, xlsx_row, strict=True):
            if isinstance(value, int | float):  # openpyxl reads 14.0 back as 14
                assert float(text) == pytest.approx(value)
            else:
                assert text == ("" if value is None else str(value))

    matrix = attendance_matrix(a.cohort, utcnow())
    header = rows[0]
    attended = header.index("Attended (h)")
    by_name = {r[0]: r for r in rows[1:-1]}
    for enrollment in a.enrollments:
        s = matrix.summaries[enrollment.id]
        row = by_name[enrollment.user.last_name]
        assert float(row[attended]) == pytest.approx(round(s.attended / 60, 2))
        assert float(row[attended + 4]) == pytest.approx(round(s.may_still_miss / 60, 2))
    # Late arrival: 90 minutes count as 1.5 hours; the footer sums per meeting.
    column = 2 + [m.id for m in matrix.meetings].index(a.closed.id)
    assert by_name[a.participants[1].last_name][column] == "1.50"
    assert rows[-1][column] == "5.00"  # 3.5 + 1.5 hours counted at the oldest meeting
    assert by_name[a.participants[1].last_name][-1] == "minimum out of reach"
    assert load_workbook(io.BytesIO(xlsx_response.get_data())).worksheets[1][
        "C3"].value == "late / left early"


def test_german_csv_opens_in_german_spreadsheets(client, auth, world):
    world.coordinator.locale = Locale.DE
    db.session.commit()
    auth.login(world.coordinator)
    rows = _csv_rows(client.get(f"/coordination/cohorts/{world.a.cohort.id}/attendance.csv"),
                     delimiter=";")
    assert len(rows) == 1 + 3 + 1
    assert all("." not in cell for cell in rows[1][2:-1] if cell)
    assert "10,50" in rows[1]  # 10.5 hours attended, decimal comma


def test_printable_sheet_is_an_a4_pdf_with_the_roster_and_a_signature_column(client, auth, world):
    a = world.a
    auth.login(a.lecturer)
    response = client.get(f"/teaching/meetings/{a.recent.id}/sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    reader = PdfReader(io.BytesIO(response.get_data()))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = pdf_text(reader)
    for expected in ("Attendance sheet", "Signature", a.recent.module.title,
                     a.cohort.name, a.lecturer.full_name, a.cohort.course.title_neutral):
        assert expected in text
    for person in a.participants:
        assert f"{person.last_name}, {person.first_name}" in text
    auth.logout()
    auth.login(world.coordinator)
    sheet = client.get(f"/coordination/meetings/{a.recent.id}/sheet.pdf")
    assert sheet.status_code == 200 and sheet.mimetype == "application/pdf"
    assert pdf_text(sheet.data) == text
    auth.logout()
    auth.login(world.b.lecturer)
    assert client.get(f"/teaching/meetings/{a.recent.id}/sheet.pdf").status_code == 404


def test_export_file_names_spell_umlauts_out(client, auth, world):
    """"Köln Süd" is "Koeln_Sued" in the file name (it once was "Kln_Sd")."""
    a = world.a
    a.cohort.name = "Inhouse Köln Süd"
    db.session.commit()
    auth.login(world.coordinator)
    for path in ("attendance.csv", "attendance.xlsx", "grades.csv"):
        disposition = client.get(f"/coordination/cohorts/{a.cohort.id}/{path}"
                                 ).headers["Content-Disposition"]
        assert re.fullmatch(r'attachment; filename="[a-z]+_Inhouse_Koeln_Sued_'
                            rf'\d{{4}}-\d{{2}}-\d{{2}}\.{path.split(".")[1]}"', disposition), \
            disposition
