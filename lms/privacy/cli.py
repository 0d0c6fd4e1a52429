"""``lms privacy``: the record of processing activities for the data protection officer."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

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
