"""The ``lms`` command group. Commands are thin: they call operations and commit once."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, FlaskGroup

from lms.accounts.models import Locale, Role, TitleForm
from lms.extensions import db


def _make_app() -> Flask:
    from lms import create_app

    return create_app()


cli = FlaskGroup(
    create_app=_make_app,
    add_version_option=False,
    help="Closed in-house certificate courses. Settings come from LMS_* environment variables.",
)


def main() -> None:
    cli.main(prog_name="lms")


content_cli = AppGroup("content", help="Course content from course_content/.")


@content_cli.command("load")
@click.argument("path", type=click.Path(path_type=Path))
def load_content(path: Path) -> None:
    """Create or update the course in PATH (a folder with course.toml and module files)."""
    from lms.curriculum.content import ContentError, load_course

    try:
        report = load_course(path)
    except ContentError as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc} (nothing was changed)") from None
    db.session.commit()
    course = report.course
    if not report.changed:
        click.echo(f"{course.title_neutral}: unchanged ({len(course.modules)} modules).")
        return
    click.echo(
        f"{course.title_neutral}: {len(course.modules)} modules, {course.total_hours} hours."
    )
    for label, items in (("created", report.created), ("updated", report.updated),
                         ("removed", report.removed)):
        for item in items:
            click.echo(f"  {label}: {item}")


users_cli = AppGroup("users", help="Accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@click.option(
    "--role", "roles", multiple=True, required=True,
    type=click.Choice([r.value for r in Role]), help="May be given more than once.",
)
@click.option("--title-form", type=click.Choice([t.value for t in TitleForm]), default="neutral")
@click.option("--locale", type=click.Choice([loc.value for loc in Locale]), default="de")
def create_user_command(
    email: str, first_name: str, last_name: str, roles: tuple[str, ...], title_form: str,
    locale: str,
) -> None:
    """Create an account. The password is asked for, never taken from the command line."""
    from email_validator import EmailNotValidError, validate_email

    from lms.accounts.operations import (
        AccountError,
        PasswordPolicyError,
        create_user,
        grant_role,
    )

    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise click.BadParameter(str(exc), param_hint="--email") from None
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(
            email, first_name, last_name, [Role(r) for r in roles], password=password,
            title_form=TitleForm(title_form), locale=Locale(locale),
        )
        for role in user.role_set:
            grant_role(user, role)  # lecturers get their (empty) profile
    except (AccountError, PasswordPolicyError) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from None
    db.session.commit()
    click.echo(f"Created {user.email} ({', '.join(sorted(roles))}).")


@click.command("demo")
@click.option(
    "--content", "content_path", type=click.Path(path_type=Path), default=None,
    help="Course folder to load if the course is missing (default: the bundled one).",
)
def demo_command(content_path: Path | None) -> None:
    """Seed a realistic demo dated around today: one company, a closed cohort of 20 in
    mid-course, a finished cohort ready for certificates, lecturers with profiles."""
    from lms.demo import seed_demo

    result = seed_demo(content_path)
    db.session.commit()
    click.echo("Demo data is in place." if result.created else "Demo data was already there.")
    click.echo(f"All demo accounts use the password: {result.password}")
    width = max(len(role) for role, _email in result.logins)
    for role, email in result.logins:
        click.echo(f"  {role:<{width}}  {email}")


def register_commands(app: Flask) -> None:
    for command in (content_cli, users_cli, demo_command):
        app.cli.add_command(command)
    from lms.certificates.cli import certificates_cli
    app.cli.add_command(certificates_cli)
    from lms.notifications.cli import notify_command
    app.cli.add_command(notify_command)
    from lms.credentials.cli import credentials_cli
    app.cli.add_command(credentials_cli)
    from lms.storage.cli import doctor_command, storage_cli
    app.cli.add_command(storage_cli)
    app.cli.add_command(doctor_command)
    from lms.jobs.cli import scheduler_command, worker_command
    app.cli.add_command(worker_command)
    app.cli.add_command(scheduler_command)
    from lms.privacy.cli import privacy_cli
    app.cli.add_command(privacy_cli)
    from lms.integrations.cli import webhooks_cli
    app.cli.add_command(webhooks_cli)
