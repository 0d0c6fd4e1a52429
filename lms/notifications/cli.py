"""``lms notify``: send the reminders that are due. Safe to run at any interval, from cron
or from the queue's scheduler (``lms scheduler``): each reminder is sent once."""

from __future__ import annotations

from datetime import datetime

import click

from lms.db import utcnow
from lms.extensions import db
from lms.mail import MailError, send_to_user
from lms.notifications.reminders import already_sent, due_reminders


@click.command("notify")
@click.option("--dry-run", is_flag=True, help="List what would be sent; send nothing.")
def notify_command(dry_run: bool) -> None:
    """Send due reminders (deadlines, published grades, attendance warnings, evaluations)
    and digests of newly released materials, each once; tell webhook subscriptions of
    participants who have become at risk.

    The reminders are a job: with LMS_REDIS_URL a worker sends them (this command only
    queues the job), without it they are sent here and now."""
    from lms.jobs.models import BackgroundJob, JobKind, JobState
    from lms.jobs.operations import create_job
    from lms.jobs.queue import dispatch

    now = utcnow()
    if dry_run:
        for reminder in list(due_reminders(now)):
            if not already_sent(reminder):
                click.echo(f"would send {reminder.kind} to {reminder.user.email}")
        _send_material_digests(now, dry_run=True)
        return
    job = create_job(JobKind.REMINDERS)
    db.session.commit()
    dispatch(job)
    job_id = job.id
    db.session.rollback()  # a fresh look at the row
    job = db.session.get_one(BackgroundJob, job_id)
    digests, failed = _send_material_digests(now, dry_run=False)
    _tell_webhooks(now)
    if digests:
        click.echo(f"{digests} material digests sent.")
    if not job.state.finished:
        click.echo(f"Queued as job {job.id}; a worker sends the reminders.")
    else:
        click.echo(f"{job.done} reminders sent, {job.failed + failed} failed.")
        if job.state == JobState.FAILED:
            click.echo(f"failed: {job.error}", err=True)
            failed += 1
    if failed:
        raise SystemExit(1)


def _send_material_digests(now: datetime, dry_run: bool) -> tuple[int, int]:
    """One mail per participant with the materials newly released to their cohort."""
    from lms.materials.digest import TEMPLATE, claim, due_digests, mail_context

    sent = failed = 0
    for digest in list(due_digests(now)):
        if dry_run:
            click.echo(f"would send a digest of {len(digest.materials)} materials to "
                       f"{digest.user.email}")
            continue
        claimed = claim(digest, now)
        if claimed is None:
            db.session.rollback()
            continue
        try:
            send_to_user(claimed.user, TEMPLATE, **mail_context(claimed))
        except MailError as exc:
            db.session.rollback()  # not claimed: the next run tries again
            failed += 1
            click.echo(f"failed: material digest to {claimed.user.email}: {exc}", err=True)
            continue
        db.session.commit()
        sent += 1
    return sent, failed


def _tell_webhooks(now: datetime) -> None:
    """Participants who have become at risk, to the webhook subscriptions; then every
    due delivery (retries where the queue cannot wait) to the queue."""
    from lms.integrations.delivery import send_due
    from lms.integrations.events import find_participants_at_risk

    at_risk = find_participants_at_risk(now)
    db.session.commit()
    due = send_due(now)
    db.session.commit()
    if at_risk or due:
        click.echo(f"{due} webhook deliveries sent or queued.")
