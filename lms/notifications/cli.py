"""``lms notify``: send the reminders that are due. Safe to run from cron at any interval."""

from __future__ import annotations

import click

from lms.db import utcnow
from lms.extensions import db
from lms.mail import MailError, send_to_user
from lms.notifications.reminders import already_sent, claim, due_reminders


@click.command("notify")
@click.option("--dry-run", is_flag=True, help="List what would be sent; send nothing.")
def notify_command(dry_run: bool) -> None:
    """Send due reminders (deadlines, published grades, attendance warnings), each once."""
    now = utcnow()
    sent = failed = 0
    for reminder in list(due_reminders(now)):
        if dry_run:
            if not already_sent(reminder):
                click.echo(f"would send {reminder.kind} to {reminder.user.email}")
            continue
        if not claim(reminder, now):
            db.session.rollback()
            continue
        try:
            send_to_user(reminder.user, reminder.template, **reminder.context)
        except MailError as exc:
            db.session.rollback()  # not claimed: the next run tries again
            failed += 1
            click.echo(f"failed: {reminder.kind} to {reminder.user.email}: {exc}", err=True)
            continue
        db.session.commit()
        sent += 1
    if not dry_run:
        click.echo(f"{sent} reminders sent, {failed} failed.")
    if failed:
        raise SystemExit(1)
