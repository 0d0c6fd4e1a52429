"""The lms command: accounts and the demo."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from lms.accounts.models import LecturerProfile, Role, TitleForm, User, UserRole
from lms.accounts.operations import authenticate
from lms.assignments.models import Grade, Submission
from lms.attendance.models import Attendance
from lms.cohorts.models import Cohort, Company, Enrollment
from lms.extensions import db
from lms.schedule.models import Block, Meeting
from lms.storage import stored_path

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


def _counts() -> dict[str, int]:
    models = (User, UserRole, LecturerProfile, Company, Cohort, Enrollment, Block, Meeting,
              Attendance, Submission, Grade)
    return {
        m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in models
    }


def test_demo_is_realistic_and_repeatable(runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "Demo data is in place." in first.output
    for email in ("anna.lehmann@th-koeln.example", "katharina.berger@demo.example",
                  "juergen.mueller@nordlicht.example", "sabine.hoffmann@nordlicht.example"):
        assert email in first.output
    counts = _counts()

    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert "already there" in second.output
    assert _counts() == counts

    from lms.demo import COHORT

    cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == COHORT))
    assert counts["Company"] == 1 and counts["Cohort"] == 2
    assert len(cohort.enrollments) == 20 and len(cohort.blocks) == 3
    assert counts["LecturerProfile"] >= 6
    assert counts["Attendance"] > 0 and counts["Submission"] > 0 and counts["Grade"] > 0
    names = [e.user.full_name for e in cohort.enrollments]
    assert any(ch in "".join(names) for ch in "äöüÄÖÜß")
    assert {e.user.title_form for e in cohort.enrollments} == set(TitleForm)
    profiles = db.session.scalars(sa.select(LecturerProfile)).all()
    assert all(p.affiliation and p.job_title and p.bio and p.expertise for p in profiles)

    meetings = db.session.scalars(sa.select(Meeting).where(Meeting.cohort_id == cohort.id)
                                  .order_by(Meeting.starts_at)).all()
    assert meetings[-1].starts_at - meetings[0].starts_at > timedelta(days=140)  # ~5 months
    berlin = ZoneInfo("Europe/Berlin")
    offsets = {m.starts_at.astimezone(berlin).utcoffset() for m in meetings}
    assert offsets == {timedelta(hours=2), timedelta(hours=1)}  # spans a change of the clocks
    assert {m.starts_at.astimezone(berlin).strftime("%H:%M") for m in meetings} == {
        "09:00", "13:30"}
    assert all(m.lecturers for m in meetings)

    for submission in db.session.scalars(sa.select(Submission)):
        path = stored_path("submissions", submission.stored_name)
        assert path.read_bytes().startswith(b"%PDF-")


def test_demo_has_a_finished_cohort_ready_for_certificates(runner):
    from lms.certificates.queries import cohort_progress
    from lms.certificates.rules import Outcome
    from lms.db import utcnow
    from lms.demo import PAST_COHORT

    assert runner.invoke(args=["demo"]).exit_code == 0
    past = db.session.scalar(sa.select(Cohort).where(Cohort.name == PAST_COHORT))
    outcomes = [p.result.outcome for p in cohort_progress(past, utcnow())]
    assert outcomes.count(Outcome.CERTIFICATE) >= 5
    assert Outcome.CONFIRMATION in outcomes  # attended, but the paper was not passed
    assert Outcome.NOT_YET in outcomes or Outcome.NONE in outcomes  # missed too much
