"""Commands on a timetable: ``lms scheduler`` runs RQ's CronScheduler, which puts
:func:`run_command` on the queue at the times of ``LMS_SCHEDULE``; a worker runs the
command in the application context, as cron would run it on a host. (Cron itself does
the same job: see the README's Deployment guide.)"""

from __future__ import annotations

import click
from croniter import croniter
from flask import current_app
from flask.cli import ScriptInfo

# Reminders every hour, the retention rules applied every night.
DEFAULT_SCHEDULE = "0 * * * * notify; 30 3 * * * privacy purge --apply"


def parse_schedule(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``"<five cron fields> <command…>; …"`` as (cron expression, command words) pairs;
    ValueError with the entry that is not one."""
    entries = []
    for entry in (e.strip() for e in text.split(";")):
        if not entry:
            continue
        words = entry.split()
        expression, command = " ".join(words[:5]), tuple(words[5:])
        if len(words) < 6 or not croniter.is_valid(expression):
            raise ValueError(entry)
        entries.append((expression, command))
    return tuple(entries)


def run_command(*words: str) -> None:
    """Run ``lms <words>`` here (in a worker, in the app context); its log lines say which
    command (``scheduled``)."""
    from lms.logs import log_context

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with log_context(scheduled=" ".join(words)):
        app.cli.main(args=list(words), prog_name="lms", standalone_mode=False,
                     obj=ScriptInfo(create_app=lambda: app))


def known_command(words: tuple[str, ...]) -> bool:
    """Whether ``lms`` has the command ``words`` name (a group's subcommand included)."""
    context = click.Context(current_app.cli)
    command: click.Command | None = current_app.cli
    for word in words:
        if not isinstance(command, click.Group):
            return True  # the rest are its arguments
        command = command.get_command(context, word)
        if command is None:
            return False
    return True
