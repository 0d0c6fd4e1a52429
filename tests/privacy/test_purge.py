"""Retention: ``lms privacy purge`` removes what is past its period, says what it would
remove without --apply, finds nothing the second time, and keeps certificates verifiable,
with the clock (lms.db.utcnow) moved forward."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from lms import db as clock
from lms.accounts.models import OneTimeToken, User, UserSession
from lms.assignments.models import Grade, Submission
from lms.attendance.models import AbsenceNotice, Attendance
from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.privacy.export import build_export, start_export
from lms.privacy.models import DataExport
from lms.privacy.purge import purge
from lms.storage import stored_path
from tests.privacy.test_erasure import tables_naming
from tests.privacy.world import EMAIL, IDENTIFIERS, build_person_world


@pytest.fixture(autouse=True)
def own_storage(app, tmp_path):
    saved = app.config["LMS_STORAGE_DIR"]
    app.config["LMS_STORAGE_DIR"] = str(tmp_path / "storage")
    yield
    app.config["LMS_STORAGE_DIR"] = saved


@pytest.fixture
def world(app, course):
    built = build_person_world(course)
    db.session.commit()
    return built


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def days_after_end(world, days: int) -> datetime:
    end = world.cohort.ends_on
    return datetime(end.year, end.month, end.day, 12, tzinfo=UTC) + timedelta(days=days)


def run(app, now: datetime, apply: bool = True):
    report = purge(now, app.config["LMS_RETENTION"], apply=apply)
    if apply:
        db.session.commit()
    else:
        db.session.rollback()
    return {(line.retention.value, str(line.what)): line.count for line in report.lines}


def test_nothing_goes_before_its_time(app, world):
    assert run(app, days_after_end(world, 30), apply=False) == {}


def test_attendance_detail_goes_after_its_year_and_a_dry_run_changes_nothing(app, world):
    periods = app.config["LMS_RETENTION"]
    later = days_after_end(world, periods["attendance_detail"] + 1)
    dry = run(app, later, apply=False)
    assert dry[("attendance_detail", "Anwesenheitsmarkierungen")] == 4
    assert dry[("attendance_detail", "Abwesenheitsmeldungen")] == 1
    assert count(Attendance) == 4 and count(AbsenceNotice) == 1  # a dry run

    assert run(app, later) == dry
    assert count(Attendance) == 0 and count(AbsenceNotice) == 0
    assert count(Grade) > 0  # exam records have their own, longer period
    assert run(app, later) == {}  # idempotent


def test_submissions_go_a_year_after_their_grade_with_their_files(app, world):
    files = [stored_path("submissions", s.stored_name)
             for s in db.session.scalars(sa.select(Submission))]
    assert files and all(f.exists() for f in files)
    graded = max(g.graded_at for g in db.session.scalars(sa.select(Grade)))
    later = graded + timedelta(days=app.config["LMS_RETENTION"]["submissions"] + 1)
    report = run(app, later)
    assert report[("submissions", "abgegebene Dateien")] == len(files)
    assert count(Submission) == 0 and not any(f.exists() for f in files)
    assert all(g.submission_id is None for g in db.session.scalars(sa.select(Grade)))


def test_exam_records_go_after_theirs_and_certificates_still_verify(app, world, client):
    periods = app.config["LMS_RETENTION"]
    run(app, days_after_end(world, periods["exam_records"] + 1))
    assert count(Grade) == 0
    # Both accounts are long past their period too: erased as on request.
    person = db.session.get(User, world.person.id)
    assert person.is_erased and tables_naming(IDENTIFIERS) == {}
    for certificate, serial in ((c, c.serial) for c in world.certificates):
        page = client.get(f"/verify/{certificate.verification_code}")
        assert page.status_code == 200 and serial in page.get_data(as_text=True)
        by_file = client.post("/verify/file", data={"file": (
            io.BytesIO(world.pdfs[serial]), "z.pdf")})
        assert by_file.status_code == 200
        assert "Xaverine Quendelbach" in page.get_data(as_text=True)  # as printed


def test_accounts_go_two_years_after_their_last_cohort(app, world):
    periods = app.config["LMS_RETENTION"]
    before = run(app, days_after_end(world, periods["account"] - 1), apply=False)
    assert ("account", "gelöschte Konten") not in before
    after = run(app, days_after_end(world, periods["account"] + 1))
    # The two participants and the company's contact; lecturer and coordinator stay.
    assert after[("account", "gelöschte Konten")] == 3
    # (the erasure of the contact emptied the company's contact fields that named her)
    assert (world.cohort.company.contact_name, world.cohort.company.contact_email) == ("", "")
    assert {u.email for u in db.session.scalars(sa.select(User).where(
        User.erased_at.is_(None)))} == {world.lecturer.email, world.coordinator.email}
    erased = db.session.scalar(sa.select(AuditEvent).filter_by(
        action="user.erased", object_id=str(world.person.id)))
    assert erased.actor_id is None and "Aufbewahrungsfrist" in erased.after["reason"]


def test_a_companys_contact_fields_go_with_its_last_cohort(app, world):
    from lms.cohorts.operations import update_company

    update_company(world.cohort.company, name=world.cohort.company.name,
                   contact_name="Herr Empfang", contact_email="empfang@nordlicht.example")
    db.session.commit()
    later = days_after_end(world, app.config["LMS_RETENTION"]["account"] + 1)
    assert run(app, later)[("account", "Ansprechpersonen von Unternehmen")] == 1
    assert (world.cohort.company.contact_name, world.cohort.company.contact_email) == ("", "")


def test_certificate_stubs_lose_the_name_after_theirs(app, world, client):
    periods = app.config["LMS_RETENTION"]
    issued = world.certificates[0].issued_at
    run(app, issued + timedelta(days=periods["certificate_stubs"] + 1))
    certificate = world.certificates[1]
    page = client.get(f"/verify/{certificate.verification_code}").get_data(as_text=True)
    assert "Xaverine" not in page and "nicht mehr aufbewahrt" in page
    assert "Gültig" in page and certificate.serial in page


def test_sessions_links_exports_and_the_trail_go_after_theirs(app, world):
    export = build_export(start_export(world.person, by=world.person))
    db.session.commit()
    zip_file = stored_path(export.storage_area, export.stored_name)
    now = clock.utcnow()
    report = run(app, now + timedelta(days=app.config["LMS_RETENTION"]["exports"] + 1))
    assert report[("exports", "Datenauskünfte")] == 1
    assert count(DataExport) == 0 and not zip_file.exists()
    run(app, now + timedelta(days=app.config["LMS_RETENTION"]["login_records"] + 1))
    assert count(UserSession) == 0 and count(OneTimeToken) == 0
    assert count(AuditEvent) > 0
    run(app, now + timedelta(days=app.config["LMS_RETENTION"]["audit_trail"] + 1))
    assert count(AuditEvent, AuditEvent.occurred_at < now) == 0


def test_log_files_go_after_their_days(app, world, tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    old, new = folder / "access.log.1", folder / "access.log"
    old.write_text("203.0.113.9 GET /calendar/feed/[redacted].ics\n")
    new.write_text("today\n")
    week_ago = (clock.utcnow() - timedelta(days=8)).timestamp()
    os.utime(old, (week_ago, week_ago))
    app.config["LMS_LOG_DIR"] = str(folder)
    try:
        report = run(app, clock.utcnow())
    finally:
        app.config["LMS_LOG_DIR"] = None
    assert report[("log_files", "Logdateien")] == 1
    assert not old.exists() and new.exists()


def test_mails_in_the_outbox_go_after_the_log_files_days(app, world):
    from lms.mail import outbox_dir

    outbox_dir().mkdir(parents=True, exist_ok=True)
    old = outbox_dir() / "20260101T000000-old.eml"
    old.write_text(f"To: {EMAIL}\n\nHallo\n")
    week_ago = (clock.utcnow() - timedelta(days=8)).timestamp()
    os.utime(old, (week_ago, week_ago))
    assert run(app, clock.utcnow())[("log_files", "Mails im Postausgang")] == 1
    assert not old.exists()


def test_purge_on_the_command_line_with_the_clock_moved_forward(app, world, runner,
                                                                 monkeypatch):
    later = days_after_end(world, app.config["LMS_RETENTION"]["attendance_detail"] + 1)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    dry = runner.invoke(args=["privacy", "purge"])
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output and "attendance_detail: 4 Anwesenheitsmarkierungen" in (
        dry.output)
    assert count(Attendance) == 4
    applied = runner.invoke(args=["privacy", "purge", "--apply"])
    assert applied.exit_code == 0 and "Deleted:" in applied.output
    db.session.expire_all()
    assert count(Attendance) == 0
    again = runner.invoke(args=["privacy", "purge", "--apply"])
    assert "Nothing is past its retention period." in again.output
    assert db.session.get(User, world.person.id).email == EMAIL  # its period runs longer


def test_a_cohort_exports_zip_goes_after_the_exports_days_and_its_page_says_so(
        app, world, client):
    """The ZIP of a cohort export (a job's result, storage area "exports") follows the
    EXPORTS rule: the file goes, the job row stays (AUDIT_TRAIL) without its name."""
    from lms.accounts.models import Role
    from lms.jobs.models import BackgroundJob, JobKind, JobState
    from lms.jobs.operations import create_job
    from lms.jobs.queue import dispatch
    from tests.factories import make_user
    from tests.helpers import login

    coordinator = make_user(Role.COORDINATOR)
    job = create_job(JobKind.COHORT_EXPORT, by=coordinator, cohort=world.cohort)
    db.session.commit()
    dispatch(job)
    db.session.expire_all()
    job = db.session.get(BackgroundJob, job.id)
    assert job.state == JobState.SUCCEEDED
    zip_file = stored_path("exports", job.result["stored_name"])
    assert zip_file.exists()
    days = app.config["LMS_RETENTION"]["exports"]
    assert run(app, clock.utcnow() + timedelta(days=days - 1)).get(
        ("exports", "Dateien von Exporten einer Gruppe")) is None
    later = clock.utcnow() + timedelta(days=days + 1)
    assert run(app, later, apply=False)[("exports", "Dateien von Exporten einer Gruppe")] == 1
    assert zip_file.exists()  # (a dry run changes nothing)
    assert run(app, later)[("exports", "Dateien von Exporten einer Gruppe")] == 1
    assert not zip_file.exists()
    db.session.expire_all()
    job = db.session.get(BackgroundJob, job.id)
    assert "stored_name" not in job.result and job.state == JobState.SUCCEEDED
    assert run(app, later).get(("exports", "Dateien von Exporten einer Gruppe")) is None
    login(client, coordinator)
    assert client.get(f"/coordination/jobs/{job.id}/download").status_code == 404
    page = client.get(f"/coordination/jobs/{job.id}")
    assert "nicht mehr aufbewahrt" in page.get_data(as_text=True)
