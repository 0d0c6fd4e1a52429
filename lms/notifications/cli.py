"""``lms notify``: send the reminders that are due. Safe to run at any interval, from cron
or from the queue's scheduler (``lms scheduler``): each reminder is sent once."""

from __future__ import annotations

import click

from lms.db import utcnow
from lms.extensions import db
from lms.notifications.reminders import already_sent, due_reminders


@click.command("notify")
@click.option("--dry-run", is_flag=True, help="List what would be sent; send nothing.")
def notify_command(dry_run: bool) -> None:
    """Send due reminders (deadlines, published grades, attendance warnings), each once.

    The sending is a job: with LMS_REDIS_URL a worker sends them (this command only
    queues the job), without it they are sent here and now."""
    from lms.jobs.models import BackgroundJob, JobKind, JobState
    from lms.jobs.operations import create_job
    from lms.jobs.queue import dispatch

    if dry_run:
        for reminder in list(due_reminders(utcnow())):
            if not already_sent(reminder):
                click.echo(f"would send {reminder.kind} to {reminder.user.email}")
        return
    job = create_job(JobKind.REMINDERS)
    db.session.commit()
    dispatch(job)
    job_id = job.id
    db.session.rollback()  # a fresh look at the row
    job = db.session.get(BackgroundJob, job_id)
    if not job.state.finished:
        click.echo(f"Queued as job {job.id}; a worker sends the reminders.")
        return
    click.echo(f"{job.done} reminders sent, {job.failed} failed.")
    if job.state == JobState.FAILED:
        click.echo(f"failed: {job.error}", err=True)
        raise SystemExit(1)
