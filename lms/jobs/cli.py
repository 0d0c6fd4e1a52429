"""``lms worker``: run the jobs (Flask-RQ's worker, in the application context)."""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import with_appcontext
from rq import SimpleWorker, Worker

from lms.extensions import db
from lms.jobs.queue import QUEUES, queued, rq


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty (tests, cron).")
@click.option("--queue", "queues", multiple=True, type=click.Choice(QUEUES),
              help="Only these queues (may be given more than once); default: all, "
                   "mail before default before bulk.")
@click.option("--no-scheduler", is_flag=True,
              help="Do not move jobs whose retry pause is over back onto their queue "
                   "(some worker must: by default every worker does).")
@click.option("--max-jobs", type=click.IntRange(min=1), default=None,
              help="Stop after this many jobs.")
@click.option("--name", default=None, help="The worker's name (default: host and pid).")
@click.option("--fork", is_flag=True,
              help="Run each job in a fork of the worker (RQ's Worker) instead of in the "
                   "worker itself (RQ's SimpleWorker, the default).")
@with_appcontext
def worker_command(burst: bool, queues: tuple[str, ...], no_scheduler: bool,
                   max_jobs: int | None, name: str | None, fork: bool) -> None:
    """Run jobs from Redis (LMS_REDIS_URL): certificates, exports, mail. Run one or more
    per host, e.g. under systemd (see the README's Deployment guide)."""
    if not queued(current_app):
        raise click.ClickException(
            "LMS_REDIS_URL is not set: without Redis every job runs inline, in the "
            "process that starts it, and there is nothing for a worker to do.")
    preload()
    # A forked job must not inherit this process's open connections.
    db.engine.dispose()
    chosen = [rq.get_queue(q) for q in (queues or QUEUES)]
    # Flask-RQ's job class runs each job in the app context; the worker is RQ's own.
    # In-process by default: the caches a job warms (compiled SQL, the design's fonts,
    # the credential contexts) serve the next one, which halves a certificate's time.
    # (Flask-RQ's worker starts a new Python process per job, loading everything again.)
    # A job that crashes the process takes the worker with it: run it under systemd
    # (Restart=always; RQ then fails or retries the abandoned job), with --max-jobs to
    # start afresh now and then.
    worker_class = Worker if fork else SimpleWorker
    worker = worker_class(chosen, connection=chosen[0].connection,
                          job_class=chosen[0].job_class, name=name)
    worker.work(burst=burst, with_scheduler=not no_scheduler, max_jobs=max_jobs)


def preload() -> None:
    """Load the heavy parts once, before the first job: WeasyPrint with the certificate
    design's fonts (a specimen is rendered), the credential contexts, the mappers. Every
    job then starts warm (and so does every fork, with ``--fork``)."""
    from sqlalchemy.orm import configure_mappers

    import lms.certificates.jobs
    import lms.cohorts.archive
    import lms.credentials.jsonld  # noqa: F401
    from lms.certificates.render import DesignError, RenderError, warm_up

    configure_mappers()
    try:
        warm_up()
    except (DesignError, RenderError) as exc:  # the jobs will say so, with the design
        current_app.logger.warning("the certificate design could not be warmed up: %s", exc)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Put the commands of LMS_SCHEDULE on the queue at their times (RQ's CronScheduler);
    workers run them. Run one per installation (a second one would only run each
    command twice, which they bear: each reminder is sent once)."""
    from rq.cron import CronScheduler

    from lms.jobs.queue import DEFAULT
    from lms.jobs.scheduled import known_command, run_command

    if not queued(current_app):
        raise click.ClickException(
            "LMS_REDIS_URL is not set: without Redis, run the commands from cron "
            "(see the README's Deployment guide).")
    scheduler = CronScheduler(connection=rq.get_queue(DEFAULT).connection,
                              name=f"lms-scheduler-{os.getpid()}")
    for expression, words in current_app.config["LMS_SCHEDULE"]:
        if not known_command(words):
            current_app.logger.warning("LMS_SCHEDULE: there is no command `lms %s` in this "
                                       "version; it is left out", " ".join(words))
            continue
        scheduler.register(run_command, queue_name=DEFAULT, args=words, cron=expression,
                           job_timeout=current_app.config["LMS_JOB_TIMEOUT"],
                           name=" ".join(words))
        click.echo(f"lms {' '.join(words)}: {expression}")
    scheduler.start()  # type: ignore[no-untyped-call]  # (rq's CronScheduler: no types)
