"""``lms webhooks send``: hand every due webhook delivery to the queue (or send it here
without Redis). ``lms notify`` does the same after looking for participants at risk; run
this one more often from cron where there is no Redis (the retries' pauses start at a
minute)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.extensions import db

webhooks_cli = AppGroup("webhooks", help="Webhook deliveries to other systems.")


@webhooks_cli.command("send")
def send_command() -> None:
    """Send the deliveries that are due (new ones whose hand-over failed, and retries)."""
    from lms.integrations.delivery import send_due

    count = send_due()
    db.session.commit()
    click.echo(f"{count} webhook {deliveries(count)} due.")


@webhooks_cli.command("at-risk")
def at_risk_command() -> None:
    """Look for participants who have become at risk and tell the subscriptions (part of
    `lms notify`)."""
    from lms.integrations.events import find_participants_at_risk

    count = find_participants_at_risk()
    db.session.commit()
    click.echo(f"{count} webhook {deliveries(count)} for participants at risk.")


def deliveries(count: int) -> str:
    return "delivery" if count == 1 else "deliveries"
