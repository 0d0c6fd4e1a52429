"""What RQ runs: :func:`run_job` takes a job's row through its attempt and hands the work
to the job's kind (``HANDLERS``). A handler receives the row, does its work in as many
short transactions as it needs (committing its progress, so that the page shows it), and
returns the result for the row, or :data:`FANNED_OUT` when it has handed the items to
jobs of their own that finish the row (a batch's certificates).

A failure rolls back what the attempt had not committed, records the error on the row
(``retrying`` while RQ will try again, ``failed`` when not) and is raised again for RQ,
which retries it after the configured pause. Handlers are written so that a retry
continues where the failed attempt stopped: they never do an item twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pkgutil import resolve_name
from typing import Any

from lms.extensions import db
from lms.jobs.models import BackgroundJob, JobKind
from lms.jobs.operations import finish_job, record_failure, start_attempt
from lms.jobs.queue import final_attempt
from lms.logs import log_context

log = logging.getLogger(__name__)

FANNED_OUT = object()

HANDLERS: dict[JobKind, str] = {
    JobKind.CERTIFICATE_BATCH: "lms.certificates.jobs:issue_batch",
    JobKind.COHORT_EXPORT: "lms.cohorts.archive:build_cohort_export",
    JobKind.CHANGE_NOTICE: "lms.ical.notices:send_change_notices",
    JobKind.REMINDERS: "lms.notifications.reminders:send_reminders",
}


def handler_for(kind: JobKind) -> Callable[[BackgroundJob], Any]:
    handler: Callable[[BackgroundJob], Any] = resolve_name(HANDLERS[kind])
    return handler


def run_job(job_id: int) -> dict[str, Any] | None:
    """One attempt at the job ``job_id`` (RQ's entry point; the app context is pushed).
    Every line it logs carries the job's id (``job_id``)."""
    with log_context(job_id=str(job_id)):
        return _attempt(job_id)


def _attempt(job_id: int) -> dict[str, Any] | None:
    job = db.session.get(BackgroundJob, job_id)
    if job is None or job.state.finished:
        return None  # deleted, or finished by an earlier attempt: nothing to do twice
    start_attempt(job)
    db.session.commit()
    log.info("job %s (%s) attempt %s", job.id, job.kind.value, job.attempts)
    try:
        result = handler_for(job.kind)(job)
    except Exception as exc:
        db.session.rollback()
        final = final_attempt()
        log.exception("job %s (%s) failed%s", job_id, job.kind.value,
                      "" if final else "; it will be tried again")
        job = db.session.get(BackgroundJob, job_id)
        if job is not None:
            record_failure(job, describe(exc), final=final)
            db.session.commit()
        raise
    if result is FANNED_OUT:
        db.session.commit()
        return None
    job = db.session.get_one(BackgroundJob, job_id, populate_existing=True)
    finish_job(job, result or {})
    db.session.commit()
    finished: dict[str, Any] | None = result
    return finished


def describe(exc: BaseException) -> str:
    """An error as a coordinator can read it: the message of a refusal, else the kind of
    failure and its message (the traceback is in the log)."""
    from lms.errors import DomainError

    if isinstance(exc, DomainError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
