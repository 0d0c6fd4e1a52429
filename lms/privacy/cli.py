"""``lms privacy``: the record of processing activities for the data protection officer."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from lms.accounts.models import User
from lms.config import SUPPORTED_LOCALES

privacy_cli = AppGroup("privacy", help="Personal data: the registry, exports, erasure, retention.")


@privacy_cli.command("registry")
@click.option("--format", "fmt", type=click.Choice(["markdown", "csv"]), default="markdown",
              show_default=True)
@click.option("--language", type=click.Choice(SUPPORTED_LOCALES), default=None,
              help="Default: LMS_DEFAULT_LOCALE.")
def registry_command(fmt: str, language: str | None) -> None:
    """Print the record of processing activities (Verzeichnis von
    Verarbeitungstätigkeiten): every personal column with its category, purpose, legal
    basis, retention and what an erasure does to it."""
    from lms.privacy.registry import registry_csv, registry_markdown

    periods = current_app.config["LMS_RETENTION"]
    with force_locale(language or current_app.config["LMS_DEFAULT_LOCALE"]):
        if fmt == "csv":
            click.echo(registry_csv(periods), nl=False)
        else:
            click.echo(registry_markdown(periods, current_app.config["LMS_PRIVACY_CONTROLLER"]),
                       nl=False)


def _person(email: str) -> User:
    from lms.accounts.queries import get_user_by_email

    user = get_user_by_email(email)
    if user is None:
        raise click.ClickException(f"There is no account with the address {email}.")
    return user


def _actor(email: str | None) -> User | None:
    """The coordinator named with --by, recorded as the one who acted (None: the command
    line itself)."""
    from lms.accounts.models import Role

    if email is None:
        return None
    user = _person(email)
    if not user.has_role(Role.COORDINATOR):
        raise click.ClickException(f"{email} is not a coordinator.")
    return user


@privacy_cli.command("erase")
@click.argument("email")
@click.option("--reason", required=True, help="Recorded in the audit trail (no names, please).")
@click.option("--by", "by_email", default=None, help="The coordinator who decided (recorded).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(email: str, reason: str, by_email: str | None, yes: bool) -> None:
    """Erase the personal data of the account with EMAIL in every area (Art. 17 GDPR),
    keeping what a retention rule requires without the name."""
    from lms.extensions import db
    from lms.privacy.erasure import ErasureError, erase_person

    user, by = _person(email), _actor(by_email)
    if not yes:
        click.confirm(f"Erase the data of {user.full_name} <{user.email}>? This cannot be "
                      "undone.", abort=True)
    try:
        report = erase_person(user, reason=reason, by=by,
                              periods=current_app.config["LMS_RETENTION"])
    except ErasureError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Erased; the person now appears as {report.pseudonym}.")
    for what, number in sorted(report.counts.items()):
        click.echo(f"  {what}: {number}")


@privacy_cli.command("export")
@click.argument("email")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="Where to write the ZIP file.")
@click.option("--by", "by_email", default=None, help="The coordinator who asked (recorded).")
def export_command(email: str, output: str, by_email: str | None) -> None:
    """Put together the copy of the data of the account with EMAIL (Art. 15/20 GDPR), the
    same ZIP its holder downloads from their account page, and write it to OUTPUT."""
    from pathlib import Path

    from lms.extensions import db
    from lms.privacy.export import ExportError, build_export, start_export
    from lms.storage import read_stored

    user, by = _person(email), _actor(by_email)
    try:
        export = start_export(user, by=by)
    except ExportError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    with click.progressbar(length=1, label="Exporting") as bar:
        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        build_export(export, progress=progress)
    db.session.commit()
    Path(output).write_bytes(read_stored(export.storage_area, export.stored_name or ""))
    click.echo(f"Written to {output} ({export.size_bytes} bytes, SHA-256 {export.sha256}).")


@privacy_cli.command("purge")
@click.option("--apply", "apply_", is_flag=True,
              help="Delete what is past its period (without it: only say what would go).")
def purge_command(apply_: bool) -> None:
    """Apply the retention rules (LMS_RETENTION_<RULE>_DAYS): delete what is kept longer
    than its rule allows. A dry run by default; idempotent; meant for cron, e.g. daily:
    `lms privacy purge --apply`."""
    from lms import db as clock
    from lms.extensions import db
    from lms.privacy.purge import describe, purge

    report = purge(clock.utcnow(), current_app.config["LMS_RETENTION"], apply=apply_)
    if apply_:
        db.session.commit()
    else:
        db.session.rollback()
    lines = describe(report)
    if not lines:
        click.echo("Nothing is past its retention period.")
        return
    click.echo("Deleted:" if apply_ else "Would delete (dry run; --apply deletes):")
    for line in lines:
        click.echo(f"  {line}")
