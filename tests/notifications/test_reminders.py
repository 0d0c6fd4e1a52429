"""`lms notify`: deadlines, published grades and attendance warnings, each sent once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.assignments.models import Assignment
from lms.assignments.operations import grade, submit_file
from lms.attendance.models import AttendanceStatus
from lms.attendance.operations import record_attendance
from lms.demo import _tiny_pdf
from lms.extensions import db
from lms.notifications.models import NotificationLog
from tests.conftest import free_port
from tests.helpers import build_world


@pytest.fixture
def world(app, course_dir):
    world = build_world(course_dir, participants=3)
    a = world.a
    paper = db.session.scalar(sa.select(Assignment).filter_by(cohort_id=a.cohort.id,
                                                              key="hausarbeit"))
    paper.due_at = world.now + timedelta(days=2)
    submit_file(paper, a.enrollments[0], "fertig.pdf", _tiny_pdf("x"))
    grade(paper, a.enrollments[0], points=80, by=a.lecturer, feedback="Sehr gut.")
    for meeting in (a.closed, a.recent):
        record_attendance(meeting, a.enrollments[0], AttendanceStatus.PRESENT)
        record_attendance(meeting, a.enrollments[1], AttendanceStatus.ABSENT)
    record_attendance(a.recent, a.enrollments[2], AttendanceStatus.ABSENT)
    db.session.commit()
    world.paper = paper
    return world


def sent(smtp_server) -> list[tuple[str, str]]:
    return sorted((m["To"], m["Subject"]) for m in smtp_server.messages)


def test_notify_sends_each_reminder_once(runner, world, smtp_server):
    a = world.a
    result = runner.invoke(args=["notify"])
    assert result.exit_code == 0, result.output
    p0, p1, p2 = (p.email for p in a.participants)
    coordinator = world.coordinator.email
    messages = sent(smtp_server)
    assert len(messages) == 7, messages
    subjects = {(to, subject.split(":")[0].split(" (")[0]) for to, subject in messages}
    assert (p1, "Reminder") in subjects and (p2, "Reminder") in subjects
    assert (p0, "Your grade for Hausarbeit is available") in subjects
    assert (p1, "Your attendance") in subjects  # below: "...: the minimum can no longer ..."
    assert (p2, "Your attendance is close to the minimum") in subjects
    to_coordinator = [s for to, s in messages if to == coordinator]
    assert len(to_coordinator) == 2
    assert any(a.participants[1].full_name in s and "no longer" in s for s in to_coordinator)
    assert any(a.participants[2].full_name in s and "close to" in s for s in to_coordinator)
    body = next(m for m in smtp_server.messages if m["To"] == p1
                and "Reminder" in m["Subject"]).get_body(("plain",)).get_content()
    assert f"/me/assignments/{world.paper.id}" in body and "marked as late" in body
    assert "7 reminders sent" in result.output

    again = runner.invoke(args=["notify"])
    assert again.exit_code == 0 and "0 reminders sent" in again.output
    assert len(smtp_server.messages) == 7
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationLog)) == 7


def test_a_moved_deadline_is_announced_again(runner, world, smtp_server):
    runner.invoke(args=["notify"])
    first = len(smtp_server.messages)
    world.paper.due_at = world.now + timedelta(days=1)
    db.session.commit()
    runner.invoke(args=["notify"])
    assert len(smtp_server.messages) == first + 2  # the two who have not handed in


def test_dry_run_sends_nothing(runner, world, smtp_server):
    result = runner.invoke(args=["notify", "--dry-run"])
    assert result.exit_code == 0 and result.output.count("would send") == 7
    assert smtp_server.messages == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationLog)) == 0


def test_a_failed_mail_is_tried_again_next_time(runner, world, app):
    saved = {k: app.config[k] for k in ("LMS_SMTP_HOST", "LMS_SMTP_PORT", "LMS_SMTP_TLS")}
    app.config.update(LMS_SMTP_HOST="127.0.0.1", LMS_SMTP_PORT=free_port(), LMS_SMTP_TLS="none")
    try:
        result = runner.invoke(args=["notify"])
    finally:
        app.config.update(saved)
    assert result.exit_code == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationLog)) == 0
    # Without a mail server configured, mail goes to the outbox and counts as sent.
    assert "7 reminders sent" in runner.invoke(args=["notify"]).output
