"""A job as people see it: what it does, who started it, how far it got, and how it
ended. RQ keeps its own records in Redis; this row is the one the pages read, so that a
job's progress and outcome survive Redis and are shown from the database like
everything else."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import enum_type, utcnow
from lms.extensions import Model
from lms.labels import LabelledEnum

if TYPE_CHECKING:
    from lms.accounts.models import User
    from lms.cohorts.models import Cohort


class JobKind(LabelledEnum):
    CERTIFICATE_BATCH = "certificate_batch", _l("issuing certificates")
    COHORT_EXPORT = "cohort_export", _l("export of a cohort")
    CHANGE_NOTICE = "change_notice", _l("change notices")
    REMINDERS = "reminders", _l("reminders")


class JobState(LabelledEnum):
    QUEUED = "queued", _l("waiting")
    RUNNING = "running", _l("running")
    # Failed, and tried again after a pause (RQ's Retry); the error says what happened.
    RETRYING = "retrying", _l("will be tried again")
    SUCCEEDED = "succeeded", _l("done")
    FAILED = "failed", _l("failed")

    @property
    def finished(self) -> bool:
        return self in (JobState.SUCCEEDED, JobState.FAILED)


class BackgroundJob(Model):
    __tablename__ = "background_job"
    __table_args__ = (
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.CheckConstraint("done >= 0 AND failed >= 0", name="progress_not_negative"),
        sa.CheckConstraint("total IS NULL OR total >= 0", name="total_not_negative"),
        # A finished job says when; an unfinished one has not finished.
        sa.CheckConstraint(
            "(state IN ('succeeded', 'failed')) = (finished_at IS NOT NULL)",
            name="finished_when_done"),
        sa.Index("ix_background_job_cohort_state", "cohort_id", "kind", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[JobKind] = mapped_column(enum_type(JobKind, "kind"))
    state: Mapped[JobState] = mapped_column(enum_type(JobState, "state"),
                                            default=JobState.QUEUED)
    started_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cohort.id", ondelete="SET NULL"))
    # What the job was asked to do (ids and choices, never objects): JSON.
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # What it produced, for the page that shows it: JSON.
    result: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # The last error, as the coordinator reads it (the traceback goes to the log).
    error: Mapped[str] = mapped_column(sa.String(1000), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    # Progress: items done and failed out of total (None while the total is not known).
    done: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    started_by: Mapped[User | None] = relationship()
    cohort: Mapped[Cohort | None] = relationship()

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.state.finished else 0
        return min(100, round(100 * (self.done + self.failed) / self.total))
