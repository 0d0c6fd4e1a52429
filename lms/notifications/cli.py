"""``lms notify``: send the reminders that are due. Safe to run from cron at any interval."""

from __future__ import annotations

from datetime import datetime

import click

from lms.db import utcnow
from lms.extensions import db
from lms.mail import MailError, send_to_user
from lms.notifications.reminders import already_sent, claim, due_reminders


@click.command("notify")
@click.option("--dry-run", is_flag=True, help="List what would be sent; send nothing.")
def notify_command(dry_run: bool) -> None:
    """Send due reminders (deadlines, published grades, attendance warnings, evaluations)
    and digests of newly released materials, each once."""
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
    digests, digest_failures = _send_material_digests(now, dry_run)
    failed += digest_failures
    if not dry_run:
        click.echo(f"{sent} reminders sent, {failed} failed.")
        if digests:
            click.echo(f"{digests} material digests sent.")
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
