"""The job runner: a job's row through its attempts. A failure is retried with RQ's Retry
and reported on the row (``retrying``, then ``failed`` with its error and attempts); a
job without Redis runs inline, once; under TESTING Flask-RQ runs it at once."""

from __future__ import annotations

import pytest
from flask import Flask

from lms import create_app
from lms.extensions import db
from lms.jobs import runner
from lms.jobs.models import BackgroundJob, JobKind, JobState
from lms.jobs.operations import create_job
from lms.jobs.queue import dispatch, queued
from tests.jobs.conftest import work

CALLS: list[int] = []


def fails_twice(job: BackgroundJob) -> dict:
    CALLS.append(job.attempts)
    if job.attempts <= 2:
        raise RuntimeError(f"the mail server refused (attempt {job.attempts})")
    return {"sent": 3}


def always_fails(job: BackgroundJob) -> dict:
    CALLS.append(job.attempts)
    raise RuntimeError("the mail server is gone")


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()


def start(app: Flask) -> int:
    with app.app_context():
        job = create_job(JobKind.REMINDERS)
        db.session.commit()
        dispatch(job)
        return job.id


def row(job_id: int) -> BackgroundJob:
    db.session.expire_all()
    return db.session.get(BackgroundJob, job_id)


def test_a_failing_job_is_retried_and_then_succeeds(queue_app, monkeypatch):
    monkeypatch.setitem(runner.HANDLERS, JobKind.REMINDERS, "tests.jobs.test_runner:fails_twice")
    job_id = start(queue_app)
    assert row(job_id).state == JobState.QUEUED
    work(queue_app)
    job = row(job_id)
    assert CALLS == [1, 2, 3]
    assert (job.state, job.attempts, job.result, job.error) == (
        JobState.SUCCEEDED, 3, {"sent": 3}, "")
    assert job.finished_at is not None


def test_a_job_that_keeps_failing_is_reported_failed_with_its_error(queue_app, monkeypatch,
                                                                   client, auth):
    from lms.accounts.models import Locale, Role
    from tests.factories import make_user
    from tests.helpers import text_of

    monkeypatch.setitem(runner.HANDLERS, JobKind.REMINDERS,
                        "tests.jobs.test_runner:always_fails")
    job_id = start(queue_app)
    work(queue_app)
    job = row(job_id)
    assert CALLS == [1, 2, 3]  # the first attempt and both retries (LMS_JOB_RETRY_INTERVALS)
    assert (job.state, job.attempts) == (JobState.FAILED, 3)
    assert job.error == "RuntimeError: the mail server is gone"

    coordinator = make_user(Role.COORDINATOR)
    coordinator.locale = Locale.EN
    db.session.commit()
    auth.login(coordinator)
    listing = text_of(client.get("/coordination/jobs"))
    assert "Reminders – failed RuntimeError: the mail server is gone" in listing
    page = text_of(client.get(f"/coordination/jobs/{job_id}"))
    assert "3 attempts" in page and "Error: RuntimeError: the mail server is gone" in page


def test_between_attempts_the_row_says_it_will_be_tried_again(queue_app, monkeypatch):
    from rq import SimpleWorker

    from lms.jobs.queue import MAIL, rq

    monkeypatch.setitem(runner.HANDLERS, JobKind.REMINDERS,
                        "tests.jobs.test_runner:always_fails")
    job_id = start(queue_app)
    with queue_app.app_context():
        queue = rq.get_queue(MAIL)
        SimpleWorker([queue], connection=queue.connection,
                     job_class=queue.job_class).work(burst=True, max_jobs=1)
    job = row(job_id)
    assert (job.state, job.attempts, job.finished_at) == (JobState.RETRYING, 1, None)
    assert "gone" in job.error


def test_without_redis_a_job_runs_inline_once(app, app_config, monkeypatch):
    monkeypatch.setitem(runner.HANDLERS, JobKind.REMINDERS, "tests.jobs.test_runner:fails_twice")
    embedded = create_app({**app_config, "LMS_REDIS_URL": ""})
    assert not queued(embedded)
    first = start(embedded)
    assert (row(first).state, row(first).attempts) == (JobState.FAILED, 1)
    second = start(embedded)  # (fails_twice counts the row's attempts: this one's first)
    assert row(second).state == JobState.FAILED
    with embedded.app_context():
        db.engine.dispose()


def test_under_testing_flask_rq_runs_the_job_at_once(app, monkeypatch):
    from tests.conftest import require_redis

    require_redis()
    monkeypatch.setitem(runner.HANDLERS, JobKind.REMINDERS,
                        "tests.jobs.test_runner:always_fails")
    assert queued(app) and app.testing
    job_id = start(app)  # the failure stays the job's: nothing is raised here
    assert (row(job_id).state, row(job_id).attempts) == (JobState.FAILED, 1)


def test_lms_worker_without_redis_says_there_is_nothing_to_do(app, app_config):
    embedded = create_app({**app_config, "LMS_REDIS_URL": ""})
    with embedded.app_context():  # (the command would run in the test app's otherwise)
        result = embedded.test_cli_runner().invoke(args=["worker", "--burst"])
        db.engine.dispose()
    assert result.exit_code == 1
    assert "LMS_REDIS_URL is not set" in result.output


SEEN: list[dict] = []


def remembers_its_log_context(job: BackgroundJob) -> dict:
    from lms.logs import context_fields

    SEEN.append(context_fields())
    return {}


def test_every_line_a_job_logs_carries_its_id(queue_app, monkeypatch):
    monkeypatch.setitem(runner.HANDLERS, JobKind.REMINDERS,
                        "tests.jobs.test_runner:remembers_its_log_context")
    SEEN.clear()
    job_id = start(queue_app)
    work(queue_app)
    assert [fields["job_id"] for fields in SEEN] == [str(job_id)]
    from lms.logs import context_fields

    assert "job_id" not in context_fields()  # only while the job runs
