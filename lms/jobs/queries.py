"""Reads of jobs for the pages that show them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lms.cohorts.models import Cohort
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
    """The cohort's job of ``kind`` that has not finished yet, if there is one."""
    return db.session.scalar(
        sa.select(BackgroundJob)
        .where(BackgroundJob.cohort_id == cohort.id, BackgroundJob.kind == kind,
               BackgroundJob.state.in_(UNFINISHED))
        .order_by(BackgroundJob.id.desc()).limit(1))


def count_failed_jobs() -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(
        BackgroundJob.state == JobState.FAILED)) or 0
