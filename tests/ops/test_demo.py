"""`lms demo` as a new user meets it: the logins it prints, a running cohort that looks
real, a finished cohort whose documents are issued, and nothing created twice.

The demo is seeded once for this module (seeding takes seconds: it renders and signs
the finished cohort's certificates) and every test here only reads it; a test that
changes it would change it for the others. Seeding on other days and on a database an
earlier demo made are in test_cli.py, each on a database of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask

from lms.accounts.models import LecturerProfile, TitleForm, User
from lms.assignments.models import Submission
from lms.attendance.models import Attendance
from lms.certificates.models import CertificateKind
from lms.certificates.queries import cohort_progress
from lms.certificates.rules import Outcome
from lms.cohorts.models import Cohort
from lms.credentials.queries import get_credential
from lms.db import utcnow
from lms.demo import (
    COHORT,
    LECTURERS,
    NEVER_ATTENDED,
    PARTICIPANTS,
    PAST_COHORT,
    PAST_FAILS_PAPER,
    PAST_PARTICIPANTS,
)
from lms.extensions import db
from lms.storage import read_stored
from tests.conftest import empty_all_tables
from tests.helpers import demo_counts


@pytest.fixture(scope="module")
def demo(_migrated_app: Flask) -> Iterator[str]:
    """`lms demo` on the empty test database, once for the module: its output. The
    tables are emptied when the module is done."""
    with _migrated_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
        result = _migrated_app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        yield result.output
        db.session.rollback()
        empty_all_tables()
        db.session.remove()


def cohort(name: str) -> Cohort:
    return db.session.scalar(sa.select(Cohort).where(Cohort.name == name))


def test_the_demo_says_it_is_there_and_how_to_log_in(demo):
    lines = demo.splitlines()
    assert lines[0] == "Demo data is in place."
    assert lines[1].startswith("All demo accounts use the password: ")
    assert [line.split()[-1] for line in lines[2:] if "@" in line] == [
        "anna.lehmann@th-koeln.example", "katharina.berger@demo.example",
        "juergen.mueller@nordlicht.example", "aenne.schaefer@nordlicht.example",
        "sabine.hoffmann@nordlicht.example", "ingrid.becker@nordlicht.example"]


def test_running_it_again_creates_nothing(demo, _migrated_app):
    counts = demo_counts()
    again = _migrated_app.test_cli_runner().invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[0] == "Demo data was already there."
    assert demo_counts() == counts
    assert (counts["Company"], counts["Cohort"]) == (1, 2)
    assert counts["Submission"] > 0 and counts["Grade"] > 0


def test_the_running_cohort_looks_real(demo):
    running = cohort(COHORT)
    people = {(e.user.first_name, e.user.last_name): e.user.title_form
              for e in running.enrollments}
    assert people == {(first, last): form for first, last, form in PARTICIPANTS}
    assert set(people.values()) == set(TitleForm)  # every title form is someone's
    assert len(running.blocks) == 4
    profiles = db.session.scalars(sa.select(LecturerProfile)).all()
    assert sorted(p.user.email for p in profiles) == sorted({row[0] for row in LECTURERS})
    assert all(p.affiliation and p.job_title and p.bio and p.expertise for p in profiles)

    meetings = sorted(running.meetings, key=lambda m: m.starts_at)
    assert len(meetings) == 20
    assert meetings[-1].starts_at - meetings[0].starts_at > timedelta(weeks=14)  # months
    berlin = ZoneInfo("Europe/Berlin")
    offsets = {m.starts_at.astimezone(berlin).utcoffset() for m in meetings}
    assert offsets == {timedelta(hours=2), timedelta(hours=1)}  # spans a change of the clocks
    assert {m.starts_at.astimezone(berlin).strftime("%H:%M") for m in meetings} == {
        "09:00", "13:30"}
    assert all(m.lecturers for m in meetings)


def test_every_held_meeting_is_marked_for_everyone_and_nothing_ahead(demo):
    now = utcnow()
    running, finished = cohort(COHORT), cohort(PAST_COHORT)
    held = [m for m in running.meetings if m.ends_at < now]
    assert len(held) == 10
    marks = {(a.enrollment_id, a.meeting_id) for a in db.session.scalars(sa.select(Attendance))}
    assert marks == {(e.id, m.id) for m in held for e in running.enrollments} | {
        (e.id, m.id) for m in finished.meetings for e in finished.enrollments}


def test_handed_in_work_is_stored_as_pdf(demo):
    submissions = db.session.scalars(sa.select(Submission)).all()
    assert submissions
    for submission in submissions:
        assert read_stored("submissions", submission.stored_name).startswith(b"%PDF-")


def test_the_finished_cohort_has_its_documents_issued(demo):
    """Every participant but two earns a certificate; one attended but did not pass the
    paper (a confirmation of participation), one attended nothing (nothing issued). Each
    document carries its signed credential."""
    expected = {}
    for number, (first, last, _form) in enumerate(PAST_PARTICIPANTS):
        expected[f"{first} {last}"] = {PAST_FAILS_PAPER: Outcome.CONFIRMATION,
                                       NEVER_ATTENDED: Outcome.NOT_YET}.get(
                                           number, Outcome.CERTIFICATE)
    progress = cohort_progress(cohort(PAST_COHORT), utcnow())
    assert {p.enrollment.user.full_name: p.result.outcome for p in progress} == expected
    issued = {p.enrollment.user.full_name: [c.kind for c in p.certificates] for p in progress}
    assert issued == {name: {Outcome.CERTIFICATE: [CertificateKind.CERTIFICATE],
                             Outcome.CONFIRMATION: [CertificateKind.CONFIRMATION],
                             Outcome.NOT_YET: []}[outcome]
                      for name, outcome in expected.items()}
    assert not any(p.needs_issuing for p in progress)
    assert all(get_credential(c) is not None for p in progress for c in p.certificates)
