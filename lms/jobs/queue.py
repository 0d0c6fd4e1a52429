"""The queue: RQ on Redis through Flask-RQ, or nothing at all.

With ``LMS_REDIS_URL`` a job is put on an RQ queue and a worker (``lms worker``) runs it
in the application context (Flask-RQ's job class pushes it), retrying a failure after the
pauses of ``LMS_JOB_RETRY_INTERVALS``. Without Redis (the embedded demo) the job runs
inline, at once, in the process that dispatched it, in an application context of its own
(as a worker would), once. Under ``TESTING`` Flask-RQ runs enqueued jobs synchronously
too, with Redis doing RQ's bookkeeping.

Three queues, in the order a worker takes them: ``mail`` (messages people wait for),
``default`` (a batch's planning, exports), ``bulk`` (one job per certificate to render),
so that a password reset never waits behind two hundred certificates.
"""

from __future__ import annotations

import contextvars
import logging
from datetime import datetime
from pkgutil import resolve_name
from typing import Any

from flask import Flask, current_app
from flask_rq import RQ
from rq import Retry, get_current_job
from rq.job import Job
from rq.queue import Queue

from lms.jobs.models import BackgroundJob, JobKind

log = logging.getLogger(__name__)

rq = RQ()

MAIL, DEFAULT, BULK = "mail", "default", "bulk"
QUEUES = (MAIL, DEFAULT, BULK)
QUEUE_OF = {
    JobKind.CERTIFICATE_BATCH: DEFAULT,
    JobKind.COHORT_EXPORT: DEFAULT,
    JobKind.CHANGE_NOTICE: MAIL,
    JobKind.REMINDERS: MAIL,
}
RUN_JOB = "lms.jobs.runner.run_job"
# How long RQ keeps its own record of a job; the row in background_job stays.
RESULT_TTL = 24 * 3600
FAILURE_TTL = 7 * 24 * 3600

# Inline: the one attempt is the last one.
_inline = contextvars.ContextVar("lms_job_inline", default=False)


def init_app(app: Flask) -> None:
    """Queues on ``LMS_REDIS_URL``; none without it (jobs then run inline)."""
    url = app.config["LMS_REDIS_URL"]
    if not url:
        return
    app.config.setdefault("RQ_CONNECTION", url)
    app.config.setdefault("RQ_QUEUES", list(QUEUES))
    rq.init_app(app)


def queued(app: Flask | None = None) -> bool:
    """Whether jobs go to Redis (else they run inline)."""
    return "rq" in (app or current_app).extensions


def get_queue(name: str = DEFAULT) -> Queue:
    return rq.get_queue(name)


def dispatch(job: BackgroundJob) -> None:
    """Run ``job`` (a committed row): on its queue, or inline now."""
    enqueue(QUEUE_OF[job.kind], RUN_JOB, job.id, rq_id=f"lms-job-{job.id}",
            timeout=current_app.config["LMS_JOB_TIMEOUT"])


def enqueue(queue: str, func: str, *args: Any, rq_id: str | None = None,
            timeout: int | None = None, retry: bool = True, result_ttl: int = RESULT_TTL,
            failure_ttl: int = FAILURE_TTL) -> Job | None:
    """``func`` (a dotted name) with ``args`` (ids, never objects) on ``queue``, retried
    with the configured pauses (unless ``retry`` is False: the job schedules its own
    retries); inline when there is no Redis (then None). RQ keeps the job (and its args)
    for ``result_ttl`` seconds after success (0: not at all) and ``failure_ttl`` after its
    last failure."""
    if not queued():
        run_inline(func, *args)
        return None
    intervals = current_app.config["LMS_JOB_RETRY_INTERVALS"] if retry else ()
    job: Job = get_queue(queue).enqueue(
        func, *args, job_id=rq_id,
        retry=Retry(max=len(intervals), interval=list(intervals)) if intervals else None,
        job_timeout=timeout or current_app.config["LMS_JOB_TIMEOUT"],
        result_ttl=result_ttl, failure_ttl=failure_ttl)
    return job


def enqueue_at(when: datetime, queue: str, func: str, *args: Any) -> bool:
    """``func`` with ``args`` on ``queue`` at ``when`` (a worker's scheduler moves it onto
    the queue then). False when nothing was scheduled: without Redis, or where RQ runs
    jobs at once (tests); the caller's periodic command then picks it up when due."""
    if not queued():
        return False
    target = get_queue(queue)
    if not target.is_async:
        return False
    target.enqueue_at(when, func, *args, job_timeout=current_app.config["LMS_JOB_TIMEOUT"],
                      result_ttl=RESULT_TTL, failure_ttl=FAILURE_TTL)
    return True


def run_inline(func: str, *args: Any) -> bool:
    """Run now, in an application context (and database session) of its own, as a
    worker would; a failure is the job's to record and report, not the caller's.
    Whether it ended without an error."""
    target = resolve_name(func)
    token = _inline.set(True)
    try:
        with current_app.app_context():
            target(*args)
    except Exception:
        log.exception("inline job %s failed", func)
        return False
    finally:
        _inline.reset(token)
    return True


def final_attempt() -> bool:
    """Whether a failure now is the job's last: inline and synchronous runs have one
    attempt; a worker's job has none left when RQ's retries are used up."""
    if _inline.get():
        return True
    job = get_current_job()
    if job is None or job.worker_name == "sync":
        return True
    return not job.should_retry


def attempt_number() -> int:
    """1 for the first attempt, 2 for the first retry…"""
    job = get_current_job()
    if job is None or job.retries_left is None:
        return 1
    return len(job.retry_intervals or ()) - job.retries_left + 1


def redis_reachable() -> tuple[bool | None, str]:
    """Whether the Redis of ``LMS_REDIS_URL`` answers (None: none is configured), and a
    short reason when not (for /readyz: the queue, the login throttle and the feed
    generation need it)."""
    import redis

    url = current_app.config["LMS_REDIS_URL"]
    if not url:
        return None, ""
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        return False, f"{type(exc).__name__}: {exc}"
    finally:
        client.close()
    return True, ""
