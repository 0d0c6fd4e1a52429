"""A job's row through its life: created by the request that asks for the work, started,
advanced and finished by the job itself. Operations flush, never commit (the runner
commits each step, so that the page watching a job sees it move)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from lms.accounts.models import User
from lms.cohorts.models import Cohort
from lms.db import max_length, utcnow
from lms.extensions import db
from lms.jobs.models import BackgroundJob, JobKind, JobState

ERROR_MAX = max_length(BackgroundJob.error)


def create_job(kind: JobKind, *, by: User | None = None, cohort: Cohort | None = None,
               params: dict[str, Any] | None = None, total: int | None = None
               ) -> BackgroundJob:
    """A queued job. Hand it to :func:`lms.jobs.queue.dispatch` after the commit: a
    worker must find the row it is given."""
    job = BackgroundJob(kind=kind, state=JobState.QUEUED, started_by=by, cohort=cohort,
                        params=dict(params or {}), result={}, total=total)
    db.session.add(job)
    db.session.flush()
    return job


def start_attempt(job: BackgroundJob) -> None:
    now = utcnow()
    job.state = JobState.RUNNING
    job.attempts += 1
    job.started_at = job.started_at or now
    job.updated_at = now
    db.session.flush()


def set_total(job: BackgroundJob, total: int) -> None:
    job.total = total
    job.updated_at = utcnow()
    db.session.flush()


def advance(job: BackgroundJob, done: int = 1) -> None:
    """Count ``done`` more items of a job that its own process runs (one writer)."""
    job.done += done
    job.updated_at = utcnow()
    db.session.flush()


def finish_job(job: BackgroundJob, result: dict[str, Any] | None = None, *,
               failed: bool = False, error: str = "") -> None:
    job.state = JobState.FAILED if failed else JobState.SUCCEEDED
    if result is not None:
        job.result = {**(job.result or {}), **result}
    if error or not failed:
        job.error = clip(error)
    job.finished_at = job.updated_at = utcnow()
    db.session.flush()


def record_failure(job: BackgroundJob, error: str, *, final: bool) -> None:
    """An attempt failed: the job is failed for good when no retry is left, else it waits
    for its retry. Either way the coordinator reads why."""
    job.error = clip(error)
    if final:
        job.state = JobState.FAILED
        job.finished_at = utcnow()
    else:
        job.state = JobState.RETRYING
    job.updated_at = utcnow()
    db.session.flush()


def lock_job(job_id: int) -> BackgroundJob | None:
    """The job's row, locked until the transaction ends (an UPDATE: a row lock on
    PostgreSQL, the write lock on SQLite), and read afresh: for the items that several
    workers finish at once (a batch's certificates)."""
    db.session.execute(
        sa.update(BackgroundJob).where(BackgroundJob.id == job_id)
        .values(updated_at=utcnow()).execution_options(synchronize_session=False))
    return db.session.get(BackgroundJob, job_id, populate_existing=True)


def count_item(job: BackgroundJob, *, ok: bool, error: str = "") -> None:
    """One item of a locked fanned-out job ended (``ok``) or failed for good; the job is
    finished when every item has. Failed items make the job failed, with the last error."""
    if ok:
        job.done = min(job.done + 1, job.total or 0)
    else:
        job.failed += 1
        job.error = clip(error)
    total = job.total or 0
    job.failed = min(job.failed, max(total - job.done, 0))  # (an item retried elsewhere)
    if job.done + job.failed >= total and not job.state.finished:
        job.state = JobState.FAILED if job.failed else JobState.SUCCEEDED
        job.finished_at = utcnow()
    job.updated_at = utcnow()
    db.session.flush()


def clip(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= ERROR_MAX else text[:ERROR_MAX - 1] + "…"
