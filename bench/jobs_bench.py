"""Jobs: a batch of certificates rendered by 1, 2 and 4 workers, and the request that
starts a batch against a bare page.

Not part of the test run; it reports ratios measured in one run and never fails on time.

    .venv/bin/python bench/jobs_bench.py [--count 200] [--workers 1,2,4] [--fork]

1. Throughput: three finished cohorts of ``--count`` participants each. For each number
   of workers, that many ``lms worker`` processes are started and left to load (they warm
   the certificate design before they register), then one cohort's batch is started and
   timed until its job row says finished: the reservation of every serial, then one
   render job per certificate spread over the workers. Speed-ups are ratios of those
   times; every batch is checked afterwards (all valid, serials gap-free).
2. The request that starts a batch (``POST …/certificates/issue-all``: login session,
   CSRF, the job's row, the commit, the enqueue to Redis) against the bare endpoint
   (``GET /_bench/bare``), both one after the other on one kept-alive connection to
   gunicorn (2 sync workers), ``--requests`` times each; p50 and p95. No worker runs
   meanwhile: each started job is set aside (failed) so that the next may start, and the
   queue is emptied afterwards.

PostgreSQL from ``LMS_BENCH_DATABASE_URL`` (its schema is dropped first; default
``postgresql://postgres@127.0.0.1:5432/bench``), Redis database 12 on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

REDIS_URL = "redis://127.0.0.1:6379/12"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bench"
LMS = str(Path(sys.executable).with_name("lms"))


def environment(folder: str, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update({"LMS_INSTANCE_PATH": folder, "LMS_DATABASE_URL": url,
                "LMS_STORAGE_DIR": str(Path(folder) / "storage"),
                "LMS_BASE_URL": "http://127.0.0.1", "LMS_SECRET_KEY": "bench",
                "LMS_REDIS_URL": REDIS_URL, "LMS_RATELIMIT_STORAGE_URL": "memory://",
                "LMS_JOB_RETRY_INTERVALS": ""})
    return env


def seed(count: int, cohorts: int) -> tuple[list[int], str]:
    """``cohorts`` finished cohorts of ``count`` eligible participants; a coordinator."""
    from run import PASSWORD

    from lms.accounts.models import Role
    from lms.extensions import db
    from tests.factories import load_test_course, make_finished_cohort, make_user

    course = load_test_course(ROOT / "course_content" / "social-media-manager")
    ids = [make_finished_cohort(course, participants=count)[0].id for _ in range(cohorts)]
    coordinator = make_user(Role.COORDINATOR, email="bench.coordinator@example.org",
                            password=PASSWORD)
    db.session.commit()
    return ids, coordinator.email


def empty_queues() -> None:
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    keys = list(connection.scan_iter("rq:*"))
    if keys:
        connection.delete(*keys)


def registered_workers() -> int:
    import redis
    from rq import Worker

    return len(Worker.all(connection=redis.Redis.from_url(REDIS_URL)))


# --------------------------------------------------------------------------- 1: throughput


def start_batch(cohort_id: int) -> int:
    from lms.cohorts.models import Cohort
    from lms.extensions import db
    from lms.jobs.models import JobKind
    from lms.jobs.operations import create_job
    from lms.jobs.queue import dispatch

    job = create_job(JobKind.CERTIFICATE_BATCH, cohort=db.session.get(Cohort, cohort_id))
    db.session.commit()
    dispatch(job)
    return job.id


def wait_for(job_id: int, limit: float) -> tuple[float, object]:
    from lms.extensions import db
    from lms.jobs.models import BackgroundJob

    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        db.session.rollback()
        job = db.session.get(BackgroundJob, job_id)
        if job.state.finished:
            return time.perf_counter() - started, job
        time.sleep(0.1)
    raise RuntimeError(f"job {job_id} did not finish within {limit:.0f} s")


def check_batch(cohort_id: int, count: int) -> str:
    import sqlalchemy as sa

    from lms.certificates.models import Certificate, CertificateStatus
    from lms.cohorts.models import Enrollment
    from lms.extensions import db

    rows = db.session.execute(
        sa.select(Certificate.serial, Certificate.status).join(Certificate.enrollment)
        .where(Enrollment.cohort_id == cohort_id)).all()
    valid = sum(1 for _serial, status in rows if status == CertificateStatus.VALID)
    return f"{valid}/{count} valid"


def throughput(folder: str, url: str, cohort_ids: list[int], counts: list[int],
               count: int, fork: bool) -> dict[int, float]:
    times: dict[int, float] = {}
    for workers, cohort_id in zip(counts, cohort_ids, strict=False):
        empty_queues()
        command = [LMS, "worker", *(["--fork"] if fork else [])]
        logs = [open(Path(folder) / f"worker-{workers}-{i}.log", "w")  # noqa: SIM115
                for i in range(workers)]
        processes = [subprocess.Popen([*command, "--name", f"bench-{workers}-{i}"],
                                      env=environment(folder, url), stdout=log,
                                      stderr=subprocess.STDOUT) for i, log in enumerate(logs)]
        try:
            deadline = time.perf_counter() + 120
            while registered_workers() < workers:
                if time.perf_counter() > deadline:
                    raise RuntimeError("the workers did not start")
                time.sleep(0.2)
            job_id = start_batch(cohort_id)
            seconds, job = wait_for(job_id, limit=60 * count)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
            for log in logs:
                log.close()
            if os.environ.get("LMS_BENCH_WORKER_LOGS"):
                for log in logs:
                    print(Path(log.name).read_text(), file=sys.stderr)
        times[workers] = seconds
        print(f"{workers} worker(s): {count} certificates in {seconds:.1f} s "
              f"({count / seconds:.2f}/s, {1000 * seconds / count:.0f} ms each); "
              f"job {job.state.value}, {check_batch(cohort_id, count)}", flush=True)
    return times


# --------------------------------------------------------------------------- 2: the request


def latencies(folder: str, url: str, cohort_id: int, email: str,
              requests: int) -> tuple[list[float], list[float]]:
    import sqlalchemy as sa
    from run import USER_AGENT, csrf_token, free_port, http_login, start_gunicorn

    from lms.db import utcnow
    from lms.extensions import db
    from lms.jobs.models import BackgroundJob, JobState

    port = free_port()
    os.environ.update(environment(folder, url))
    server = start_gunicorn(Path(folder), port)
    try:
        cookie = http_login(f"http://127.0.0.1:{port}", email)
        headers = {"Cookie": cookie, "User-Agent": USER_AGENT}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        def timed(method: str, path: str, body: str | None = None,
                  extra: dict[str, str] | None = None) -> tuple[float, int, bytes]:
            begin = time.perf_counter()
            connection.request(method, path, body=body, headers={**headers, **(extra or {})})
            answer = connection.getresponse()
            data = answer.read()
            elapsed = (time.perf_counter() - begin) * 1000
            for value in answer.headers.get_all("Set-Cookie") or ():  # (the CSRF secret)
                jar = SimpleCookie(headers["Cookie"])
                jar.load(value)
                headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in jar.items())
            return elapsed, answer.status, data

        _ms, status, page = timed("GET", f"/coordination/cohorts/{cohort_id}/certificates")
        assert status == 200, status
        token = csrf_token(page.decode())
        form = f"csrf_token={token}"
        form_headers = {"Content-Type": "application/x-www-form-urlencoded"}
        bare, start = [], []
        for _ in range(5):  # warm both
            timed("GET", "/_bench/bare")
        for _ in range(requests):
            ms, status, _data = timed("GET", "/_bench/bare")
            assert status == 200
            bare.append(ms)
            ms, status, _data = timed("POST",
                                      f"/coordination/cohorts/{cohort_id}/certificates/issue-all",
                                      body=form, extra=form_headers)
            assert status == 302, status
            start.append(ms)
            # Set the job aside (no worker runs): the next request may start one again.
            db.session.execute(sa.update(BackgroundJob)
                               .where(BackgroundJob.state != JobState.FAILED)
                               .values(state=JobState.FAILED, finished_at=utcnow()))
            db.session.commit()
        connection.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        empty_queues()
    return bare, start


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200, help="certificates per batch")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--fork", action="store_true", help="lms worker --fork")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    url = os.environ.get("LMS_BENCH_DATABASE_URL") or DEFAULT_URL

    from tests.conftest import reset_database

    reset_database(url)
    with tempfile.TemporaryDirectory(prefix="lms-jobs-bench-") as folder:
        os.environ.update(environment(folder, url))
        from flask_migrate import upgrade

        from lms import create_app
        from lms.extensions import db

        app = create_app()
        with app.app_context():
            upgrade()
            print(f"seeding {len(counts) + 1} cohorts of {args.count}", file=sys.stderr,
                  flush=True)
            cohort_ids, email = seed(args.count, len(counts) + 1)
            empty_queues()
            times = throughput(folder, url, cohort_ids, counts, args.count, args.fork)
            bare, start = [], []
            if args.requests:
                try:
                    bare, start = latencies(folder, url, cohort_ids[-1], email, args.requests)
                except RuntimeError as exc:  # gunicorn did not start: say so, keep the rest
                    print(f"the request benchmark did not run: {exc}", flush=True)
            db.engine.dispose()

    print()
    one = times.get(1)
    for workers, seconds in times.items():
        if one and workers != 1:
            print(f"speed-up with {workers} workers: {one / seconds:.2f}×")
    print("Goal: ≥ 1.8× with 2 workers: "
          + ("met" if one and 2 in times and one / times[2] >= 1.8 else "NOT met"))
    if not bare:
        return
    bare50, bare95 = statistics.median(bare), percentile(bare, 0.95)
    start50, start95 = statistics.median(start), percentile(start, 0.95)
    print(f"bare page: p50 {bare50:.2f} ms, p95 {bare95:.2f} ms ({len(bare)} requests)")
    print(f"starting a batch: p50 {start50:.2f} ms, p95 {start95:.2f} ms "
          f"(p50 / bare p95 {start50 / bare95:.2f}, p95 / bare p95 {start95 / bare95:.2f})")
    print("Goal: the start request under the bare page's p95: "
          + ("met (p50)" if start50 < bare95 else "NOT met")
          + (", p95 too" if start95 < bare95 else ""))


if __name__ == "__main__":
    main()
