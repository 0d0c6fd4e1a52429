"""Two lecturers saving the same meeting at the same moment, in real threads with their
own database connections: no mark is lost, no row is duplicated, nobody gets an error.

This needs a database that runs transactions side by side, so it runs on PostgreSQL.
SQLite lets one writer in at a time (and ignores SELECT ... FOR UPDATE), so there is no
race to provoke there; the same upsert code runs on SQLite in every other test.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from lms.attendance.models import Attendance, AttendanceStatus
from lms.attendance.operations import Mark, RosterEntry, record_attendance, save_roster
from lms.extensions import db
from lms.schedule.models import Meeting
from tests.conftest import TEST_DATABASE_URL
from tests.helpers import build_world

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"),
    reason="concurrent writers need PostgreSQL; SQLite serialises writers, so there is no "
           "race to test (set LMS_TEST_DATABASE_URL to a PostgreSQL database)",
)

ROUNDS = 8


def _run_together(app, jobs):
    """Run each job in its own thread and app context (own session and connection),
    released at the same instant; return the errors they raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def worker(job):
        with app.app_context():
            try:
                job(barrier)
                db.session.commit()
            except BaseException as exc:  # reported by the test
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    return errors


def test_two_lecturers_saving_at_once_lose_no_mark(app, course_dir):
    world = build_world(course_dir, participants=6)
    a = world.a
    meeting_id, ids = a.ongoing.id, [e.id for e in a.enrollments]
    lecturer_ids = (a.lecturer.id, world.coordinator.id)
    present = Mark(AttendanceStatus.PRESENT)

    def lecturer(by_id: int, changed_id: int, mark: Mark, as_coordinator: bool):
        def job(barrier):
            from lms.accounts.models import User

            meeting = db.session.get(Meeting, meeting_id)
            user = db.session.get(User, by_id)
            entries = [RosterEntry(e, mark if e == changed_id else present, e == changed_id)
                       for e in ids]
            barrier.wait()
            save_roster(meeting, entries, by=user, as_coordinator=as_coordinator,
                        reason="parallel")
        return job

    for round_ in range(ROUNDS):
        db.session.execute(sa.delete(Attendance))
        db.session.commit()
        first, second = ids[round_ % len(ids)], ids[(round_ + 1) % len(ids)]
        errors = _run_together(app, [
            lecturer(lecturer_ids[0], first, Mark(AttendanceStatus.LATE, 90), False),
            lecturer(lecturer_ids[1], second, Mark(AttendanceStatus.ABSENT), True),
        ])
        assert errors == []
        db.session.expire_all()
        rows = db.session.scalars(
            sa.select(Attendance).where(Attendance.meeting_id == meeting_id)).all()
        assert len(rows) == len(ids), "a duplicate or a missing row"
        marks = {r.enrollment_id: r for r in rows}
        assert marks[first].status == AttendanceStatus.LATE
        assert marks[first].minutes_attended == 90
        assert marks[second].status == AttendanceStatus.ABSENT
        assert {marks[e].status for e in ids if e not in (first, second)} == {
            AttendanceStatus.PRESENT}


def test_the_same_mark_written_at_once_stays_one_row(app, course_dir):
    world = build_world(course_dir, participants=1)
    meeting_id, enrollment_id = world.a.ongoing.id, world.a.enrollments[0].id

    def job(status):
        def run(barrier):
            from lms.cohorts.models import Enrollment

            meeting = db.session.get(Meeting, meeting_id)
            enrollment = db.session.get(Enrollment, enrollment_id)
            barrier.wait()
            record_attendance(meeting, enrollment, status)
        return run

    for _ in range(ROUNDS):
        db.session.execute(sa.delete(Attendance))
        db.session.commit()
        errors = _run_together(app, [job(AttendanceStatus.PRESENT), job(AttendanceStatus.ABSENT),
                                     job(AttendanceStatus.EXCUSED)])
        assert errors == []
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Attendance).where(
            Attendance.meeting_id == meeting_id))
        assert count == 1
