"""No N+1: the attendance page, the matrix (and its exports) and the grading list run the
same number of SQL queries for a cohort of 20 and of 200."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import Locale, Role
from lms.accounts.operations import create_user
from lms.assignments.models import Assignment
from lms.assignments.operations import grade, submit_file
from lms.attendance.models import AttendanceStatus
from lms.attendance.operations import Mark, RosterEntry, save_roster
from lms.cohorts.operations import enroll_participant
from lms.db import utcnow
from lms.demo import _tiny_pdf
from lms.extensions import db
from tests.factories import load_test_course, make_cohort, make_meeting, make_user
from tests.helpers import whole_minute
from tests.sql import statements_for_get


def _cohort_of(size: int, course, lecturer, coordinator):
    cohort = make_cohort(course, name=f"Gruppe mit {size}")
    enrollments = [
        enroll_participant(cohort, create_user(f"p{size}-{i}@example.org", "Vorname",
                                               f"Name{i:03d}", [Role.PARTICIPANT]))
        for i in range(size)
    ]
    db.session.flush()
    start = whole_minute(utcnow())
    meetings = [make_meeting(cohort, start - timedelta(days=d), module_number=10,
                             lecturers=(lecturer,)) for d in (1, 2, 3)]
    make_meeting(cohort, start + timedelta(days=4), module_number=10, lecturers=(lecturer,))
    for index, meeting in enumerate(meetings):
        save_roster(meeting, [
            RosterEntry(e.id, Mark(AttendanceStatus.LATE, 60) if i % 7 == index
                        else Mark(AttendanceStatus.PRESENT), changed=True)
            for i, e in enumerate(enrollments)], by=lecturer)
    paper = db.session.scalar(sa.select(Assignment).filter_by(cohort_id=cohort.id,
                                                              key="hausarbeit"))
    for i, enrollment in enumerate(enrollments):
        if i % 2:
            submit_file(paper, enrollment, f"arbeit{i}.pdf", _tiny_pdf(str(i)))
        if i % 4 == 1:
            grade(paper, enrollment, points=60, by=lecturer)
    return cohort, meetings[0], paper


@pytest.fixture
def cohorts(app, course_dir):
    course = load_test_course(course_dir)
    lecturer = make_user(Role.LECTURER)
    coordinator = make_user(Role.COORDINATOR)
    lecturer.locale = coordinator.locale = Locale.EN
    small = _cohort_of(20, course, lecturer, coordinator)
    large = _cohort_of(200, course, lecturer, coordinator)
    db.session.commit()
    return lecturer, coordinator, small, large


def test_pages_run_the_same_number_of_queries_for_20_and_200(client, auth, cohorts):
    lecturer, coordinator, small, large = cohorts
    auth.login(lecturer)
    lecturer_pages = [
        ("attendance page", "/teaching/meetings/{meeting}/attendance"),
        ("grading list", "/teaching/assignments/{paper}"),
        ("attendance sheet", "/teaching/meetings/{meeting}/sheet.pdf"),
        ("check-in status", "/teaching/meetings/{meeting}/check-in/status"),
    ]
    counts = {}
    for name, pattern in lecturer_pages:
        counts[name] = [
            statements_for_get(client, pattern.format(meeting=meeting.id, paper=paper.id))
            for _cohort, meeting, paper in (small, large)
        ]
    auth.logout()
    auth.login(coordinator)
    for name, pattern in (("matrix", "/coordination/cohorts/{cohort}/attendance"),
                          ("matrix CSV", "/coordination/cohorts/{cohort}/attendance.csv"),
                          ("matrix XLSX", "/coordination/cohorts/{cohort}/attendance.xlsx"),
                          ("assignments", "/coordination/cohorts/{cohort}/assignments"),
                          ("coordinator grading list", "/coordination/assignments/{paper}")):
        counts[name] = [statements_for_get(client, pattern.format(cohort=cohort.id, paper=paper.id))
                        for cohort, _meeting, paper in (small, large)]
    unequal = {name: pair for name, pair in counts.items() if pair[0] != pair[1]}
    assert not unequal, f"query counts grow with the cohort: {unequal}"
    assert all(pair[0] < 25 for pair in counts.values()), counts
