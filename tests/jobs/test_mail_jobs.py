"""Mail as jobs on the real Redis: change notices (queued with the change itself) and the
reminders of ``lms notify``, sent by an RQ worker; a recipient not reached is retried
without anyone getting a message twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import Locale, Role
from lms.extensions import db
from lms.ical import notices
from lms.jobs.models import BackgroundJob, JobKind, JobState
from lms.mail import MailError
from lms.schedule.models import Meeting
from tests.factories import enroll, load_test_course, make_cohort, make_meeting, make_user
from tests.helpers import login
from tests.jobs.conftest import work


@pytest.fixture
def scene(app, course_dir):
    course = load_test_course(course_dir)
    cohort = make_cohort(course)
    lecturer = make_user(Role.LECTURER, first="Katharina", last="Berger")
    people = [enroll(cohort).user for _ in range(3)]
    coordinator = make_user(Role.COORDINATOR)
    coordinator.locale = Locale.EN
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    meeting = make_meeting(cohort, start, lecturers=(lecturer,))
    db.session.commit()
    return {"cohort": cohort, "lecturer": lecturer, "people": people,
            "coordinator": coordinator, "meeting": meeting}


def jobs_of(kind: JobKind) -> list[BackgroundJob]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(BackgroundJob).where(BackgroundJob.kind == kind)))


def cancel_through_the_page(app, scene) -> None:
    client = app.test_client()
    login(client, scene["coordinator"])
    response = client.post(f"/coordination/meetings/{scene['meeting'].id}/cancel",
                           data={"reason": "Dozentin erkrankt"})
    assert response.status_code == 302


def test_cancelling_a_meeting_queues_the_notices_and_a_worker_sends_them(
        queue_app, scene, smtp_server):
    queue_app.config.update({k: smtp_server_config(smtp_server, k) for k in SMTP})
    cancel_through_the_page(queue_app, scene)
    db.session.expire_all()
    assert db.session.get(Meeting, scene["meeting"].id).status.value == "cancelled"
    [job] = jobs_of(JobKind.CHANGE_NOTICE)
    assert job.state == JobState.QUEUED and smtp_server.messages == []  # not in the request
    work(queue_app)
    [job] = jobs_of(JobKind.CHANGE_NOTICE)
    assert (job.state, job.done, job.total) == (JobState.SUCCEEDED, 4, 4)
    recipients = sorted(m["To"] for m in smtp_server.messages)
    assert recipients == sorted([scene["lecturer"].email, *(p.email for p in scene["people"])])


def test_a_recipient_not_reached_is_retried_and_nobody_gets_two(queue_app, scene,
                                                                smtp_server, monkeypatch):
    queue_app.config.update({k: smtp_server_config(smtp_server, k) for k in SMTP})
    unlucky = scene["people"][1].email
    real_send = notices.send_to_user
    tries = {"n": 0}

    def flaky(user, *args, **kwargs):
        if user.email == unlucky and tries["n"] == 0:
            tries["n"] += 1
            raise MailError("451 try again later")
        return real_send(user, *args, **kwargs)

    monkeypatch.setattr(notices, "send_to_user", flaky)
    cancel_through_the_page(queue_app, scene)
    work(queue_app)
    [job] = jobs_of(JobKind.CHANGE_NOTICE)
    assert (job.state, job.attempts, job.done) == (JobState.SUCCEEDED, 2, 4)
    recipients = [m["To"] for m in smtp_server.messages]
    assert len(recipients) == 4 and len(set(recipients)) == 4 and unlucky in recipients


def test_lms_notify_queues_the_reminders_for_a_worker(queue_app, scene):
    from lms.assignments.models import Assignment
    from lms.curriculum.models import AssessmentKind
    from lms.notifications.models import NotificationLog

    paper = db.session.scalars(sa.select(Assignment).filter_by(
        cohort_id=scene["cohort"].id, kind=AssessmentKind.PAPER)).first()
    paper.due_at = datetime.now(UTC) + timedelta(days=1)
    db.session.commit()
    with queue_app.app_context():
        result = queue_app.test_cli_runner().invoke(args=["notify"])
    assert result.exit_code == 0, result.output
    assert "Queued as job" in result.output
    [job] = jobs_of(JobKind.REMINDERS)
    assert job.state == JobState.QUEUED
    work(queue_app)
    [job] = jobs_of(JobKind.REMINDERS)
    assert job.state == JobState.SUCCEEDED and job.done == job.total, job.error
    deadlines = db.session.scalars(sa.select(NotificationLog.user_id).filter_by(
        kind="deadline_reminder")).all()
    assert sorted(deadlines) == sorted(p.id for p in scene["people"])


SMTP = ("LMS_SMTP_HOST", "LMS_SMTP_PORT", "LMS_SMTP_TLS")


def smtp_server_config(smtp_server, key: str):
    from flask import current_app

    return current_app.config[key]  # the smtp_server fixture set the test app's
