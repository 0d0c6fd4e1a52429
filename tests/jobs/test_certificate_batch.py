"""A cohort's certificates as jobs on the real Redis, run by RQ workers: reserved with
their serials first, rendered afterwards (each certificate a job of its own), valid only
once stored; a render that fails is retried, and one that keeps failing keeps its serial
(no gap) until issuing again renders it."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from flask import Flask

from lms.accounts.models import Locale, Role
from lms.certificates import operations
from lms.certificates.models import Certificate, CertificateCounter, CertificateStatus
from lms.cohorts.models import Cohort
from lms.credentials.models import CertificateCredential
from lms.extensions import db
from lms.jobs.models import BackgroundJob, JobKind, JobState
from lms.jobs.operations import create_job
from lms.jobs.queue import BULK, DEFAULT, QUEUES, dispatch, rq
from lms.storage import read_stored
from tests.factories import load_test_course, make_finished_cohort, make_user
from tests.helpers import text_of
from tests.jobs.conftest import run_worker_process, work

PARTICIPANTS = 5


@pytest.fixture
def world(app, course_dir):
    course = load_test_course(course_dir)
    cohort, enrollments = make_finished_cohort(course, participants=PARTICIPANTS)
    coordinator = make_user(Role.COORDINATOR, first="Koordinatorin")
    coordinator.locale = Locale.EN
    db.session.commit()
    return {"cohort": cohort, "enrollments": enrollments, "coordinator": coordinator}


def start_batch(app: Flask, cohort_id: int, by_id: int | None = None) -> int:
    """What the page's button does: the job's row, committed, then on the queue."""
    from lms.accounts.models import User

    with app.app_context():
        job = create_job(JobKind.CERTIFICATE_BATCH, cohort=db.session.get(Cohort, cohort_id),
                         by=db.session.get(User, by_id) if by_id else None)
        db.session.commit()
        dispatch(job)
        return job.id


def fresh_job(job_id: int) -> BackgroundJob:
    db.session.expire_all()
    return db.session.get(BackgroundJob, job_id)


def certificates() -> list[Certificate]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Certificate).order_by(Certificate.serial)))


def numbers(items: list[Certificate]) -> list[int]:
    return [int(c.serial.rsplit("-", 1)[1]) for c in items]


def run_queue(app: Flask, name: str) -> None:
    from rq import SimpleWorker

    with app.app_context():
        queue = rq.get_queue(name)
        SimpleWorker([queue], connection=queue.connection,
                     job_class=queue.job_class).work(burst=True)


def test_the_worker_issues_the_batch_reserved_first_then_rendered(queue_app, world, client, auth):
    cohort = world["cohort"]
    job_id = start_batch(queue_app, cohort.id, world["coordinator"].id)
    job = fresh_job(job_id)
    assert job.state == JobState.QUEUED and certificates() == []

    auth.login(world["coordinator"])
    waiting = client.get(f"/coordination/jobs/{job_id}")
    assert waiting.status_code == 200
    assert 'http-equiv="refresh"' in waiting.get_data(as_text=True)
    assert "Waiting for a worker to start it" in text_of(waiting)

    # The batch's own job: it reserves every certificate (serials taken, no PDF yet)
    # and queues one render job per certificate.
    run_queue(queue_app, DEFAULT)
    reserved = certificates()
    assert numbers(reserved) == list(range(1, PARTICIPANTS + 1))
    assert {c.status for c in reserved} == {CertificateStatus.PENDING}
    assert all(c.stored_name is None and c.job_id == job_id for c in reserved)
    assert rq_count(queue_app, BULK) == PARTICIPANTS
    job = fresh_job(job_id)
    assert (job.state, job.total, job.done) == (JobState.RUNNING, PARTICIPANTS, 0)
    as_json = client.get(f"/coordination/jobs/{job_id}",
                         headers={"Accept": "application/json"}).json
    assert as_json["total"] == PARTICIPANTS and as_json["finished"] is False

    # Reserved is not issued: the verification page and the download say so.
    pending = reserved[0]
    verdict = client.get(f"/verify/{pending.verification_code}")
    assert verdict.status_code == 404 and "has not been issued yet" in text_of(verdict)
    download = client.get(f"/coordination/certificates/{pending.id}/download")
    assert download.status_code == 409 and "Retry-After" in download.headers
    assert "still being issued" in text_of(download)
    refused = client.post(f"/coordination/certificates/{pending.id}/revoke",
                          data={"reason": "zu früh"})
    assert refused.status_code in (302, 400)
    assert certificates()[0].status == CertificateStatus.PENDING

    run_queue(queue_app, BULK)
    issued = certificates()
    assert {c.status for c in issued} == {CertificateStatus.VALID}
    assert numbers(issued) == list(range(1, PARTICIPANTS + 1))
    for certificate in issued:
        data = read_stored("certificates", certificate.stored_name)
        assert hashlib.sha256(data).hexdigest() == certificate.sha256
        assert db.session.scalar(sa.select(CertificateCredential).where(
            CertificateCredential.certificate_id == certificate.id)) is not None
    job = fresh_job(job_id)
    assert (job.state, job.done, job.failed) == (JobState.SUCCEEDED, PARTICIPANTS, 0)
    page = client.get(f"/coordination/jobs/{job_id}")
    assert f"{PARTICIPANTS} certificates issued." in text_of(page)
    assert 'http-equiv="refresh"' not in page.get_data(as_text=True)
    assert client.get(f"/verify/{issued[0].verification_code}").status_code == 200


def rq_count(app: Flask, name: str) -> int:
    with app.app_context():
        return rq.get_queue(name).count


def test_a_render_that_fails_once_is_retried(queue_app, world, monkeypatch):
    real = operations.render_certificate
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("the disk was full for a moment")
        return real(*args, **kwargs)

    monkeypatch.setattr(operations, "render_certificate", flaky)
    job_id = start_batch(queue_app, world["cohort"].id)
    work(queue_app)
    assert calls["n"] == PARTICIPANTS + 1
    issued = certificates()
    assert {c.status for c in issued} == {CertificateStatus.VALID}
    assert numbers(issued) == list(range(1, PARTICIPANTS + 1))
    job = fresh_job(job_id)
    assert (job.state, job.done, job.failed) == (JobState.SUCCEEDED, PARTICIPANTS, 0)


def test_a_render_that_keeps_failing_keeps_its_serial_until_issuing_again(
        queue_app, world, monkeypatch, client, auth):
    victim = world["enrollments"][2]
    real = operations.render_certificate

    def broken_for_one(design, data, language, files=()):
        if data.full_name == victim.user.full_name:
            raise OSError("the font could not be read")
        return real(design, data, language, files)

    monkeypatch.setattr(operations, "render_certificate", broken_for_one)
    job_id = start_batch(queue_app, world["cohort"].id, world["coordinator"].id)
    work(queue_app)
    job = fresh_job(job_id)
    assert (job.state, job.done, job.failed) == (JobState.FAILED, PARTICIPANTS - 1, 1)
    stuck = next(c for c in certificates() if c.enrollment_id == victim.id)
    assert stuck.status == CertificateStatus.PENDING
    assert stuck.serial in job.error and "the font could not be read" in job.error
    # No gap: every number up to the counter's belongs to a row, the stuck one included.
    assert numbers(certificates()) == list(range(1, PARTICIPANTS + 1))
    auth.login(world["coordinator"])
    listing = client.get("/coordination/jobs")
    assert "failed" in text_of(listing) and stuck.serial in text_of(listing)
    page = client.get(f"/coordination/cohorts/{world['cohort'].id}/certificates")
    assert "1 document has its serial number but is not issued yet" in text_of(page)

    monkeypatch.setattr(operations, "render_certificate", real)
    again = start_batch(queue_app, world["cohort"].id)
    work(queue_app)
    assert (fresh_job(again).state, fresh_job(again).done) == (JobState.SUCCEEDED, 1)
    issued = certificates()
    assert {c.status for c in issued} == {CertificateStatus.VALID}
    assert numbers(issued) == list(range(1, PARTICIPANTS + 1))  # the same serials
    assert next(c for c in issued if c.id == stuck.id).serial == stuck.serial
    counter = db.session.scalar(sa.select(CertificateCounter.last_number))
    assert counter == PARTICIPANTS


def test_a_second_batch_is_not_started_while_one_runs(queue_app, world, client, auth):
    job_id = start_batch(queue_app, world["cohort"].id)
    auth.login(world["coordinator"])
    response = client.post(f"/coordination/cohorts/{world['cohort'].id}/certificates/issue-all")
    assert response.status_code == 302 and response.location.endswith(f"/jobs/{job_id}")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BackgroundJob)) == 1


@pytest.mark.slow
@pytest.mark.parametrize("mode", [(), ("--fork",)], ids=["in-process", "fork"])
def test_lms_worker_as_a_process_of_its_own_issues_the_batch(queue_app, world, app_config,
                                                             mode):
    """The production path: ``lms worker`` runs the jobs in the app context, in itself or
    in a fork per job."""
    job_id = start_batch(queue_app, world["cohort"].id)
    finished = run_worker_process(app_config, *mode)
    assert finished.returncode == 0, finished.stderr[-3000:]
    job = fresh_job(job_id)
    assert (job.state, job.done) == (JobState.SUCCEEDED, PARTICIPANTS), job.error
    issued = certificates()
    assert {c.status for c in issued} == {CertificateStatus.VALID}
    assert numbers(issued) == list(range(1, PARTICIPANTS + 1))
    assert len(QUEUES) == 3 and rq_count(queue_app, BULK) == 0


def test_a_batch_lost_with_redis_holds_nothing_back(app, world, client, auth):
    """A job that has not moved for longer than its attempts and retries can take is taken
    for lost: issuing all starts again (and renders what the lost one had reserved)."""
    from datetime import timedelta

    from lms.db import utcnow

    lost = create_job(JobKind.CERTIFICATE_BATCH, cohort=world["cohort"])
    lost.state = JobState.RUNNING
    db.session.commit()
    auth.login(world["coordinator"])
    url = f"/coordination/cohorts/{world['cohort'].id}/certificates/issue-all"
    still = client.post(url)
    assert still.location.endswith(f"/jobs/{lost.id}")  # it moved a moment ago
    config = app.config
    quiet = 2 * (config["LMS_JOB_TIMEOUT"] + sum(config["LMS_JOB_RETRY_INTERVALS"]))
    lost.updated_at = utcnow() - timedelta(seconds=quiet + 1)
    db.session.commit()
    again = client.post(url)
    assert not again.location.endswith(f"/jobs/{lost.id}")
    issued = certificates()
    assert {c.status for c in issued} == {CertificateStatus.VALID}
    assert numbers(issued) == list(range(1, PARTICIPANTS + 1))
