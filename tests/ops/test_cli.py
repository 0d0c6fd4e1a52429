"""The lms command: accounts, and the demo seeded on other days and over an earlier demo
(what one seeding holds: test_demo.py)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role, User
from lms.accounts.operations import authenticate
from lms.assignments.models import Submission
from lms.attendance.models import Attendance
from lms.cohorts.models import Cohort, Enrollment
from lms.extensions import db
from lms.schedule.models import Meeting
from tests.helpers import demo_counts

ARGS = ["users", "create", "--email", "Dozentin@Example.org", "--first-name", "Dörte",
        "--last-name", "Öztürk", "--role", "lecturer", "--role", "coordinator"]


def test_users_create_prompts_for_the_password_without_echo(runner):
    result = runner.invoke(args=ARGS, input="ein langes Passwort\nein langes Passwort\n")
    assert result.exit_code == 0, result.output
    assert "ein langes Passwort" not in result.output  # hidden input is not echoed
    user = authenticate("dozentin@example.org", "ein langes Passwort")
    assert user is not None and user.full_name == "Dörte Öztürk"
    assert user.role_set == {Role.LECTURER, Role.COORDINATOR}
    assert user.lecturer_profile is not None


def test_users_create_takes_no_password_from_the_command_line(runner):
    result = runner.invoke(args=[*ARGS, "--password", "ein langes Passwort"])
    assert result.exit_code != 0
    assert "No such option" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_users_create_refuses_short_password_and_duplicate(runner):
    short = runner.invoke(args=ARGS, input="kurz\nkurz\n")
    assert short.exit_code != 0 and "mindestens 10 Zeichen" in short.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0

    assert runner.invoke(args=ARGS, input="ein langes Passwort\n" * 2).exit_code == 0
    again = runner.invoke(args=ARGS, input="ein langes Passwort\n" * 2)
    assert again.exit_code != 0 and "existiert bereits" in again.output


def test_users_create_refuses_a_malformed_email(runner):
    args = list(ARGS)
    args[2] = "not-an-email"
    result = runner.invoke(args=args, input="ein langes Passwort\n" * 2)
    assert result.exit_code != 0 and "--email" in result.output


# Days of the year the demo may be seeded on: around both changes of the clocks, the
# middle of summer (the farthest from either change), the holidays, a leap day.
SEEDING_DAYS = ["2026-01-15", "2026-03-29", "2026-07-15", "2026-10-25", "2026-12-30",
                "2028-02-29"]


@pytest.mark.parametrize("day", SEEDING_DAYS)
def test_the_demo_is_dated_around_the_day_it_is_seeded(app, course_dir, day):
    from lms.certificates.queries import cohort_progress
    from lms.certificates.rules import Outcome, Standing
    from lms.demo import COHORT, PAST_COHORT, seed_demo

    berlin = ZoneInfo("Europe/Berlin")
    now = datetime.combine(date.fromisoformat(day), time(10), berlin)
    assert seed_demo(course_dir, now=now).created
    db.session.commit()
    running = db.session.scalar(sa.select(Cohort).where(Cohort.name == COHORT))
    finished = db.session.scalar(sa.select(Cohort).where(Cohort.name == PAST_COHORT))
    marks = {(a.enrollment_id, a.meeting_id) for a in db.session.scalars(sa.select(Attendance))}

    # The running cohort: mid-course, half held and marked, half ahead, across a change of
    # the clocks, no block in the Christmas holidays.
    meetings = sorted(running.meetings, key=lambda m: m.starts_at)
    held = [m for m in meetings if m.ends_at < now]
    assert len(meetings) == 20 and len(held) == 10, day
    assert all((e.id, m.id) in marks for m in held for e in running.enrollments)
    assert not any((e.id, m.id) in marks for m in meetings[10:] for e in running.enrollments)
    assert len({m.starts_at.astimezone(berlin).utcoffset() for m in meetings}) == 2, day
    assert running.starts_on <= now.date() <= running.ends_on
    for block in running.blocks + finished.blocks:
        days = {block.starts_on + timedelta(days=i)
                for i in range((block.ends_on - block.starts_on).days + 1)}
        assert not any((d.month, d.day) >= (12, 23) or (d.month, d.day) <= (1, 6)
                       for d in days), (day, block.title, block.starts_on)
    standings = {p.enrollment.user.email: p.result.standing
                 for p in cohort_progress(running, now)}
    assert standings["juergen.mueller@nordlicht.example"] == Standing.ON_TRACK
    assert standings["aenne.schaefer@nordlicht.example"] == Standing.AT_RISK
    assert standings["bjoern.weiss@nordlicht.example"] == Standing.OUT_OF_REACH
    mine = next(p for p in cohort_progress(running, now)
                if p.enrollment.user.email == "juergen.mueller@nordlicht.example")
    assert mine.facts.attendance.attended == mine.facts.attendance.held == 35 * 60
    handed_in = db.session.scalars(sa.select(Submission).join(Enrollment).where(
        Enrollment.cohort_id == running.id)).all()
    assert handed_in and all(s.submitted_at <= now for s in handed_in)

    # The finished cohort: ended a few weeks ago, everything recorded, ready to issue.
    assert now.date() - timedelta(weeks=6) <= finished.ends_on <= now.date() - timedelta(weeks=2)
    assert all(m.ends_at < now for m in finished.meetings)
    assert all((e.id, m.id) in marks for m in finished.meetings for e in finished.enrollments)
    outcomes = [p.result.outcome for p in cohort_progress(finished, now)]
    assert outcomes.count(Outcome.CERTIFICATE) >= 5
    assert outcomes.count(Outcome.CONFIRMATION) == 1 and outcomes.count(Outcome.NOT_YET) == 1
    assert {p.result.standing for p in cohort_progress(finished, now)} <= {
        Standing.CERTIFIED, Standing.CONFIRMATION, Standing.NOT_COMPLETED}

    # Nobody teaches two meetings at once (the cohorts share their lecturers).
    taught = sorted((lecturer.id, m.starts_at, m.ends_at)
                     for m in db.session.scalars(sa.select(Meeting)) for lecturer in m.lecturers)
    for (who, _start, end), (other, start, _end) in itertools.pairwise(taught):
        assert who != other or start >= end, day

    # Seeding again, that day or a month later, creates nothing.
    counts = demo_counts()
    assert not seed_demo(course_dir, now=now).created
    assert not seed_demo(course_dir, now=now + timedelta(days=30)).created
    assert demo_counts() == counts


def test_a_database_seeded_by_the_earlier_demo_keeps_its_cohorts(app, course_dir):
    """The cohorts of an earlier demo had other names; their people are enrolled there."""
    from lms.demo import PAST_COHORT, seed_demo

    seed_demo(course_dir)
    for cohort in db.session.scalars(sa.select(Cohort)):
        cohort.name = cohort.name.replace("Inhouse-Durchgang", "Inhouse 2025/26")
    db.session.commit()
    counts = demo_counts()
    assert not seed_demo(course_dir).created
    assert demo_counts() == counts
    assert db.session.scalar(sa.select(Cohort).where(Cohort.name == PAST_COHORT)) is None
