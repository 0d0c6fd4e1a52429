"""The cohort export as a job (a ZIP in the storage, downloaded from the job's page), and
commands on a timetable (LMS_SCHEDULE) run by a worker."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
import sqlalchemy as sa

from lms import ConfigError, create_app
from lms.accounts.models import Locale, Role
from lms.certificates.operations import issue_certificate
from lms.extensions import db
from lms.jobs.models import BackgroundJob, JobKind, JobState
from lms.jobs.queue import DEFAULT, rq
from lms.jobs.scheduled import DEFAULT_SCHEDULE, known_command, parse_schedule
from lms.storage import read_stored
from tests.factories import load_test_course, make_finished_cohort, make_user
from tests.helpers import text_of
from tests.jobs.conftest import work


@pytest.fixture
def finished(app, course_dir):
    course = load_test_course(course_dir)
    cohort, enrollments = make_finished_cohort(course, participants=2)
    coordinator = make_user(Role.COORDINATOR)
    coordinator.locale = Locale.EN
    certificates = [issue_certificate(e).certificate for e in enrollments]
    db.session.commit()
    return {"cohort": cohort, "coordinator": coordinator, "certificates": certificates}


def test_the_cohort_export_is_a_job_whose_page_offers_the_zip(client, auth, finished):
    auth.login(finished["coordinator"])
    cohort = finished["cohort"]
    assert "Export the cohort (ZIP)" in text_of(client.get(f"/coordination/cohorts/{cohort.id}"))
    response = client.post(f"/coordination/cohorts/{cohort.id}/export")
    assert response.status_code == 302 and "/coordination/jobs/" in response.location
    page = client.get(response.location)
    job = db.session.scalar(sa.select(BackgroundJob))
    assert job.kind == JobKind.COHORT_EXPORT and job.state == JobState.SUCCEEDED
    assert (job.done, job.total) == (4, 4)  # two sheets, two documents
    assert f"Download {job.result['filename']}" in text_of(page)
    download = client.get(f"/coordination/jobs/{job.id}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert hashlib.sha256(download.data).hexdigest() == job.result["sha256"]
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        names = set(archive.namelist())
        assert {"attendance.xlsx", "grades.xlsx", "certificates.csv"} <= names
        for certificate in finished["certificates"]:
            pdf = archive.read(f"certificates/{certificate.serial}.pdf")
            assert pdf == read_stored("certificates", certificate.stored_name)
        listing = archive.read("certificates.csv").decode("utf-8-sig")
        assert all(c.serial in listing for c in finished["certificates"])
    # Only an export job that succeeded has something to download.
    other = BackgroundJob(kind=JobKind.REMINDERS, state=JobState.QUEUED, params={}, result={})
    db.session.add(other)
    db.session.commit()
    assert client.get(f"/coordination/jobs/{other.id}/download").status_code == 404


def test_the_schedule_names_cron_times_and_commands(app):
    assert parse_schedule(DEFAULT_SCHEDULE) == (("0 * * * *", ("notify",)),
                                                ("30 3 * * *", ("privacy", "purge", "--apply")))
    assert parse_schedule(" ; */15 8-18 * * 1-5 notify ;") == (
        ("*/15 8-18 * * 1-5", ("notify",)),)
    for wrong in ("notify", "0 * * * *", "61 * * * * notify", "0 * * * notify"):
        with pytest.raises(ValueError):
            parse_schedule(wrong)
    assert known_command(("notify",)) and known_command(("certificates", "issue", "1"))
    assert not known_command(("no-such-command",))
    assert not known_command(("certificates", "shred"))


def test_a_wrong_schedule_stops_start_up_with_one_sentence(app_config):
    with pytest.raises(ConfigError, match="LMS_SCHEDULE: '61 \\* \\* \\* \\* notify' is not"):
        create_app({**app_config, "LMS_SCHEDULE": "61 * * * * notify"})


def test_a_scheduled_command_runs_in_a_worker(queue_app):
    """What the scheduler puts on the queue at its times: the command, run by a worker in
    the app context (here: lms notify, which runs its reminders job there too)."""
    with queue_app.app_context():
        rq.get_queue(DEFAULT).enqueue("lms.jobs.scheduled.run_command", "notify")
    work(queue_app)
    db.session.expire_all()
    [job] = db.session.scalars(sa.select(BackgroundJob)).all()
    assert (job.kind, job.state) == (JobKind.REMINDERS, JobState.SUCCEEDED)
