"""Reads of jobs for the pages that show them."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from lms.cohorts.models import Cohort
from lms.db import utcnow
from lms.extensions import db
from lms.jobs.models import BackgroundJob, JobKind, JobState

UNFINISHED = (JobState.QUEUED, JobState.RUNNING, JobState.RETRYING)


def get_job(job_id: int) -> BackgroundJob | None:
    return db.session.get(BackgroundJob, job_id)


def list_recent_jobs(limit: int = 50) -> list[BackgroundJob]:
    """The newest jobs first, failed ones among them as they are."""
    return list(db.session.scalars(
        sa.select(BackgroundJob)
        .options(selectinload(BackgroundJob.started_by), selectinload(BackgroundJob.cohort))
        .order_by(BackgroundJob.created_at.desc(), BackgroundJob.id.desc()).limit(limit)))


def unfinished_job(cohort: Cohort, kind: JobKind) -> BackgroundJob | None:
    """The cohort's job of ``kind`` that has not finished yet and still moves, if there is
    one. A job that has not moved for longer than any attempt and its retries can take
    (it was lost with Redis, or its worker was killed) holds nothing back."""
    config = current_app.config
    lost_after = 2 * (config["LMS_JOB_TIMEOUT"] + sum(config["LMS_JOB_RETRY_INTERVALS"]))
    return db.session.scalar(
        sa.select(BackgroundJob)
        .where(BackgroundJob.cohort_id == cohort.id, BackgroundJob.kind == kind,
               BackgroundJob.state.in_(UNFINISHED),
               BackgroundJob.updated_at > utcnow() - timedelta(seconds=lost_after))
        .order_by(BackgroundJob.id.desc()).limit(1))


def count_failed_jobs() -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(
        BackgroundJob.state == JobState.FAILED)) or 0
