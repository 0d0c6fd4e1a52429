"""Jobs on the real Redis (``LMS_TEST_REDIS_URL``) run by real RQ workers: RQ's
SimpleWorker in this process for most tests, and ``lms worker --burst`` as a process of
its own for the slow ones."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from rq import SimpleWorker

from lms import create_app
from lms.extensions import db
from lms.jobs.queue import QUEUES, rq
from tests.conftest import TEST_REDIS_URL, require_redis

ROOT = Path(__file__).resolve().parents[2]


def empty_rq(url: str = TEST_REDIS_URL) -> None:
    """Every key RQ keeps in the test database (the feed generation beside them stays)."""
    connection = redis.Redis.from_url(url)
    keys = list(connection.scan_iter("rq:*"))
    if keys:
        connection.delete(*keys)


@pytest.fixture
def queue_app(app: Flask, app_config: dict) -> Iterator[Flask]:
    """The test app's twin whose jobs go to Redis for a worker to run (the test app runs
    them at once, as Flask-RQ does under TESTING). Same database, instance and storage."""
    require_redis()
    empty_rq()
    twin = create_app({**app_config, "LMS_REDIS_URL": TEST_REDIS_URL, "RQ_ASYNC": True,
                       # retries without pauses, so that a burst worker runs them all
                       "LMS_JOB_RETRY_INTERVALS": "0,0"})
    yield twin
    with twin.app_context():
        db.engine.dispose()
    empty_rq()


def work(app: Flask) -> int:
    """Run everything queued with RQ's SimpleWorker in this process until the queues are
    empty (retries included); returns how many jobs it ran."""
    with app.app_context():
        queues = [rq.get_queue(name) for name in QUEUES]
        worker = SimpleWorker(queues, connection=queues[0].connection,
                              job_class=queues[0].job_class)
        worker.work(burst=True)
        return worker.successful_job_count + worker.failed_job_count


def worker_environment(app_config: dict, **extra: str) -> dict[str, str]:
    """The environment of an ``lms`` process that shares the test database, instance
    folder, storage and Redis."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    environment.update({k: str(v) for k, v in app_config.items() if k.startswith("LMS_")})
    environment.update({"LMS_REDIS_URL": TEST_REDIS_URL, "LMS_JOB_RETRY_INTERVALS": "0,0"})
    environment.update(extra)
    return environment


def run_worker_process(app_config: dict, *args: str, timeout: int = 300,
                       **extra: str) -> subprocess.CompletedProcess:
    """``lms worker --burst`` as a process of its own (forking a work horse per job, as
    in production)."""
    return subprocess.run(
        [str(Path(sys.executable).with_name("lms")), "worker", "--burst", *args],
        env=worker_environment(app_config, **extra), cwd=ROOT, capture_output=True,
        text=True, timeout=timeout, check=False)
